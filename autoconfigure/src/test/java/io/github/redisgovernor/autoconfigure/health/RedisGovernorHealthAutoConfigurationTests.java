package io.github.redisgovernor.autoconfigure.health;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.health.RedisConnectivityHealthIndicator;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.health.DataRedisHealthContributorAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.health.DataRedisReactiveHealthContributorAutoConfiguration;
import org.springframework.boot.data.redis.health.DataRedisHealthIndicator;
import org.springframework.boot.data.redis.health.DataRedisReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorHealthAutoConfiguration}: the governed {@code redis}
 * indicator takes the place of Spring Boot's, and steps aside when the user or the
 * configuration says so. Redis is pointed at a closed port except where a test takes a
 * server.
 */
@ExtendWith(RedisServerExtension.class)
class RedisGovernorHealthAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, RedisGovernorHealthAutoConfiguration.class,
				DataRedisAutoConfiguration.class, DataRedisHealthContributorAutoConfiguration.class,
				DataRedisReactiveHealthContributorAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms");

	@Test
	void runShouldReplaceBootsRedisIndicatorsWithTheGovernedOne() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(RedisConnectivityHealthIndicator.class)
				.doesNotHaveBean(DataRedisHealthIndicator.class)
				.doesNotHaveBean(DataRedisReactiveHealthIndicator.class);
			assertThat(context.getBean("redisHealthContributor")).isInstanceOf(RedisConnectivityHealthIndicator.class);
		});
	}

	@Test
	void runShouldReportDownWhenRedisCannotBeReached() {
		this.contextRunner
			.run((context) -> assertThat(context.getBean(RedisConnectivityHealthIndicator.class).health().getStatus())
				.isEqualTo(Status.DOWN));
	}

	@Test
	void runShouldReportUpWithServerDetailsThroughTheGovernedConnection(RedisServer redis) {
		this.contextRunner.withPropertyValues("spring.data.redis.port=" + redis.port()).run((context) -> {
			Health health = context.getBean(RedisConnectivityHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("version", redis.version())
				.containsEntry("role", "master")
				.containsKey("latencyMillis");
			// The check went out on the governed connection: the only one, and named.
			assertThat(redis.clientList())
				.filteredOn((client) -> !RedisServer.ADMIN_CLIENT_NAME.equals(client.get("name")))
				.singleElement()
				.satisfies((client) -> assertThat(client).containsEntry("name", "orders:i-1"));
		});
	}

	@Test
	void runWhenRedisHealthIsDisabledShouldCreateNoRedisIndicator() {
		this.contextRunner.withPropertyValues("management.health.redis.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisConnectivityHealthIndicator.class)
				.doesNotHaveBean("redisHealthContributor"));
	}

	@Test
	void runWithUserRedisHealthIndicatorShouldBackOff() {
		HealthIndicator own = () -> Health.up().build();
		this.contextRunner.withBean("redisHealthIndicator", HealthIndicator.class, () -> own).run((context) -> {
			assertThat(context).doesNotHaveBean(RedisConnectivityHealthIndicator.class);
			assertThat(context.getBean("redisHealthIndicator")).isSameAs(own);
		});
	}

	@Test
	void runWithUserRedisHealthContributorShouldBackOff() {
		HealthIndicator own = () -> Health.up().build();
		this.contextRunner.withBean("redisHealthContributor", HealthIndicator.class, () -> own).run((context) -> {
			assertThat(context).doesNotHaveBean(RedisConnectivityHealthIndicator.class);
			assertThat(context.getBean("redisHealthContributor")).isSameAs(own);
		});
	}

	@Test
	void runWhenGovernorIsDisabledShouldLeaveBootsIndicator() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RedisConnectivityHealthIndicator.class);
			assertThat(context.getBean("redisHealthContributor"))
				.isNotInstanceOf(RedisConnectivityHealthIndicator.class);
		});
	}

	@Test
	void runWithoutAGovernedConnectionShouldLeaveBootsIndicator() {
		this.contextRunner.withUserConfiguration(TwoFactoriesConfiguration.class).run((context) -> {
			assertThat(context).doesNotHaveBean(RedisConnectivityHealthIndicator.class);
			assertThat(context).hasBean("redisHealthContributor");
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoFactoriesConfiguration {

		@Bean
		LettuceConnectionFactory first() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1));
		}

		@Bean
		LettuceConnectionFactory second() {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1));
		}

	}

}
