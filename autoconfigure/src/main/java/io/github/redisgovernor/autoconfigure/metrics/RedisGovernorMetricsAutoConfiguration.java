package io.github.redisgovernor.autoconfigure.metrics;

import io.github.redisgovernor.autoconfigure.accounting.RedisGovernorAccountingAutoConfiguration;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.client.ConnectionTracker;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.metrics.RedisGovernorMeterBinder;
import io.github.redisgovernor.pool.ConnectionPoolMeterBinder;
import io.github.redisgovernor.pool.ConnectionPools;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.pool2.impl.GenericObjectPool;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the governor's Micrometer meters. Spring Boot binds the
 * {@link MeterBinder} to every meter registry it configures.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAccountingAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(BudgetMonitor.class)
public final class RedisGovernorMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	RedisGovernorMeterBinder redisGovernorMeterBinder(BudgetMonitor monitor,
			ObjectProvider<ConnectionTracker> connections, InstanceIdentity identity) {
		return new RedisGovernorMeterBinder(monitor, connections.getIfUnique(), identity);
	}

	/**
	 * Meters of the governed factory's commons-pool2 connection pools, when it has them.
	 */
	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(GenericObjectPool.class)
	@ConditionalOnBean(GovernedConnection.class)
	static class ConnectionPoolMetersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ConnectionPoolMeterBinder redisGovernorConnectionPoolMeterBinder(GovernedConnection connection,
				InstanceIdentity identity) {
			return new ConnectionPoolMeterBinder(new ConnectionPools(connection.getFactory()), identity);
		}

	}

}
