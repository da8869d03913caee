package io.github.redisgovernor.autoconfigure.secrets;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.secrets.RedisCredentialsSanitizingFunction;

import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration that keeps Redis credentials out of the actuator's {@code env} and
 * {@code configprops} endpoints.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class)
@ConditionalOnClass(SanitizingFunction.class)
@ConditionalOnBean(GovernedClientCustomizer.class)
public final class RedisGovernorSecretsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RedisCredentialsSanitizingFunction redisGovernorCredentialsSanitizingFunction() {
		return new RedisCredentialsSanitizingFunction();
	}

}
