package io.github.redisgovernor.autoconfigure.startup;

import java.time.Duration;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.startup.RedisUnavailableAtStartupException;
import io.github.redisgovernor.startup.StartupConnectivityCheck;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorStartupAutoConfiguration}: Redis is checked at startup
 * only with {@code redis.governor.fail-fast=true}. Redis is pointed at a closed port
 * except where a test takes a server.
 */
@ExtendWith(RedisServerExtension.class)
class RedisGovernorStartupAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, RedisGovernorStartupAutoConfiguration.class,
				DataRedisAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms");

	@Test
	void runByDefaultShouldStartWithoutRedisAndWithoutTheCheck() {
		this.contextRunner
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StartupConnectivityCheck.class));
	}

	@Test
	void runWhenFailFastAndRedisIsUnreachableShouldFailStartup() {
		this.contextRunner.withPropertyValues("redis.governor.fail-fast=true")
			.run((context) -> assertThat(context).getFailure()
				.rootCause()
				.isInstanceOfSatisfying(RedisUnavailableAtStartupException.class, (failure) -> {
					assertThat(failure.getEndpoint()).isEqualTo("localhost:1");
					assertThat(failure.getConnectTimeout()).isEqualTo(Duration.ofMillis(200));
				}));
	}

	@Test
	void runWhenFailFastAndRedisAnswersShouldStart(RedisServer redis) {
		this.contextRunner.withPropertyValues("redis.governor.fail-fast=true", "spring.data.redis.port=" + redis.port())
			.run((context) -> {
				assertThat(context).hasNotFailed().hasSingleBean(StartupConnectivityCheck.class);
				assertThat(context.getBean(StartupConnectivityCheck.class).isRunning()).isTrue();
			});
	}

	@Test
	void runWhenFailFastIsFalseShouldNotCheck() {
		this.contextRunner.withPropertyValues("redis.governor.fail-fast=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StartupConnectivityCheck.class));
	}

	@Test
	void runWhenFailFastButGovernorIsDisabledShouldNotCheck() {
		this.contextRunner.withPropertyValues("redis.governor.fail-fast=true", "redis.governor.enabled=false")
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(StartupConnectivityCheck.class));
	}

}
