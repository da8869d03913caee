package io.github.redisgovernor.secrets;

import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.endpoint.SanitizableData;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisCredentialsSanitizingFunction}.
 */
class RedisCredentialsSanitizingFunctionTests {

	private final RedisCredentialsSanitizingFunction function = new RedisCredentialsSanitizingFunction();

	@Test
	void sanitizesRedisPasswords() {
		assertThat(sanitize("spring.data.redis.password", "s3cret")).isEqualTo(SanitizableData.SANITIZED_VALUE);
		assertThat(sanitize("spring.data.redis.sentinel.password", "s3cret"))
			.isEqualTo(SanitizableData.SANITIZED_VALUE);
		assertThat(sanitize("SPRING_DATA_REDIS_PASSWORD", "s3cret")).isEqualTo(SanitizableData.SANITIZED_VALUE);
	}

	@Test
	void sanitizesUrlWithUserInfoOnly() {
		assertThat(sanitize("spring.data.redis.url", "redis://u:s3cret@host:6379"))
			.isEqualTo(SanitizableData.SANITIZED_VALUE);
		assertThat(sanitize("spring.data.redis.url", "redis://host:6379")).isEqualTo("redis://host:6379");
	}

	@Test
	void leavesOtherKeysAlone() {
		assertThat(sanitize("spring.data.redis.host", "cache.internal")).isEqualTo("cache.internal");
		assertThat(sanitize("spring.datasource.password", "db")).isEqualTo("db");
	}

	private Object sanitize(String key, String value) {
		return this.function.apply(new SanitizableData(null, key, value)).getValue();
	}

}
