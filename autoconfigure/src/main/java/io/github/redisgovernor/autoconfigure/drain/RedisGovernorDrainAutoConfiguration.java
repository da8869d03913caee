package io.github.redisgovernor.autoconfigure.drain;

import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.drain.ConnectionFactoryShutdown;
import io.github.redisgovernor.drain.DrainMetrics;
import io.github.redisgovernor.drain.DrainObserver;
import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.drain.GracefulDrain;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
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
@AutoConfiguration(after = RedisGovernorConnectionAutoConfiguration.class)
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean(GovernedConnection.class)
public final class RedisGovernorDrainAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	static ConnectionFactoryShutdown redisGovernorConnectionFactoryShutdown(
			ObjectProvider<GovernedConnection> connection, ObjectProvider<GracefulDrain> drain) {
		return new ConnectionFactoryShutdown(connection, drain);
	}

	@Bean
	@ConditionalOnMissingBean
	GracefulDrain redisGovernorGracefulDrain(GovernedConnection connection,
			ObjectProvider<DrainParticipant> participants, ObjectProvider<DrainObserver> observers,
			RedisGovernorProperties properties, ConfigurableListableBeanFactory beanFactory) {
		// Spring stops a bean's dependents before the bean, whatever their phases: the
		// drain then stops before the factory even if the factory's phase is raised.
		dependOnFactory(beanFactory, connection.getFactory(), "redisGovernorGracefulDrain");
		DrainObserver observer = observers.getIfUnique(() -> DrainObserver.NONE);
		RedisGovernorProperties.Shutdown shutdown = properties.getShutdown();
		GracefulDrain drain = new GracefulDrain(connection.getIdentity(), connection::sharedActivity,
				() -> participants.orderedStream().toList(), shutdown.getDrainTimeout(), shutdown.getQuietPeriod(),
				observer);
		if (ConnectionFactoryShutdown.isDeferred(connection.getFactory())) {
			drain.deferCloseToFactoryDestruction();
		}
		return drain;
	}

	private static void dependOnFactory(ConfigurableListableBeanFactory beanFactory, Object factory, String dependent) {
		for (String name : beanFactory.getBeanNamesForType(LettuceConnectionFactory.class, false, false)) {
			if (beanFactory.containsSingleton(name) && beanFactory.getSingleton(name) == factory) {
				beanFactory.registerDependentBean(name, dependent);
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ MeterRegistry.class, MeterBinder.class })
	static class DrainMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		DrainMetrics redisGovernorDrainMetrics(GovernedConnection connection) {
			return new DrainMetrics(connection.getIdentity().getApplication(), connection);
		}

	}

}
