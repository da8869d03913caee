package io.github.redisgovernor.autoconfigure.leak;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.leak.ConnectionLeakDetector;
import io.github.redisgovernor.leak.LeakDetectionPostProcessor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the conditions of {@link RedisGovernorLeakDetectionAutoConfiguration}: leak
 * detection is on only with a positive {@code redis.governor.leak-detection-threshold}.
 * What the detector reports is tested with the detector.
 */
class RedisGovernorLeakDetectionAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, RedisGovernorLeakDetectionAutoConfiguration.class,
				DataRedisAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms");

	@Test
	void runByDefaultShouldNotDetectLeaks() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(ConnectionLeakDetector.class)
			.doesNotHaveBean(LeakDetectionPostProcessor.class));
	}

	@Test
	void runWithPositiveThresholdShouldDetectLeaks() {
		this.contextRunner.withPropertyValues("redis.governor.leak-detection-threshold=30s")
			.run((context) -> assertThat(context).hasSingleBean(ConnectionLeakDetector.class)
				.hasSingleBean(LeakDetectionPostProcessor.class));
	}

	@Test
	void runWithZeroThresholdShouldNotDetectLeaks() {
		this.contextRunner.withPropertyValues("redis.governor.leak-detection-threshold=0s")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(ConnectionLeakDetector.class)
				.doesNotHaveBean(LeakDetectionPostProcessor.class));
	}

	@Test
	void runWithNegativeThresholdShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.leak-detection-threshold=-1s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.leak-detection-threshold")
				.hasMessageContaining("must not be negative (0 turns leak detection off)"));
	}

	@Test
	void runWhenGovernorIsDisabledShouldNotDetectLeaks() {
		this.contextRunner
			.withPropertyValues("redis.governor.enabled=false", "redis.governor.leak-detection-threshold=30s")
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(ConnectionLeakDetector.class)
				.doesNotHaveBean(LeakDetectionPostProcessor.class));
	}

}
