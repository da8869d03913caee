package io.github.redisgovernor.autoconfigure.metrics;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.accounting.RedisGovernorAccountingAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.metrics.RedisGovernorMeterBinder;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorMetricsAutoConfiguration}: the meters it binds, their
 * names and the {@code application} tag. Redis is pointed at a closed port, so every
 * server figure is still unknown.
 */
class RedisGovernorMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class,
				RedisGovernorAccountingAutoConfiguration.class, RedisGovernorMetricsAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms",
				"redis.governor.server.sample-interval=1h");

	@Test
	void runShouldBindEveryMeterTaggedWithTheApplication() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(RedisGovernorMeterBinder.class).bindTo(registry);
			assertThat(registry.getMeters()).extracting((meter) -> meter.getId().getName())
				.containsExactlyInAnyOrder("redis.governor.clients.connected", "redis.governor.clients.fleet",
						"redis.governor.clients.max", "redis.governor.clients.utilization", "redis.governor.instances",
						"redis.governor.clients.per.instance", "redis.governor.instances.max.safe",
						"redis.governor.leak.suspected", "redis.governor.connections.open",
						"redis.governor.connections.opened", "redis.governor.reconnects");
			assertThat(registry.getMeters()).allSatisfy((meter) -> {
				assertThat(meter.getId().getTag("application")).as(meter.getId().getName()).isEqualTo("orders");
				assertThat(meter.getId().getDescription()).as(meter.getId().getName()).isNotBlank();
			});
		});
	}

	@Test
	void runShouldReadServerFiguresAsUnknownBeforeTheFirstSample() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(RedisGovernorMeterBinder.class).bindTo(registry);
			assertThat(registry.get("redis.governor.instances").gauge().value()).isNaN();
			assertThat(registry.get("redis.governor.clients.connected").gauge().value()).isNaN();
			assertThat(registry.get("redis.governor.leak.suspected").gauge().value()).isNaN();
		});
	}

	@Test
	void runShouldCountThisInstancesConnections() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(RedisGovernorMeterBinder.class).bindTo(registry);
			assertThat(registry.get("redis.governor.connections.open").gauge().value()).isZero();
			FunctionCounter reconnects = registry.get("redis.governor.reconnects").functionCounter();
			assertThat(reconnects.count()).isZero();
			assertThat(reconnects.getId().getBaseUnit()).isNull();
		});
	}

	@Test
	void runShouldBindNoBaseUnitSinceEveryNameSaysWhatItCounts() {
		this.contextRunner.run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(RedisGovernorMeterBinder.class).bindTo(registry);
			assertThat(registry.getMeters())
				.allSatisfy((meter) -> assertThat(meter.getId().getBaseUnit()).as(meter.getId().getName()).isNull());
		});
	}

	@Test
	void runWithApplicationPropertyShouldTagMetersWithIt() {
		this.contextRunner.withPropertyValues("redis.governor.application=payments").run((context) -> {
			SimpleMeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(RedisGovernorMeterBinder.class).bindTo(registry);
			assertThat(registry.getMeters()).extracting((meter) -> meter.getId().getTag("application"))
				.containsOnly("payments");
		});
	}

	@Test
	void runWithUserMeterBinderShouldBackOff() {
		this.contextRunner.withUserConfiguration(OwnMeterBinderConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(RedisGovernorMeterBinder.class)
				.hasBean("ownMeterBinder"));
	}

	@Test
	void runWhenGovernorIsDisabledShouldNotCreateTheMeterBinder() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorMeterBinder.class));
	}

	@Test
	void runWithoutMicrometerShouldNotCreateTheMeterBinder() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterBinder.class))
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorMeterBinder.class)
				.hasSingleBean(BudgetMonitor.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnMeterBinderConfiguration {

		@Bean
		RedisGovernorMeterBinder ownMeterBinder(BudgetMonitor monitor, InstanceIdentity identity) {
			return new RedisGovernorMeterBinder(monitor, null, identity);
		}

	}

}
