package io.github.redisgovernor.autoconfigure.drain;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.List;

import io.github.redisgovernor.autoconfigure.InvalidGovernorPropertyException;
import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.ConnectionActivity.Activity;
import io.github.redisgovernor.drain.ConnectionFactoryShutdown;
import io.github.redisgovernor.drain.DrainMetrics;
import io.github.redisgovernor.drain.DrainSummary;
import io.github.redisgovernor.drain.GracefulDrain;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.aop.MethodMatcher;
import org.springframework.aop.PointcutAdvisor;
import org.springframework.aop.framework.Advised;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorDrainAutoConfiguration}: conditions, back-off and meters.
 * Nothing here connects to Redis.
 */
class RedisGovernorDrainAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, RedisGovernorDrainAutoConfiguration.class,
				DataRedisAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1");

	@Test
	void runShouldCreateDrainAndDeferTheGovernedFactoryStop() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(GracefulDrain.class).hasSingleBean(ConnectionFactoryShutdown.class);
			assertThat(ConnectionFactoryShutdown.isDeferred(context.getBean(LettuceConnectionFactory.class))).isTrue();
			assertThat(context.getBean(GracefulDrain.class).getPhase()).isEqualTo(GracefulDrain.PHASE);
		});
	}

	@Test
	void runShouldAdviseOnlyStopSoThatTheCommandPathGoesStraightToTheFactory() throws Exception {
		this.contextRunner.run((context) -> {
			Advised factory = (Advised) context.getBean(LettuceConnectionFactory.class);
			assertThat(factory.isFrozen()).as("frozen: unadvised methods are dispatched to the factory").isTrue();
			Method getConnection = LettuceConnectionFactory.class.getMethod("getConnection");
			Method stop = LettuceConnectionFactory.class.getMethod("stop", Runnable.class);
			assertThat(factory.getAdvisors()).singleElement().satisfies((advisor) -> {
				MethodMatcher matcher = ((PointcutAdvisor) advisor).getPointcut().getMethodMatcher();
				assertThat(matcher.matches(getConnection, LettuceConnectionFactory.class)).isFalse();
				assertThat(matcher.matches(stop, LettuceConnectionFactory.class)).isTrue();
			});
		});
	}

	@Test
	void runWhenDisabledShouldNotCreateDrain() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(GracefulDrain.class).doesNotHaveBean(ConnectionFactoryShutdown.class);
			assertThat(ConnectionFactoryShutdown.isDeferred(context.getBean(LettuceConnectionFactory.class))).isFalse();
		});
	}

	@Test
	void runWithUserDrainShouldBackOff() {
		GracefulDrain userDrain = new GracefulDrain(new InstanceIdentity("a", "b"), () -> Activity.UNKNOWN, List::of,
				Duration.ofSeconds(1), Duration.ZERO, (summary) -> {
				});
		this.contextRunner.withBean(GracefulDrain.class, () -> userDrain)
			.run((context) -> assertThat(context.getBean(GracefulDrain.class)).isSameAs(userDrain));
	}

	@Test
	void runWithMeterRegistryShouldBindInFlightGaugeAndDrainTimer() {
		this.contextRunner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run((context) -> {
			MeterRegistry registry = context.getBean(MeterRegistry.class);
			context.getBean(DrainMetrics.class).bindTo(registry);
			assertThat(registry.get("redis.governor.commands.inflight").tag("application", "orders").gauge().value())
				.isZero();
			context.getBean(DrainMetrics.class).drained(new DrainSummary(3, 0, Duration.ofMillis(250), false));
			assertThat(registry.get("redis.governor.drain").tag("application", "orders").timer().count()).isEqualTo(1);
		});
	}

	@Test
	void runWithoutMicrometerShouldNotCreateMetrics() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasSingleBean(GracefulDrain.class)
				.doesNotHaveBean(DrainMetrics.class));
	}

	@Test
	void runWithNonPositiveDrainTimeoutShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.shutdown.drain-timeout=0s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidGovernorPropertyException.class)
				.hasMessageContaining("redis.governor.shutdown.drain-timeout"));
	}

}
