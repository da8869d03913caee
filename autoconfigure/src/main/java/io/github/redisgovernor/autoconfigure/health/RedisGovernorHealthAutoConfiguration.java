package io.github.redisgovernor.autoconfigure.health;

import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.health.RedisConnectivityHealthIndicator;
import io.lettuce.core.RedisClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code redis} health component. It takes the place of Spring
 * Boot's own imperative and reactive Redis indicators (they back off when a bean named
 * {@code redisHealthContributor} exists): those open a second connection per instance,
 * this one reuses the governed connection.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorConnectionAutoConfiguration.class, beforeName = {
		"org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration",
		"org.springframework.boot.data.redis.autoconfigure.health.DataRedisReactiveHealthContributorAutoConfiguration" })
@ConditionalOnClass({ RedisClient.class, HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(GovernedConnection.class)
@ConditionalOnEnabledHealthIndicator("redis")
public final class RedisGovernorHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "redisHealthIndicator", "redisHealthContributor" })
	RedisConnectivityHealthIndicator redisHealthContributor(GovernedConnection connection) {
		return new RedisConnectivityHealthIndicator(connection);
	}

}
