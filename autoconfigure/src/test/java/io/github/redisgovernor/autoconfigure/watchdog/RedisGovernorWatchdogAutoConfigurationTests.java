package io.github.redisgovernor.autoconfigure.watchdog;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import io.github.redisgovernor.autoconfigure.InvalidGovernorPropertyException;
import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.watchdog.ConnectionWatchdog;
import io.github.redisgovernor.watchdog.PingWatchdog;
import io.github.redisgovernor.watchdog.ReconnectFailureReporter;
import io.github.redisgovernor.watchdog.WatchdogMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorWatchdogAutoConfiguration}. The factory points at a
 * loopback port where nothing listens; no test here needs a Redis server.
 */
class RedisGovernorWatchdogAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, RedisGovernorWatchdogAutoConfiguration.class,
				DataRedisAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=" + freePort());

	@Test
	void runShouldCreateRunningPingWatchdogAndReconnectReporter() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(ConnectionWatchdog.class).hasSingleBean(ReconnectFailureReporter.class);
			ConnectionWatchdog watchdog = context.getBean(ConnectionWatchdog.class);
			assertThat(watchdog).isInstanceOf(PingWatchdog.class)
				.hasToString("PingWatchdog[interval=20000ms, fastInterval=1000ms, timeout=500ms, failureThreshold=3]");
			assertThat(watchdog.isRunning()).isTrue();
			assertThat(context.getBeansOfType(DrainParticipant.class)).containsValue(watchdog);
		});
	}

	@Test
	void runShouldApplyWatchdogProperties() {
		this.contextRunner
			.withPropertyValues("redis.governor.watchdog.interval=15s", "redis.governor.watchdog.fast-interval=3s",
					"redis.governor.watchdog.timeout=2s", "redis.governor.watchdog.failure-threshold=5")
			.run((context) -> assertThat(context.getBean(ConnectionWatchdog.class)).hasToString(
					"PingWatchdog[interval=15000ms, fastInterval=3000ms, timeout=2000ms, failureThreshold=5]"));
	}

	@Test
	void runWhenWatchdogDisabledShouldUseDoNothingWatchdog() {
		this.contextRunner.withPropertyValues("redis.governor.watchdog.enabled=false").run((context) -> {
			assertThat(context.getBean(ConnectionWatchdog.class)).isSameAs(ConnectionWatchdog.NONE);
			assertThat(context.getBean(ConnectionWatchdog.class).isRunning()).isFalse();
		});
	}

	@Test
	void runWhenGovernorDisabledShouldNotCreateWatchdog() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ConnectionWatchdog.class)
				.doesNotHaveBean(ReconnectFailureReporter.class)
				.doesNotHaveBean(WatchdogMetrics.class));
	}

	@Test
	void runWhenUserDefinesWatchdogShouldBackOff() {
		this.contextRunner.withBean("customWatchdog", ConnectionWatchdog.class, () -> ConnectionWatchdog.NONE)
			.run((context) -> assertThat(context.getBean(ConnectionWatchdog.class)).isSameAs(ConnectionWatchdog.NONE));
	}

	@Test
	void runShouldBindRecoveriesCounterTaggedWithApplication() {
		this.contextRunner.run((context) -> {
			MeterRegistry registry = new SimpleMeterRegistry();
			context.getBean(WatchdogMetrics.class).bindTo(registry);
			FunctionCounter recoveries = registry.get("redis.governor.watchdog.recoveries")
				.tag("application", "orders")
				.functionCounter();
			assertThat(recoveries.count()).isZero();
			assertThat(recoveries.getId().getBaseUnit()).isNull();
			assertThat(recoveries.getId().getDescription()).isNotBlank();
		});
	}

	@Test
	void runWithoutMicrometerShouldNotCreateMetrics() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(MeterRegistry.class))
			.run((context) -> assertThat(context).hasSingleBean(ConnectionWatchdog.class)
				.doesNotHaveBean(WatchdogMetrics.class));
	}

	@Test
	void runWhenWatchdogTimeoutIsLongerThanFastIntervalShouldFail() {
		this.contextRunner
			.withPropertyValues("redis.governor.watchdog.fast-interval=1s", "redis.governor.watchdog.timeout=2s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidGovernorPropertyException.class)
				.hasMessageContaining("redis.governor.watchdog.timeout")
				.hasMessageContaining("must not be longer than 'redis.governor.watchdog.fast-interval' (1000ms)"));
	}

	@Test
	void runWhenWatchdogFastIntervalIsLongerThanIntervalShouldFail() {
		this.contextRunner
			.withPropertyValues("redis.governor.watchdog.interval=2s", "redis.governor.watchdog.fast-interval=3s")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidGovernorPropertyException.class)
				.hasMessageContaining("redis.governor.watchdog.fast-interval")
				.hasMessageContaining("must not be longer than 'redis.governor.watchdog.interval' (2000ms)"));
	}

	@Test
	void runWhenFailureThresholdIsZeroShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.watchdog.failure-threshold=0")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOf(InvalidGovernorPropertyException.class)
				.hasMessageContaining("redis.governor.watchdog.failure-threshold")
				.hasMessageContaining("must be at least 1"));
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
