package io.github.redisgovernor.autoconfigure.health;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.accounting.RedisGovernorAccountingAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.health.RedisGovernorHealthIndicator;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorBudgetHealthAutoConfiguration}: the {@code redisGovernor}
 * health component over the budget monitor. Redis is pointed at a closed port: the
 * heartbeat and sampler fail quietly in the background.
 */
class RedisGovernorBudgetHealthAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class,
				RedisGovernorAccountingAutoConfiguration.class, RedisGovernorBudgetHealthAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms",
				"redis.governor.server.sample-interval=1h");

	@Test
	void runShouldCreateTheBudgetIndicatorThatIsUnknownUntilTheFirstSample() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(RedisGovernorHealthIndicator.class);
			assertThat(context.getBean("redisGovernorHealthIndicator"))
				.isInstanceOf(RedisGovernorHealthIndicator.class);
			Health health = context.getBean(RedisGovernorHealthIndicator.class).health();
			assertThat(health.getStatus()).isEqualTo(Status.UNKNOWN);
			assertThat(health.getDetails()).containsEntry("application", "orders")
				.containsEntry("instanceId", "i-1")
				.containsEntry("leakSuspected", false)
				.containsKey("unreadable");
		});
	}

	@Test
	void runWhenIndicatorIsDisabledShouldNotCreateIt() {
		this.contextRunner.withPropertyValues("management.health.redisgovernor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("redisGovernorHealthIndicator")
				.hasSingleBean(BudgetMonitor.class));
	}

	@Test
	void runWhenHealthIndicatorsAreDisabledByDefaultShouldNotCreateIt() {
		this.contextRunner.withPropertyValues("management.health.defaults.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("redisGovernorHealthIndicator"));
	}

	@Test
	void runWithUserIndicatorOfTheSameNameShouldBackOff() {
		HealthIndicator own = () -> Health.up().build();
		this.contextRunner.withBean("redisGovernorHealthIndicator", HealthIndicator.class, () -> own).run((context) -> {
			assertThat(context).doesNotHaveBean(RedisGovernorHealthIndicator.class);
			assertThat(context.getBean("redisGovernorHealthIndicator")).isSameAs(own);
		});
	}

	@Test
	void runWhenGovernorIsDisabledShouldNotCreateIt() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(BudgetMonitor.class)
				.doesNotHaveBean("redisGovernorHealthIndicator"));
	}

	@Test
	void runWithoutSpringBootHealthShouldNotCreateIt() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasSingleBean(BudgetMonitor.class)
				.doesNotHaveBean("redisGovernorHealthIndicator"));
	}

}
