package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

/**
 * The {@code spring.data.redis.*} values, and the ready-made configuration in a real
 * Spring test context. Spring Boot reading them is proven by the test-kit-example module.
 */
class RedisServerPropertiesTests {

	@Test
	void directConnectionToAServerWithoutPassword() {
		try (RedisServer redis = RedisServer.builder().name("plain").start()) {
			Map<String, Object> properties = registered((registry) -> RedisServerProperties.register(registry, redis));

			assertThat(properties).containsExactly(Map.entry("spring.data.redis.url", redis.uri()),
					Map.entry("spring.data.redis.host", "127.0.0.1"),
					Map.entry("spring.data.redis.port", redis.port()));
		}
	}

	@Test
	void connectionThroughAProxyCarriesTheServersPassword() {
		try (RedisServer redis = RedisServer.builder().name("secured").password("s3cret").start();
				TcpProxy proxy = TcpProxy.start(redis.port())) {
			Map<String, Object> properties = registered(
					(registry) -> RedisServerProperties.register(registry, redis, proxy));

			String url = (String) properties.get("spring.data.redis.url");
			assertThat(url).isEqualTo("redis://s3cret@127.0.0.1:" + proxy.port());
			assertThat(properties).containsEntry("spring.data.redis.port", proxy.port());
			RedisClient client = RedisClient.create(RedisURI.create(url));
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				assertThat(connection.sync().ping()).isEqualTo("PONG");
			}
			finally {
				client.shutdown();
			}
		}
	}

	@Test
	void sentinelSetGivesTheMasterNameAndTheSentinelsThroughWhichAClientFindsTheMaster() {
		try (RedisSentinelSet set = RedisSentinelSet.builder().replicas(0).sentinels(1).start()) {
			Map<String, Object> properties = registered((registry) -> RedisServerProperties.register(registry, set));

			assertThat(properties).containsExactly(Map.entry("spring.data.redis.sentinel.master", "mymaster"),
					Map.entry("spring.data.redis.sentinel.nodes", set.sentinelNodes()));
			String[] node = ((String) properties.get("spring.data.redis.sentinel.nodes")).split(":");
			RedisClient client = RedisClient.create(
					RedisURI.Builder
						.sentinel(node[0], Integer.parseInt(node[1]),
								(String) properties.get("spring.data.redis.sentinel.master"))
						.build());
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				connection.sync().set("found", "through the Sentinel");
			}
			finally {
				client.shutdown();
			}
			assertThat(set.master().command("GET", "found")).isEqualTo("through the Sentinel");
		}
	}

	@Test
	void passwordsAreEncodedAndOneWithAColonGoesWithTheDefaultUser() {
		String url = RedisServerProperties.url("127.0.0.1", 6380, "p@ss:w rd%");
		assertThat(url).isEqualTo("redis://default:p%40ss%3Aw%20rd%25@127.0.0.1:6380");
		// Spring Boot splits the decoded user info at its first colon.
		assertThat(URI.create(url).getUserInfo()).isEqualTo("default:p@ss:w rd%");
		assertThat(URI.create(RedisServerProperties.url("127.0.0.1", 6380, "a b@c")).getUserInfo()).isEqualTo("a b@c");
	}

	@Test
	void valuesAreReadWhenAskedForSoThatTheyFollowTheServer() {
		try (RedisServer redis = RedisServer.builder().name("restarted").start()) {
			Map<String, Supplier<Object>> suppliers = new LinkedHashMap<>();
			RedisServerProperties.register(suppliers::put, redis);
			redis.restart();
			assertThat(suppliers.get("spring.data.redis.port").get()).isEqualTo(redis.port());
		}
	}

	private static Map<String, Object> registered(Consumer<DynamicPropertyRegistry> registration) {
		Map<String, Object> properties = new LinkedHashMap<>();
		registration.accept((name, value) -> properties.put(name, value.get()));
		return properties;
	}

	@SpringJUnitConfig(RedisServerTestConfiguration.class)
	@Nested
	class ReadyMadeConfiguration {

		@Autowired
		Environment environment;

		@Autowired
		RedisServer redis;

		@Autowired
		TcpProxy proxy;

		@Test
		void pointsSpringDataRedisAtAProxyInFrontOfTheServer() {
			assertThat(this.proxy.targetPort()).isEqualTo(this.redis.port());
			assertThat(this.environment.getProperty("spring.data.redis.port", Integer.class))
				.isEqualTo(this.proxy.port());
			String url = this.environment.getProperty("spring.data.redis.url");
			assertThat(url).isEqualTo("redis://127.0.0.1:" + this.proxy.port());
			RedisClient client = RedisClient.create(url);
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				connection.sync().set("through", "proxy");
			}
			finally {
				client.shutdown();
			}
			assertThat(this.redis.command("GET", "through")).isEqualTo("proxy");
		}

	}

	@Test
	void serverAndProxyCloseWithTheContext() {
		RedisServer redis;
		TcpProxy proxy;
		try (AnnotationConfigApplicationContext context = new AnnotationConfigApplicationContext(
				RedisServerTestConfiguration.class)) {
			redis = context.getBean(RedisServer.class);
			proxy = context.getBean(TcpProxy.class);
			assertThat(redis.isRunning()).isTrue();
		}
		assertThat(redis.isRunning()).isFalse();
		assertThat(Await.alive(redis.pid())).isFalse();
		assertThatThrownBy(() -> new Socket("127.0.0.1", proxy.port()).close()).isInstanceOf(ConnectException.class);
	}

}
