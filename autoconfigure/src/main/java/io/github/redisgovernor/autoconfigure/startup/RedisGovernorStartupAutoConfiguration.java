package io.github.redisgovernor.autoconfigure.startup;

import java.util.Map;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.startup.StartupConnectivityCheck;
import io.lettuce.core.RedisClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of {@code redis.governor.fail-fast}: when true, startup fails if
 * Redis cannot be reached. By default nothing is added: the application starts, the
 * {@code redis} health component is DOWN and the connection opens once Redis answers.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean({ GovernedClientCustomizer.class, LettuceConnectionFactory.class })
@ConditionalOnBooleanProperty("redis.governor.fail-fast")
public final class RedisGovernorStartupAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	StartupConnectivityCheck redisGovernorStartupConnectivityCheck(ObjectProvider<LettuceConnectionFactory> factories,
			Map<String, LettuceConnectionFactory> factoriesByName, GovernedClientCustomizer customizer) {
		LettuceConnectionFactory factory = factories.getIfUnique(() -> factoriesByName.get("redisConnectionFactory"));
		if (factory == null) {
			throw new IllegalStateException("Redis Governor could not choose the connection factory to check among "
					+ factoriesByName.keySet() + ": mark the governed one @Primary or name it 'redisConnectionFactory'.");
		}
		return new StartupConnectivityCheck(factory, customizer.getPolicy().connectTimeout());
	}

}
