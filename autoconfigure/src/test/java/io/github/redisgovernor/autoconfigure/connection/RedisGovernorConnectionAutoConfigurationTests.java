package io.github.redisgovernor.autoconfigure.connection;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.ConnectionActivity;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.connection.SharedConnectionStyle;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorConnectionAutoConfiguration}: which factory is governed,
 * and when the governed connection and the scheduler back off. Every factory points at a
 * closed port; nothing here needs Redis.
 */
class RedisGovernorConnectionAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms");

	@Test
	void runShouldGovernBootsFactoryAndStartTheScheduler() {
		this.contextRunner.withPropertyValues("redis.governor.command-timeout=750ms").run((context) -> {
			assertThat(context).hasSingleBean(GovernedConnection.class).hasSingleBean(GovernorScheduler.class);
			GovernedConnection connection = context.getBean(GovernedConnection.class);
			assertThat(connection.getFactory()).isSameAs(context.getBean(LettuceConnectionFactory.class));
			assertThat(connection.getIdentity().getClientName()).isEqualTo("orders:i-1");
			assertThat(connection.getCommandTimeout()).isEqualTo(Duration.ofMillis(750));
			assertThat(connection.getStyle()).isEqualTo(SharedConnectionStyle.IMPERATIVE);
			assertThat(context.getBean(GovernorScheduler.class).isRunning()).isTrue();
		});
	}

	@Test
	void runWithReactiveSharedConnectionShouldUseTheReactiveStyle() {
		this.contextRunner.withPropertyValues("redis.governor.shared-connection=reactive")
			.run((context) -> assertThat(context.getBean(GovernedConnection.class).getStyle())
				.isEqualTo(SharedConnectionStyle.REACTIVE));
	}

	@Test
	void runWithUserSchedulerShouldBackOff() {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
		try {
			GovernorScheduler scheduler = new GovernorScheduler(executor);
			this.contextRunner.withBean(GovernorScheduler.class, () -> scheduler).run((context) -> {
				assertThat(context).hasSingleBean(GovernorScheduler.class).hasSingleBean(GovernedConnection.class);
				assertThat(context.getBean(GovernorScheduler.class)).isSameAs(scheduler);
			});
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void runWithUserGovernedConnectionShouldBackOff() {
		GovernedConnection connection = new GovernedConnection(closedPortFactory(), new InstanceIdentity("own", "o-1"),
				Duration.ofSeconds(1), new ConnectionActivity(), new GovernorScheduler(),
				SharedConnectionStyle.IMPERATIVE);
		this.contextRunner.withBean(GovernedConnection.class, () -> connection)
			.run((context) -> assertThat(context.getBean(GovernedConnection.class)).isSameAs(connection));
	}

	@Test
	void runWithTwoFactoriesAndNoPrimaryShouldNotGovernEither() {
		this.contextRunner.withUserConfiguration(TwoFactoriesConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed().doesNotHaveBean(GovernedConnection.class);
			assertThat(context.getBeansOfType(LettuceConnectionFactory.class)).containsOnlyKeys("first", "second");
		});
	}

	@Test
	void runWithTwoFactoriesOneOfThemPrimaryShouldGovernThePrimary() {
		this.contextRunner.withUserConfiguration(TwoFactoriesConfiguration.class, PrimaryFactoryConfiguration.class)
			.run((context) -> assertThat(context.getBean(GovernedConnection.class).getFactory())
				.isSameAs(context.getBean("primary")));
	}

	@Test
	void runWithExtraFactoryDeclaredAsReactiveShouldGovernBootsFactory() {
		// Declared under another type it is no candidate, although it is a
		// LettuceConnectionFactory once created: Boot still builds its own.
		this.contextRunner.withUserConfiguration(ReactiveFactoryConfiguration.class).run((context) -> {
			assertThat(context.getBeansOfType(LettuceConnectionFactory.class))
				.containsOnlyKeys("redisConnectionFactory", "reporting");
			assertThat(context.getBean(GovernedConnection.class).getFactory())
				.isSameAs(context.getBean("redisConnectionFactory"));
		});
	}

	@Test
	void runWhenDisabledShouldCreateNeitherConnectionNorScheduler() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false")
			.run((context) -> assertThat(context).hasSingleBean(LettuceConnectionFactory.class)
				.doesNotHaveBean(GovernedConnection.class)
				.doesNotHaveBean(GovernorScheduler.class));
	}

	@Test
	void runWithoutLettuceShouldBackOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisClient.class))
			.run((context) -> assertThat(context).doesNotHaveBean(GovernedConnection.class)
				.doesNotHaveBean(GovernorScheduler.class));
	}

	private static LettuceConnectionFactory closedPortFactory() {
		return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1));
	}

	@Configuration(proxyBeanMethods = false)
	static class TwoFactoriesConfiguration {

		@Bean
		LettuceConnectionFactory first() {
			return closedPortFactory();
		}

		@Bean
		LettuceConnectionFactory second() {
			return closedPortFactory();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PrimaryFactoryConfiguration {

		@Bean
		@Primary
		LettuceConnectionFactory primary() {
			return closedPortFactory();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ReactiveFactoryConfiguration {

		@Bean
		ReactiveRedisConnectionFactory reporting() {
			return closedPortFactory();
		}

	}

}
