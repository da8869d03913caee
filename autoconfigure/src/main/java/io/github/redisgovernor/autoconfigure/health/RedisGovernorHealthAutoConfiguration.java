package io.github.redisgovernor.autoconfigure.health;

import java.util.Map;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.health.RedisConnectivityHealthIndicator;
import io.lettuce.core.RedisClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Auto-configuration of the {@code redis} health component. It takes the place of Spring
 * Boot's own imperative and reactive Redis indicators (they back off when a bean named
 * {@code redisHealthContributor} exists): those open a second connection per instance,
 * this one reuses the governed connection.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		beforeName = { "org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration",
				"org.springframework.boot.data.redis.autoconfigure.health.DataRedisReactiveHealthContributorAutoConfiguration" })
@ConditionalOnClass({ RedisClient.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean({ GovernedClientCustomizer.class, RedisConnectionFactory.class })
@ConditionalOnEnabledHealthIndicator("redis")
public final class RedisGovernorHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "redisHealthIndicator", "redisHealthContributor" })
	RedisConnectivityHealthIndicator redisHealthContributor(ObjectProvider<RedisConnectionFactory> factories,
			Map<String, RedisConnectionFactory> factoriesByName, GovernedClientCustomizer customizer) {
		RedisConnectionFactory factory = factories.getIfUnique(() -> factoriesByName.get("redisConnectionFactory"));
		if (factory == null) {
			throw new IllegalStateException("Redis Governor could not choose the connection factory to check among "
					+ factoriesByName.keySet() + ": mark the governed one @Primary or name it 'redisConnectionFactory'.");
		}
		return new RedisConnectivityHealthIndicator(factory, customizer.getPolicy().commandTimeout());
	}

}
