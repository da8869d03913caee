package io.github.redisgovernor.autoconfigure.drain;

import java.util.Map;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.drain.ConnectionFactoryShutdown;
import io.github.redisgovernor.drain.DrainMetrics;
import io.github.redisgovernor.drain.DrainObserver;
import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.drain.GracefulDrain;
import io.github.redisgovernor.drain.InFlightCommands;
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
 * Auto-configuration of the graceful drain: the in-flight command counter, the
 * {@link GracefulDrain} lifecycle, the post-processor that defers the factory's close to
 * its destruction, and their meters.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean(GovernedClientCustomizer.class)
public final class RedisGovernorDrainAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	static ConnectionFactoryShutdown redisGovernorConnectionFactoryShutdown(
			ObjectProvider<GovernedClientCustomizer> customizer, ObjectProvider<InFlightCommands> inFlight,
			ObjectProvider<GracefulDrain> drain) {
		return new ConnectionFactoryShutdown(customizer, inFlight, drain);
	}

	@Bean
	@ConditionalOnMissingBean
	InFlightCommands redisGovernorInFlightCommands() {
		return new InFlightCommands();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBean(LettuceConnectionFactory.class)
	GracefulDrain redisGovernorGracefulDrain(ObjectProvider<LettuceConnectionFactory> factories,
			Map<String, LettuceConnectionFactory> factoriesByName, InstanceIdentity identity,
			InFlightCommands inFlight, ObjectProvider<DrainParticipant> participants,
			ObjectProvider<DrainObserver> observers, RedisGovernorProperties properties) {
		// Injecting the factory makes the drain a dependent of the factory bean: Spring
		// stops dependents first, whatever their phases.
		LettuceConnectionFactory factory = factories.getIfUnique(() -> factoriesByName.get("redisConnectionFactory"));
		DrainObserver observer = observers.getIfUnique(() -> DrainObserver.NONE);
		RedisGovernorProperties.Shutdown shutdown = properties.getShutdown();
		GracefulDrain drain = new GracefulDrain(identity, inFlight, () -> participants.orderedStream().toList(),
				shutdown.getDrainTimeout(), shutdown.getQuietPeriod(), observer);
		if (ConnectionFactoryShutdown.isDeferred(factory)) {
			drain.deferCloseToFactoryDestruction();
		}
		return drain;
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
	static class DrainMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		DrainMetrics redisGovernorDrainMetrics(InstanceIdentity identity, InFlightCommands inFlight) {
			return new DrainMetrics(identity.getApplication(), inFlight);
		}

	}

}
