package io.github.redisgovernor.autoconfigure.cluster;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.cluster.TopologyRefresher;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions.RefreshTrigger;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorClusterAutoConfiguration}. The factory points at a
 * loopback port where nothing listens; no test here needs a Redis server.
 */
class RedisGovernorClusterAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, RedisGovernorClusterAutoConfiguration.class,
				DataRedisAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1");

	@Test
	void runOnAClusterShouldTuneTheTopologyRefreshAndCreateTheRefresher() {
		this.contextRunner.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:" + freePort())
			.run((context) -> {
				assertThat(context).hasSingleBean(TopologyRefresher.class);
				assertThat(context.getBean(TopologyRefresher.class))
					.hasToString("TopologyRefresher[period=60000ms, whileNodeDown=1000ms]");
				ClusterTopologyRefreshOptions refresh = refreshOptions(context.getBean(LettuceConnectionFactory.class));
				assertThat(refresh.getAdaptiveRefreshTimeout()).isEqualTo(Duration.ofSeconds(5));
				assertThat(refresh.getAdaptiveRefreshTriggers()).contains(RefreshTrigger.MOVED_REDIRECT,
						RefreshTrigger.PERSISTENT_RECONNECTS);
				assertThat(refresh.isPeriodicRefreshEnabled()).isFalse();
				assertThat(refresh.useDynamicRefreshSources()).isTrue();
				assertThat(refresh.isCloseStaleConnections()).isTrue();
			});
	}

	@Test
	void runShouldCarryBootsRefreshSettingsOver() {
		this.contextRunner
			.withPropertyValues("spring.data.redis.cluster.nodes=127.0.0.1:" + freePort(),
					"spring.data.redis.lettuce.cluster.refresh.adaptive=false",
					"spring.data.redis.lettuce.cluster.refresh.dynamic-refresh-sources=false",
					"spring.data.redis.lettuce.cluster.refresh.period=30s",
					"redis.governor.cluster.refresh.while-node-down=500ms",
					"redis.governor.cluster.refresh.adaptive-timeout=2s")
			.run((context) -> {
				assertThat(context.getBean(TopologyRefresher.class))
					.hasToString("TopologyRefresher[period=30000ms, whileNodeDown=500ms]");
				ClusterTopologyRefreshOptions refresh = refreshOptions(context.getBean(LettuceConnectionFactory.class));
				assertThat(refresh.getAdaptiveRefreshTriggers()).isEmpty();
				assertThat(refresh.useDynamicRefreshSources()).isFalse();
				assertThat(refresh.getAdaptiveRefreshTimeout()).isEqualTo(Duration.ofSeconds(2));
			});
	}

	@Test
	void runOnASingleServerShouldLeaveTheRefresherIdle() {
		this.contextRunner.withPropertyValues("spring.data.redis.port=" + freePort()).run((context) -> {
			assertThat(context).hasSingleBean(TopologyRefresher.class);
			assertThat(context.getBean(TopologyRefresher.class).isRunning()).isFalse();
		});
	}

	@Test
	void runWhenUserDefinesRefresherShouldBackOff() {
		this.contextRunner.withPropertyValues("spring.data.redis.port=" + freePort())
			.withUserConfiguration(CustomRefresherConfiguration.class)
			.run((context) -> assertThat(context.getBean(TopologyRefresher.class))
				.hasToString("TopologyRefresher[period=300000ms, whileNodeDown=2000ms]"));
	}

	@Test
	void runWithoutLettuceClusterClassesShouldNotCreateRefresher() {
		this.contextRunner.withPropertyValues("spring.data.redis.port=" + freePort())
			.withClassLoader(new FilteredClassLoader("io.lettuce.core.cluster.RedisClusterClient"))
			.run((context) -> assertThat(context).doesNotHaveBean(TopologyRefresher.class));
	}

	@Test
	void runWhenGovernorDisabledShouldNotCreateRefresher() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(TopologyRefresher.class)
				.doesNotHaveBean(GovernedConnection.class)
				.doesNotHaveBean(GovernorScheduler.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomRefresherConfiguration {

		@Bean
		TopologyRefresher customRefresher(GovernedConnection connection, GovernorScheduler scheduler) {
			return new TopologyRefresher(connection, scheduler, Duration.ofMinutes(5), Duration.ofSeconds(2),
					() -> Duration.ofSeconds(10));
		}

	}

	private static ClusterTopologyRefreshOptions refreshOptions(LettuceConnectionFactory factory) {
		return ((ClusterClientOptions) factory.getClientConfiguration().getClientOptions().orElseThrow())
			.getTopologyRefreshOptions();
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
