package io.github.redisgovernor.integration;

import io.github.redisgovernor.autoconfigure.InvalidGovernorPropertyException;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A whole application with a bad {@code redis.governor.*} value fails at startup, and
 * Spring Boot's failure report carries the analyzer's message.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class InvalidConfigurationIntegrationTests {

	@Test
	void negativeCommandTimeoutStopsStartupWithTheAnalyzerReport(RedisServer redis, CapturedOutput output) {
		assertThatThrownBy(() -> KvTestApplication.start(redis, "redis.governor.command-timeout=-5s"))
			.hasRootCauseInstanceOf(InvalidGovernorPropertyException.class);
		assertThat(output).contains("APPLICATION FAILED TO START")
			.contains("Redis Governor could not start: the value '-5000ms' of property 'redis.governor.command-timeout'"
					+ " is invalid. It must be a positive duration.")
			.contains("redis.governor.command-timeout=2s");
	}

	@Test
	void zeroQueueSizeStopsStartupWithTheAnalyzerReport(RedisServer redis, CapturedOutput output) {
		assertThatThrownBy(() -> KvTestApplication.start(redis, "redis.governor.request-queue-size=0"))
			.hasRootCauseInstanceOf(InvalidGovernorPropertyException.class);
		assertThat(output).contains("'redis.governor.request-queue-size' is invalid. It must be at least 1.")
			.contains("redis.governor.request-queue-size=10000");
	}

}
