package io.github.redisgovernor.autoconfigure.health;

import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.autoconfigure.accounting.RedisGovernorAccountingAutoConfiguration;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.health.RedisGovernorHealthIndicator;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code redisGovernor} health component (the connection
 * budget). Disabled with {@code management.health.redisgovernor.enabled=false}.
 * {@link DegradedStatusEnvironmentPostProcessor} places its DEGRADED status in the status
 * order.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAccountingAutoConfiguration.class)
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class })
@ConditionalOnBean(BudgetMonitor.class)
@ConditionalOnEnabledHealthIndicator("redisgovernor")
public final class RedisGovernorBudgetHealthAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "redisGovernorHealthIndicator")
	RedisGovernorHealthIndicator redisGovernorHealthIndicator(BudgetMonitor monitor, InstanceIdentity identity,
			RedisGovernorProperties properties) {
		return new RedisGovernorHealthIndicator(monitor, identity, properties.getHealth().isReportOutOfService());
	}

}
