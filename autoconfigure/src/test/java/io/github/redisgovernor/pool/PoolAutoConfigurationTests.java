package io.github.redisgovernor.pool;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.accounting.RedisGovernorAccountingAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.autoconfigure.metrics.RedisGovernorMetricsAutoConfiguration;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.budget.BudgetPolicy;
import io.github.redisgovernor.budget.FollowedAllowance;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.GovernedConnection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the parts of the auto-configuration that follow a pooled application: the
 * budget's connections per instance and the pool meters. commons-pool2 is on the class
 * path here, so Spring Boot pools unless told not to. Redis is pointed at a closed port:
 * nothing here needs a server.
 */
@Tag("pool")
@ExtendWith(OutputCaptureExtension.class)
class PoolAutoConfigurationTests {

	private static final String[] POOL_METERS = { "redis.governor.pool.connections.active",
			"redis.governor.pool.connections.idle", "redis.governor.pool.connections.pending",
			"redis.governor.pool.connections.max" };

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class,
				RedisGovernorAccountingAutoConfiguration.class, RedisGovernorMetricsAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms",
				"redis.governor.server.sample-interval=1h");

	@Test
	void budgetFollowsThePoolByDefault() {
		// commons-pool2 on the class path turns Boot's pool on; max-active defaults to 8.
		this.contextRunner.run((context) -> {
			assertThat(ConnectionPools.poolConfig(context.getBean(LettuceConnectionFactory.class))).isNotNull();
			BudgetPolicy policy = context.getBean(BudgetMonitor.class).getPolicy();
			assertThat(policy.connectionsPerInstance()).isEqualTo(9);
			assertThat(policy.connectionsPerInstanceFrom())
				.isEqualTo("pool max-active 8 (the shared connection included) + 1 beside it");
		});
	}

	@Test
	void budgetFollowsTheConfiguredMaxActive() {
		this.contextRunner.withPropertyValues("spring.data.redis.lettuce.pool.max-active=20")
			.run((context) -> assertThat(context.getBean(BudgetMonitor.class).getPolicy().connectionsPerInstance())
				.isEqualTo(21));
	}

	@Test
	void withoutAPoolTheBudgetIsTheSharedConnectionAndOneBesideIt() {
		this.contextRunner.withPropertyValues("spring.data.redis.lettuce.pool.enabled=false").run((context) -> {
			BudgetPolicy policy = context.getBean(BudgetMonitor.class).getPolicy();
			assertThat(policy.connectionsPerInstance()).isEqualTo(2);
			assertThat(policy.connectionsPerInstanceFrom()).isEqualTo("shared 1 + 1 beside it");
		});
	}

	@Test
	void thePropertyWinsOverThePool() {
		this.contextRunner.withPropertyValues("redis.governor.budget.connections-per-instance=3").run((context) -> {
			BudgetPolicy policy = context.getBean(BudgetMonitor.class).getPolicy();
			assertThat(policy.connectionsPerInstance()).isEqualTo(3);
			assertThat(policy.connectionsPerInstanceFrom()).isEqualTo("redis.governor.budget.connections-per-instance");
		});
	}

	@Test
	void aPoolWithoutMaxActiveCannotBeFollowedAndSaysSo(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.data.redis.lettuce.pool.max-active=-1").run((context) -> {
			BudgetPolicy policy = context.getBean(BudgetMonitor.class).getPolicy();
			assertThat(policy.connectionsPerInstance()).isEqualTo(2);
			assertThat(policy.connectionsPerInstanceFrom())
				.isEqualTo("shared 1 (the pool has no max-active) + 1 beside it");
			assertThat(output).contains("cannot follow the connection pool's size: it has no max-active (-1)");
		});
	}

	@Test
	void listenerContainersAreNotCountedWhileTheyDoNotListen() {
		// Counted while they listen: PoolIntegrationTests, ConnectionAllowanceTests.
		this.contextRunner.withUserConfiguration(TwoListenerContainers.class).run((context) -> {
			// Two of the application's, and Spring Boot's own.
			assertThat(context.getBeansOfType(RedisMessageListenerContainer.class)).containsOnlyKeys("first", "second",
					"redisMessageListenerContainer");
			assertThat(context.getBean(BudgetMonitor.class).getPolicy().connectionsPerInstance()).isEqualTo(9);
			assertThat(context.getBean(FollowedAllowance.class).get().connections()).isEqualTo(9);
		});
	}

	@Test
	void aUserDefinedAllowanceReplacesTheGovernorsOwn() {
		this.contextRunner.withUserConfiguration(OwnAllowance.class)
			.run((context) -> assertThat(context).getBean(FollowedAllowance.class)
				.isSameAs(context.getBean(OwnAllowance.class).allowance));
	}

	@Test
	void poolMetersAreBoundForAPooledFactory() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry registry = bind(context.getBean(ConnectionPoolMeterBinder.class));
			assertThat(registry.getMeters()).extracting((meter) -> meter.getId().getName())
				.containsOnly(POOL_METERS)
				.hasSize(8);
			assertThat(registry.getMeters()).extracting((meter) -> meter.getId().getTag("pool"))
				.containsOnly("commands", "pubsub");
			assertThat(registry.getMeters()).allSatisfy((meter) -> {
				assertThat(meter.getId().getTag("application")).isEqualTo("orders");
				assertThat(meter.getId().getDescription()).isNotBlank();
			});
			// No connection was made yet: the pools do not exist, the limit is known.
			assertThat(registry.get("redis.governor.pool.connections.max").tag("pool", "commands").gauge().value())
				.isEqualTo(8);
			assertThat(registry.get("redis.governor.pool.connections.active").tag("pool", "commands").gauge().value())
				.isZero();
		});
	}

	@Test
	void noPoolMeansNoPoolMeters() {
		this.contextRunner.withPropertyValues("spring.data.redis.lettuce.pool.enabled=false")
			.run((context) -> assertThat(bind(context.getBean(ConnectionPoolMeterBinder.class)).getMeters()).isEmpty());
	}

	@Test
	void withoutCommonsPoolThereIsNoPoolMeterBinder() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(GenericObjectPool.class))
			.withPropertyValues("spring.data.redis.lettuce.pool.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed()
				.hasSingleBean(BudgetMonitor.class)
				.doesNotHaveBean(ConnectionPoolMeterBinder.class));
	}

	@Test
	void withoutAGovernedConnectionThereIsNoPoolMeterBinder() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(GovernedConnection.class)
				.doesNotHaveBean(ConnectionPoolMeterBinder.class));
	}

	@Test
	void aUserDefinedPoolMeterBinderReplacesTheGovernorsOwn() {
		this.contextRunner.withUserConfiguration(OwnPoolMeterBinder.class)
			.run((context) -> assertThat(context).getBean(ConnectionPoolMeterBinder.class)
				.isSameAs(context.getBean(OwnPoolMeterBinder.class).binder));
	}

	private static SimpleMeterRegistry bind(ConnectionPoolMeterBinder binder) {
		SimpleMeterRegistry registry = new SimpleMeterRegistry();
		binder.bindTo(registry);
		return registry;
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoListenerContainers {

		@Bean
		RedisMessageListenerContainer first(RedisConnectionFactory factory) {
			return container(factory);
		}

		@Bean
		RedisMessageListenerContainer second(RedisConnectionFactory factory) {
			return container(factory);
		}

		private static RedisMessageListenerContainer container(RedisConnectionFactory factory) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(factory);
			container.setAutoStartup(false);
			return container;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnAllowance {

		final FollowedAllowance allowance = new FollowedAllowance(new LettuceConnectionFactory(),
				new StaticListableBeanFactory().getBeanProvider(RedisMessageListenerContainer.class),
				InstanceIdentity.resolve("own", "i-1", null));

		@Bean
		FollowedAllowance ownAllowance() {
			return this.allowance;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OwnPoolMeterBinder {

		final ConnectionPoolMeterBinder binder = new ConnectionPoolMeterBinder(
				new ConnectionPools(new LettuceConnectionFactory()), InstanceIdentity.resolve("own", "i-1", null));

		@Bean
		ConnectionPoolMeterBinder ownPoolMeterBinder() {
			return this.binder;
		}

	}

}
