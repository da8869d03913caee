package io.github.redisgovernor.autoconfigure.watchdog;

import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.watchdog.ConnectionWatchdog;
import io.github.redisgovernor.watchdog.PingWatchdog;
import io.github.redisgovernor.watchdog.ReconnectFailureReporter;
import io.github.redisgovernor.watchdog.WatchdogMetrics;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of the dead-connection watchdog, the log of failed reconnects and
 * the {@code redis.governor.watchdog.recoveries} meter. When
 * {@code redis.governor.watchdog.enabled=false} the watchdog bean is
 * {@link ConnectionWatchdog#NONE}.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorConnectionAutoConfiguration.class)
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean(GovernedConnection.class)
public final class RedisGovernorWatchdogAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConnectionWatchdog redisGovernorConnectionWatchdog(GovernedConnection connection, GovernorScheduler scheduler,
			RedisGovernorProperties properties, ObjectProvider<InstanceRegistry> registry) {
		RedisGovernorProperties.Watchdog watchdog = properties.getWatchdog();
		if (!watchdog.isEnabled()) {
			return ConnectionWatchdog.NONE;
		}
		PingWatchdog pingWatchdog = new PingWatchdog(connection, scheduler, watchdog.getInterval(),
				watchdog.getFastInterval(), watchdog.getTimeout(), watchdog.getFailureThreshold());
		// An idle connection's heartbeat replies prove it alive: in a large fleet the
		// idle PING waits as long as the heartbeat does (docs/budget.md).
		registry.ifUnique((instances) -> pingWatchdog.followHeartbeat(instances::getEffectiveHeartbeatInterval));
		return pingWatchdog;
	}

	@Bean
	@ConditionalOnMissingBean
	ReconnectFailureReporter redisGovernorReconnectFailureReporter(GovernedConnection connection) {
		return new ReconnectFailureReporter(connection.getFactory(), connection.getIdentity());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
	static class WatchdogMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WatchdogMetrics redisGovernorWatchdogMetrics(ConnectionWatchdog watchdog, GovernedConnection connection) {
			return new WatchdogMetrics(watchdog, connection.getIdentity());
		}

	}

}
