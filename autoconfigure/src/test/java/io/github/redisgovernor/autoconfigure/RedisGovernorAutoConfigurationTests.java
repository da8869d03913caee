package io.github.redisgovernor.autoconfigure;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.client.InstanceIdentity;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorAutoConfiguration}: conditions, back-off and the client
 * options applied to the factory Spring Boot builds. Nothing here connects to Redis.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisGovernorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1");

	@Test
	void runShouldNameEveryConnectionAfterApplicationAndInstance() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(GovernedClientCustomizer.class);
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			assertThat(factory.getClientConfiguration().getClientName()).contains("orders:i-1");
		});
	}

	@Test
	void runShouldUseGovernorDefaultsWhenNothingIsSet() {
		this.contextRunner.run((context) -> {
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			assertThat(factory.getClientConfiguration().getCommandTimeout()).isEqualTo(Duration.ofSeconds(2));
			assertThat(socketOptions(factory).getConnectTimeout()).isEqualTo(Duration.ofSeconds(2));
		});
	}

	@Test
	void runShouldKeepBootTimeoutsWhenOnlyBootPropertiesAreSet() {
		// spring-boot#47342: replacing SocketOptions must not lose Boot's connect
		// timeout.
		this.contextRunner
			.withPropertyValues("spring.data.redis.connect-timeout=750ms", "spring.data.redis.timeout=1500ms")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				assertThat(socketOptions(factory).getConnectTimeout()).isEqualTo(Duration.ofMillis(750));
				assertThat(factory.getClientConfiguration().getCommandTimeout()).isEqualTo(Duration.ofMillis(1500));
			});
	}

	@Test
	void runShouldPreferGovernorTimeoutsOverBootProperties() {
		this.contextRunner
			.withPropertyValues("spring.data.redis.connect-timeout=750ms", "spring.data.redis.timeout=1500ms",
					"redis.governor.connect-timeout=300ms", "redis.governor.command-timeout=400ms")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				assertThat(socketOptions(factory).getConnectTimeout()).isEqualTo(Duration.ofMillis(300));
				assertThat(factory.getClientConfiguration().getCommandTimeout()).isEqualTo(Duration.ofMillis(400));
			});
	}

	@Test
	void runWithoutReconnectGraceShouldRejectCommandsWhileDisconnected() {
		this.contextRunner.withPropertyValues("redis.governor.reconnect.grace=0").run((context) -> {
			ClientOptions options = clientOptions(context.getBean(LettuceConnectionFactory.class));
			assertThat(options.getDisconnectedBehavior()).isEqualTo(DisconnectedBehavior.REJECT_COMMANDS);
		});
	}

	@Test
	void runShouldLetCommandsWaitForAReconnectAndBoundTheQueue() {
		this.contextRunner.withPropertyValues("redis.governor.request-queue-size=250").run((context) -> {
			ClientOptions options = clientOptions(context.getBean(LettuceConnectionFactory.class));
			// Buffered for at most the reconnect grace (ReconnectGrace fails them then).
			assertThat(options.getDisconnectedBehavior()).isEqualTo(DisconnectedBehavior.ACCEPT_COMMANDS);
			assertThat(options.getRequestQueueSize()).isEqualTo(250);
			assertThat(options.isAutoReconnect()).isTrue();
			assertThat(options.getTimeoutOptions().isTimeoutCommands()).isTrue();
		});
	}

	@Test
	void runShouldEnableShortTcpKeepAlive() {
		this.contextRunner.withPropertyValues("redis.governor.tcp.keep-alive-idle=20s").run((context) -> {
			SocketOptions.KeepAliveOptions keepAlive = socketOptions(context.getBean(LettuceConnectionFactory.class))
				.getKeepAlive();
			assertThat(keepAlive.isEnabled()).isTrue();
			assertThat(keepAlive.getIdle()).isEqualTo(Duration.ofSeconds(20));
			assertThat(keepAlive.getInterval()).isEqualTo(Duration.ofSeconds(10));
			assertThat(keepAlive.getCount()).isEqualTo(3);
		});
	}

	@Test
	void runWithoutNativeTransportShouldLeaveTcpUserTimeoutOffAndSayItOnce(CapturedOutput output) {
		// The build has no netty-transport-native-epoll jar on purpose (see DESIGN.md).
		this.contextRunner.run((context) -> {
			SocketOptions socket = socketOptions(context.getBean(LettuceConnectionFactory.class));
			assertThat(socket.getTcpUserTimeout().isEnabled()).isFalse();
			assertThat(output).containsOnlyOnce("TCP_USER_TIMEOUT off: no native transport");
		});
	}

	@Test
	void runShouldReconnectWithJitteredExponentialBackOff() {
		this.contextRunner
			.withPropertyValues("redis.governor.reconnect.min-delay=50ms", "redis.governor.reconnect.max-delay=2s")
			.run((context) -> {
				Delay delay = context.getBean(ClientResources.class).reconnectDelay();
				Set<Duration> seen = new HashSet<>();
				for (int i = 0; i < 50; i++) {
					Duration late = delay.createDelay(12);
					assertThat(late).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
					seen.add(late);
				}
				assertThat(seen).as("jitter").hasSizeGreaterThan(1);
				assertThat(delay.createDelay(1)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
			});
	}

	@Test
	void runShouldKeepSslFromBootProperties() {
		this.contextRunner.withPropertyValues("spring.data.redis.ssl.enabled=true")
			.run((context) -> assertThat(
					context.getBean(LettuceConnectionFactory.class).getClientConfiguration().isUseSsl())
				.isTrue());
	}

	@Test
	void runShouldKeepBootConnectionSettings() {
		this.contextRunner
			.withPropertyValues("spring.data.redis.host=redis.internal", "spring.data.redis.port=6380",
					"spring.data.redis.database=4", "spring.data.redis.username=app")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				RedisStandaloneConfiguration standalone = factory.getStandaloneConfiguration();
				assertThat(standalone.getHostName()).isEqualTo("redis.internal");
				assertThat(standalone.getPort()).isEqualTo(6380);
				assertThat(standalone.getDatabase()).isEqualTo(4);
				assertThat(standalone.getUsername()).isEqualTo("app");
			});
	}

	@Test
	void runWhenDisabledShouldGiveBackPlainSpringBoot() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(GovernedClientCustomizer.class);
			assertThat(context).doesNotHaveBean(RedisGovernorProperties.class);
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			assertThat(factory.getClientConfiguration().getClientName()).isEmpty();
			assertThat(clientOptions(factory).getDisconnectedBehavior()).isEqualTo(DisconnectedBehavior.DEFAULT);
		});
	}

	@Test
	void runShouldReadTheSwitchAsSpringBootBindsBooleans() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=off")
			.run((context) -> assertThat(context).doesNotHaveBean(GovernedClientCustomizer.class));
		this.contextRunner.withPropertyValues("redis.governor.enabled=yes")
			.run((context) -> assertThat(context).hasSingleBean(GovernedClientCustomizer.class));
	}

	@Test
	void runWhenDisabledShouldNotValidateGovernorProperties() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false", "redis.governor.command-timeout=-1s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithJedisClientTypeShouldBackOff() {
		this.contextRunner.withPropertyValues("spring.data.redis.client-type=jedis")
			.run((context) -> assertThat(context).doesNotHaveBean(GovernedClientCustomizer.class));
	}

	@Test
	void runWithoutLettuceShouldBackOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RedisClient.class))
			.run((context) -> assertThat(context).doesNotHaveBean(GovernedClientCustomizer.class)
				.doesNotHaveBean(RedisGovernorProperties.class));
	}

	@Test
	void runWithUserDefinedBeansShouldBackOff() {
		InstanceIdentity identity = new InstanceIdentity("custom", "c-7");
		this.contextRunner.withBean(InstanceIdentity.class, () -> identity).run((context) -> {
			assertThat(context.getBean(InstanceIdentity.class)).isSameAs(identity);
			assertThat(context.getBean(LettuceConnectionFactory.class).getClientConfiguration().getClientName())
				.contains("custom:c-7");
		});
	}

	@Test
	void runWithUserCustomizerShouldLetItOverrideOneSetting() {
		LettuceClientConfigurationBuilderCustomizer own = (builder) -> builder.commandTimeout(Duration.ofSeconds(9));
		this.contextRunner.withBean(LettuceClientConfigurationBuilderCustomizer.class, () -> own).run((context) -> {
			LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
			assertThat(factory.getClientConfiguration().getCommandTimeout()).isEqualTo(Duration.ofSeconds(9));
			assertThat(factory.getClientConfiguration().getClientName()).contains("orders:i-1");
		});
	}

	@Test
	void runWithOwnFactoryShouldWarnThatItIsNotGoverned(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(OwnFactoryConfiguration.class).run((context) -> {
			assertThat(context).doesNotHaveBean("redisConnectionFactory");
			assertThat(output).contains(
					"governs 'ownRedisConnectionFactory', but Spring Boot's auto-configuration did " + "not build it");
		});
	}

	@Test
	void runWithTwoOwnFactoriesShouldWarnNamingBoth(CapturedOutput output) {
		this.contextRunner.withUserConfiguration(OwnFactoryConfiguration.class, SecondFactoryConfiguration.class)
			.run((context) -> assertThat(output)
				.contains("governs 'ownRedisConnectionFactory' among 2 RedisConnectionFactory beans")
				.contains("'reportingRedisConnectionFactory'")
				.contains("did not build it"));
	}

	@Test
	void runWithExtraFactoryNextToGovernedOneShouldWarnNamingBoth(CapturedOutput output) {
		// Typed as the reactive interface, so Boot still builds its own (governed)
		// factory.
		this.contextRunner.withUserConfiguration(SecondFactoryConfiguration.class)
			.run((context) -> assertThat(output)
				.contains("governs 'redisConnectionFactory' among 2 RedisConnectionFactory beans")
				.contains("'reportingRedisConnectionFactory'")
				.doesNotContain("did not build it"));
	}

	@Test
	void runWithOnlyTheGovernedFactoryShouldNotWarn(CapturedOutput output) {
		this.contextRunner.run((context) -> assertThat(output).doesNotContain("RedisConnectionFactory beans")
			.doesNotContain("did not build it")
			.doesNotContain("governs no connection factory"));
	}

	@Test
	void runWithSpringClientNameShouldWarnThatTheGovernorNamesConnections(CapturedOutput output) {
		this.contextRunner.withPropertyValues("spring.data.redis.client-name=legacy").run((context) -> {
			assertThat(context.getBean(LettuceConnectionFactory.class).getClientConfiguration().getClientName())
				.contains("orders:i-1");
			assertThat(output).contains("spring.data.redis.client-name='legacy' is not used");
		});
	}

	@Test
	void runWithNegativeCommandTimeoutShouldFailNamingTheProperty() {
		this.contextRunner.withPropertyValues("redis.governor.command-timeout=-1s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidGovernorPropertyException.class)
				.hasMessageContaining("redis.governor.command-timeout")
				.hasMessageContaining("'-1000ms'");
		});
	}

	@Test
	void runWithZeroConnectTimeoutShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.connect-timeout=0s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.connect-timeout")
				.hasMessageContaining("positive duration"));
	}

	@Test
	void runWithNegativeQueueSizeShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.request-queue-size=-5")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.request-queue-size")
				.hasMessageContaining("at least 1"));
	}

	@Test
	void runWithMaxDelayBelowMinDelayShouldFail() {
		this.contextRunner
			.withPropertyValues("redis.governor.reconnect.min-delay=2s", "redis.governor.reconnect.max-delay=1s")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.reconnect.max-delay")
				.hasMessageContaining("redis.governor.reconnect.min-delay"));
	}

	@Test
	void runWithSpaceInApplicationShouldFail() {
		this.contextRunner.withPropertyValues("redis.governor.application=order service")
			.run((context) -> assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("redis.governor.application")
				.hasMessageContaining("CLIENT SETNAME"));
	}

	@Test
	void runWithSpringApplicationNameThatHasSpacesShouldSanitizeIt() {
		this.contextRunner.withPropertyValues("spring.application.name=Order Service")
			.run((context) -> assertThat(context.getBean(InstanceIdentity.class).getClientName())
				.isEqualTo("order-service:i-1"));
	}

	private static ClientOptions clientOptions(LettuceConnectionFactory factory) {
		return factory.getClientConfiguration().getClientOptions().orElseThrow();
	}

	private static SocketOptions socketOptions(LettuceConnectionFactory factory) {
		return clientOptions(factory).getSocketOptions();
	}

	@Configuration(proxyBeanMethods = false)
	static class OwnFactoryConfiguration {

		@Bean
		@Primary
		LettuceConnectionFactory ownRedisConnectionFactory() {
			return new LettuceConnectionFactory();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SecondFactoryConfiguration {

		@Bean
		ReactiveRedisConnectionFactory reportingRedisConnectionFactory() {
			return new LettuceConnectionFactory();
		}

	}

}
