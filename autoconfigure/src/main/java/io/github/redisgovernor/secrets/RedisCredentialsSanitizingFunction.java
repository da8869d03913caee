package io.github.redisgovernor.secrets;

import java.util.Locale;

import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks Redis credentials in the {@code /actuator/env} and {@code /actuator/configprops}
 * endpoints even when they are set to {@code show-values=always}: every
 * {@code spring.data.redis.*password} (the server or ACL password, the Sentinel password)
 * and a {@code spring.data.redis.url} that carries user info
 * ({@code redis://user:secret@host}). Spring Boot masks every value by default
 * ({@code show-values=never}) but shows all of them, passwords included, once a team
 * switches to {@code always} to debug its configuration. Environment variable spellings
 * ({@code SPRING_DATA_REDIS_PASSWORD}) are covered too.
 *
 * @author Redis Governor contributors
 */
public class RedisCredentialsSanitizingFunction implements SanitizingFunction {

	private static final String PREFIX = "spring.data.redis.";

	@Override
	public SanitizableData apply(SanitizableData data) {
		String key = normalize(data.getKey());
		if (!key.startsWith(PREFIX)) {
			return data;
		}
		if (key.endsWith("password")) {
			return data.withSanitizedValue();
		}
		if (key.endsWith(".url") && data.getValue() != null && String.valueOf(data.getValue()).contains("@")) {
			return data.withSanitizedValue();
		}
		return data;
	}

	private static String normalize(String key) {
		return key.toLowerCase(Locale.ROOT).replace('_', '.').replace("-", "");
	}

}
