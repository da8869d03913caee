package io.github.redisgovernor.connection;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.lettuce.core.ClientOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@link GovernedConnection} against a real {@code redis-server}: it uses the factory's
 * shared connection of its style, opens none of its own, sees the application's other
 * shared connection, and counts the activity of each.
 */
@ExtendWith(RedisServerExtension.class)
class GovernedConnectionTests {

	@Test
	void imperativeStyleUsesTheTemplatesSharedConnection(RedisServer redis) {
		try (GovernedConnectionFixture fixture = GovernedConnectionFixture.of(redis)) {
			StringRedisTemplate template = new StringRedisTemplate(fixture.factory());
			template.afterPropertiesSet();
			template.opsForValue().set("k", "v");
			assertThat(fixture.connection().submit((commands) -> commands.ping()).join()).isEqualTo("PONG");
			assertThat(fixture.connection().sharedConnections()).hasSize(1);
			assertThat(named(redis, "app:i-1")).isEqualTo(1);
		}
	}

	@Test
	void reactiveStyleUsesTheReactiveTemplatesSharedConnection(RedisServer redis) throws Exception {
		try (GovernedConnectionFixture fixture = GovernedConnectionFixture.of(redis.port(),
				new InstanceIdentity("app", "i-1"), Duration.ofSeconds(2), ClientOptions.create(),
				SharedConnectionStyle.REACTIVE)) {
			ReactiveStringRedisTemplate template = new ReactiveStringRedisTemplate(fixture.factory());
			assertThat(template.opsForValue().set("k", "v").block(Duration.ofSeconds(5))).isTrue();
			byte[] value = fixture.connection().execute((commands) -> commands.get("k".getBytes()));
			assertThat(new String(value)).isEqualTo("v");
			assertThat(fixture.connection().sharedConnections()).hasSize(1);
			assertThat(named(redis, "app:i-1")).isEqualTo(1);
		}
	}

	@Test
	void applicationUsingBothStylesHasBothSharedConnectionsWatched(RedisServer redis) {
		try (GovernedConnectionFixture fixture = GovernedConnectionFixture.of(redis)) {
			fixture.connection().submit((commands) -> commands.ping()).join();
			ReactiveStringRedisTemplate reactive = new ReactiveStringRedisTemplate(fixture.factory());
			reactive.opsForValue().set("k", "v").block(Duration.ofSeconds(5));
			assertThat(fixture.connection().sharedConnections()).hasSize(2);
			assertThat(named(redis, "app:i-1")).isEqualTo(2);
		}
	}

	@Test
	void sharedConnectionsAreFoundThroughAProxyAroundTheFactory(RedisServer redis) {
		try (GovernedConnectionFixture fixture = GovernedConnectionFixture.of(redis)) {
			StringRedisTemplate template = new StringRedisTemplate(fixture.factory());
			template.afterPropertiesSet();
			template.opsForValue().set("k", "v");
			ProxyFactory proxyFactory = new ProxyFactory(fixture.factory());
			proxyFactory.setProxyTargetClass(true);
			LettuceConnectionFactory proxy = (LettuceConnectionFactory) proxyFactory.getProxy();
			assertThat(SharedConnection.existing(proxy, SharedConnectionStyle.IMPERATIVE)).isNotNull();
			assertThat(SharedConnection.existing(proxy, SharedConnectionStyle.REACTIVE)).isNull();
		}
	}

	@Test
	void activityCountsWritesAndRepliesOfTheSharedConnection(RedisServer redis) {
		try (GovernedConnectionFixture fixture = GovernedConnectionFixture.of(redis)) {
			GovernedConnection connection = fixture.connection();
			connection.submit((commands) -> commands.ping()).join();
			ConnectionActivity.Activity before = connection.sharedActivity();
			for (int i = 0; i < 10; i++) {
				connection.submit((commands) -> commands.set("k".getBytes(), "v".getBytes())).join();
			}
			ConnectionActivity.Activity after = connection.sharedActivity();
			assertThat(before.known()).isTrue();
			assertThat(after.written() - before.written()).isEqualTo(10);
			assertThat(after.reads()).isGreaterThan(before.reads());
			// The count of commands waiting is published when the read completes, just
			// after
			// the caller's future.
			await().atMost(Duration.ofSeconds(5)).until(() -> connection.sharedActivity().waiting() == 0);
		}
	}

	@Test
	void firstSubmitOpensTheSharedConnection(RedisServer redis) {
		try (GovernedConnectionFixture fixture = GovernedConnectionFixture.of(redis)) {
			assertThat(fixture.connection().sharedConnections()).isEmpty();
			assertThat(
					fixture.connection().submit((commands) -> commands.ping()).orTimeout(10, TimeUnit.SECONDS).join())
				.isEqualTo("PONG");
			assertThat(fixture.connection().sharedConnections()).hasSize(1);
		}
	}

	@Test
	void internalsOfTheFactoryAreWhereTheGovernorExpectsThem() {
		assertThat(SharedConnection.internalsReachable()).as("Spring Data Redis moved the shared connections").isTrue();
	}

	@Test
	void submitTimesOutOnAPausedServer(RedisServer redis) {
		try (GovernedConnectionFixture fixture = GovernedConnectionFixture.of(redis.port(),
				new InstanceIdentity("app", "i-1"), Duration.ofMillis(300))) {
			fixture.connection().submit((commands) -> commands.ping()).join();
			redis.pause();
			try {
				assertThatExceptionOfType(java.util.concurrent.CompletionException.class)
					.isThrownBy(() -> fixture.connection().submit((commands) -> commands.ping()).join())
					.withCauseInstanceOf(TimeoutException.class);
				assertThatExceptionOfType(TimeoutException.class)
					.isThrownBy(() -> fixture.connection().execute((commands) -> commands.ping()));
			}
			finally {
				redis.resume();
			}
		}
	}

	private static long named(RedisServer redis, String name) {
		return redis.clientList().stream().filter((client) -> name.equals(client.get("name"))).count();
	}

}
