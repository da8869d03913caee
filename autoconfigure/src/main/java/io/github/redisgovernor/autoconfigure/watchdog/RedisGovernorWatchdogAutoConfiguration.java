package io.github.redisgovernor.autoconfigure.watchdog;

import java.util.Map;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.client.GovernedClientCustomizer;
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
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean({ GovernedClientCustomizer.class, LettuceConnectionFactory.class })
public final class RedisGovernorWatchdogAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConnectionWatchdog redisGovernorConnectionWatchdog(ObjectProvider<LettuceConnectionFactory> factories,
			Map<String, LettuceConnectionFactory> factoriesByName, GovernedClientCustomizer customizer,
			RedisGovernorProperties properties) {
		RedisGovernorProperties.Watchdog watchdog = properties.getWatchdog();
		if (!watchdog.isEnabled()) {
			return ConnectionWatchdog.NONE;
		}
		return new PingWatchdog(governedFactory(factories, factoriesByName), customizer.getIdentity(),
				watchdog.getInterval(), watchdog.getFastInterval(), watchdog.getTimeout(),
				watchdog.getFailureThreshold());
	}

	@Bean
	@ConditionalOnMissingBean
	ReconnectFailureReporter redisGovernorReconnectFailureReporter(ObjectProvider<LettuceConnectionFactory> factories,
			Map<String, LettuceConnectionFactory> factoriesByName, GovernedClientCustomizer customizer) {
		return new ReconnectFailureReporter(governedFactory(factories, factoriesByName), customizer.getIdentity());
	}

	/**
	 * The governed factory: the only one, or the one Spring Boot names
	 * {@code redisConnectionFactory}.
	 */
	static LettuceConnectionFactory governedFactory(ObjectProvider<LettuceConnectionFactory> factories,
			Map<String, LettuceConnectionFactory> factoriesByName) {
		LettuceConnectionFactory factory = factories.getIfUnique(() -> factoriesByName.get("redisConnectionFactory"));
		if (factory == null) {
			throw new IllegalStateException("Redis Governor could not choose the connection factory to watch among "
					+ factoriesByName.keySet() + ": mark the governed one @Primary or name it 'redisConnectionFactory'.");
		}
		return factory;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
	static class WatchdogMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		WatchdogMetrics redisGovernorWatchdogMetrics(ConnectionWatchdog watchdog, GovernedClientCustomizer customizer) {
			return new WatchdogMetrics(watchdog, customizer.getIdentity());
		}

	}

}
