package io.github.redisgovernor.autoconfigure.accounting;

import java.time.Duration;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.budget.BudgetPolicy;
import io.github.redisgovernor.client.ConnectionTracker;
import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.server.ServerFiguresSampler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorAccountingAutoConfiguration}: which beans exist, how the
 * properties reach them, and which values are rejected. Redis is pointed at a closed
 * port: the heartbeat and sampler fail quietly in the background.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisGovernorAccountingAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class,
				RedisGovernorAccountingAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms");

	@Test
	void runShouldCreateEveryAccountingComponent() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(InstanceRegistry.class)
				.hasSingleBean(ServerFiguresSampler.class)
				.hasSingleBean(BudgetMonitor.class)
				.hasSingleBean(ConnectionTracker.class);
			assertThat(context.getBeansOfType(DrainParticipant.class))
				.containsValue(context.getBean(InstanceRegistry.class));
			assertThat(context.getBean(InstanceRegistry.class).getMember()).isEqualTo("orders/i-1");
		});
	}

	@Test
	void runWhenDisabledShouldNotCreateAccounting() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(InstanceRegistry.class)
				.doesNotHaveBean(ServerFiguresSampler.class)
				.doesNotHaveBean(BudgetMonitor.class)
				.doesNotHaveBean(ConnectionTracker.class));
	}

	@Test
	void runWithoutAPoolShouldBudgetTheSharedConnectionAndOneBesideIt() {
		// commons-pool2 is not on this suite's class path, as with the starter alone.
		this.contextRunner.run((context) -> {
			BudgetPolicy policy = context.getBean(BudgetMonitor.class).getPolicy();
			assertThat(policy.connectionsPerInstance()).isEqualTo(2);
			assertThat(policy.connectionsPerInstanceFrom()).isEqualTo("shared 1 + 1 beside it");
		});
	}

	@Test
	void runShouldApplyBudgetProperties() {
		this.contextRunner
			.withPropertyValues("redis.governor.budget.connections-per-instance=3",
					"redis.governor.budget.reserved-clients=7", "redis.governor.budget.headroom=0.5",
					"redis.governor.budget.saturation.warn=0.6", "redis.governor.budget.saturation.critical=0.7",
					"redis.governor.budget.leak.window=45s", "redis.governor.registry.ttl=40s")
			.run((context) -> {
				BudgetMonitor monitor = context.getBean(BudgetMonitor.class);
				assertThat(monitor.getPolicy().connectionsPerInstance()).isEqualTo(3);
				assertThat(monitor.getPolicy().connectionsPerInstanceFrom())
					.isEqualTo("redis.governor.budget.connections-per-instance");
				assertThat(monitor.getPolicy().reservedClients()).isEqualTo(7);
				assertThat(monitor.getPolicy().headroom()).isEqualTo(0.5);
				assertThat(monitor.getPolicy().saturationWarn()).isEqualTo(0.6);
				assertThat(monitor.getPolicy().saturationCritical()).isEqualTo(0.7);
				assertThat(monitor.getPolicy().leakWindow()).isEqualTo(Duration.ofSeconds(45));
				assertThat(context.getBean(InstanceRegistry.class).getTtl()).isEqualTo(Duration.ofSeconds(40));
			});
	}

	@Test
	void runWithTtlNotLongerThanTheHeartbeatShouldFail() {
		this.contextRunner
			.withPropertyValues("redis.governor.registry.heartbeat-interval=10s", "redis.governor.registry.ttl=10s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.registry.ttl")
				.hasMessageContaining("must be longer than 'redis.governor.registry.heartbeat-interval' (10000ms)"));
	}

	@Test
	void runWithShortTtlShouldWarn(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("redis.governor.registry.heartbeat-interval=10s", "redis.governor.registry.ttl=15s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("one late heartbeat will make a live instance drop out of the count");
			});
	}

	@Test
	void runWithZeroConnectionsPerInstanceShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.budget.connections-per-instance=0")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.budget.connections-per-instance")
				.hasMessageContaining("at least 1"));
	}

	@Test
	void runWithNegativeReservedClientsShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.budget.reserved-clients=-1")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.budget.reserved-clients")
				.hasMessageContaining("at least 0"));
	}

	@Test
	void runWithHeadroomAboveOneShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.budget.headroom=1.5")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.budget.headroom")
				.hasMessageContaining("ratio above 0 and at most 1"));
	}

	@Test
	void runWithWarnAboveCriticalShouldFail() {
		this.contextRunner
			.withPropertyValues("redis.governor.budget.saturation.warn=0.9",
					"redis.governor.budget.saturation.critical=0.8")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.budget.saturation.critical")
				.hasMessageContaining("must not be below 'redis.governor.budget.saturation.warn'"));
	}

	@Test
	void runWithZeroLeakWindowShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.budget.leak.window=0s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.budget.leak.window")
				.hasMessageContaining("positive duration"));
	}

	@Test
	void runWithEmptyRegistryKeyShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.registry.key=")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.registry.key")
				.hasMessageContaining("must not be empty"));
	}

}
