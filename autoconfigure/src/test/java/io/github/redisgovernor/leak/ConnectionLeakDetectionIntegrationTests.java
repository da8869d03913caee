package io.github.redisgovernor.leak;

import java.lang.ref.WeakReference;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.autoconfigure.drain.RedisGovernorDrainAutoConfiguration;
import io.github.redisgovernor.autoconfigure.leak.RedisGovernorLeakDetectionAutoConfiguration;
import io.github.redisgovernor.drain.ConnectionFactoryShutdown;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.support.AopUtils;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Leak detection for connections taken from the factory, against a real
 * {@code redis-server}: a connection left open in a MULTI holds a dedicated server
 * connection until it is closed, and the detector names the thread and the stack. The
 * detector keeps no connection alive and watches a bounded number of them.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class ConnectionLeakDetectionIntegrationTests {

	private static RedisServer redis;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, RedisGovernorLeakDetectionAutoConfiguration.class,
				RedisGovernorDrainAutoConfiguration.class, DataRedisAutoConfiguration.class))
		.withPropertyValues("redis.governor.application=leaky", "redis.governor.instance-id=l1");

	@BeforeAll
	static void useServer(RedisServer server) {
		// The extension starts it and stops it after the class.
		redis = server;
	}

	@Test
	void runWithoutThresholdShouldNotTrackConnections() {
		this.contextRunner.withPropertyValues("spring.data.redis.port=" + redis.port()).run((context) -> {
			assertThat(context).doesNotHaveBean(ConnectionLeakDetector.class);
			try (RedisConnection connection = context.getBean(RedisConnectionFactory.class).getConnection()) {
				assertThat(Proxy.isProxyClass(connection.getClass())).isFalse();
			}
		});
	}

	@Test
	void connectionLeftOpenInATransactionIsReportedOnceWithItsStackAndItsReturn(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.data.redis.port=" + redis.port(),
					"redis.governor.leak-detection-threshold=300ms")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				ConnectionLeakDetector detector = context.getBean(ConnectionLeakDetector.class);
				StringRedisTemplate template = new StringRedisTemplate(factory);
				for (int i = 0; i < 200; i++) {
					template.opsForValue().set("k", "v" + i);
				}
				assertThat(detector.openConnections()).isZero();

				String thread = Thread.currentThread().getName();
				RedisConnection leaked = factory.getConnection();
				leaked.multi();
				leaked.stringCommands().set("tx".getBytes(), "v".getBytes());
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(output).contains("apparent connection leak")
						.contains("thread '" + thread + "'")
						.contains("in a MULTI transaction")
						.contains("connectionLeftOpenInATransactionIsReportedOnceWithItsStackAndItsReturn"));
				assertThat(Clients.named(redis, "leaky:l1")).as("shared + dedicated").isEqualTo(2);
				Thread.sleep(1000);
				assertThat(output.toString().split("apparent connection leak", -1)).as("reported once").hasSize(2);

				leaked.discard();
				leaked.close();
				assertThat(output).contains("previously reported as leaked");
				assertThat(detector.openConnections()).isZero();
				await().atMost(Duration.ofSeconds(10)).until(() -> Clients.named(redis, "leaky:l1") == 1);
			});
	}

	@Test
	void connectionsClosedInTimeAreNeverReported(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.data.redis.port=" + redis.port(),
					"redis.governor.leak-detection-threshold=200ms")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				// One proxy carries both the drain's deferred stop and the leak tracking.
				assertThat(ConnectionFactoryShutdown.isDeferred(factory)).isTrue();
				assertThat(AopUtils.isCglibProxy(((Advised) factory).getTargetSource().getTarget())).isFalse();
				StringRedisTemplate template = new StringRedisTemplate(factory);
				long deadline = System.nanoTime() + Duration.ofMillis(800).toNanos();
				while (System.nanoTime() < deadline) {
					template.opsForValue().increment("counter");
				}
				assertThat(output).doesNotContain("apparent connection leak");
			});
	}

	@Test
	void connectionsDroppedWithoutClosingAreCollectedAndLeaveTheCount(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.data.redis.port=" + redis.port(), "redis.governor.leak-detection-threshold=1h")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				ConnectionLeakDetector detector = context.getBean(ConnectionLeakDetector.class);
				List<RedisConnection> leaked = new ArrayList<>();
				for (int i = 0; i < 2000; i++) {
					leaked.add(factory.getConnection());
				}
				List<WeakReference<RedisConnection>> references = leaked.stream()
					.map((connection) -> new WeakReference<>(connection))
					.toList();
				assertThat(detector.openConnections()).isPositive();

				leaked.clear();
				// Plain Spring Data Redis lets them go; so must the detector. GC is a
				// request,
				// hence the loop; the bound only keeps a broken build from hanging.
				await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
					System.gc();
					assertThat(references).allSatisfy((reference) -> assertThat(reference.get()).isNull());
					assertThat(detector.openConnections()).isZero();
				});
				// A connection dropped unclosed is a leak in the application all the
				// same.
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(
							() -> assertThat(output.toString().split("was garbage-collected without being closed", -1))
								.hasSize(ConnectionLeakDetector.MAX_TRACKED + 1));
				assertThat(output).contains("connectionsDroppedWithoutClosingAreCollectedAndLeaveTheCount")
					.doesNotContain("apparent connection leak");
			});
	}

	@Test
	void connectionDroppedInATransactionIsReportedWhenCollectedAndItsServerConnectionStays(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.data.redis.port=" + redis.port(), "redis.governor.leak-detection-threshold=1h")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				ConnectionLeakDetector detector = context.getBean(ConnectionLeakDetector.class);
				String thread = Thread.currentThread().getName();
				WeakReference<RedisConnection> dropped = new WeakReference<>(beginTransaction(factory));
				assertThat(Clients.named(redis, "leaky:l1")).as("shared + dedicated").isEqualTo(2);

				await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
					System.gc();
					assertThat(dropped.get()).isNull();
					assertThat(detector.openConnections()).isZero();
				});
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(output).contains("was garbage-collected without being closed")
						.contains("thread '" + thread + "'")
						.contains("beginTransaction"));
				// What the report warns of: nothing releases the dedicated connection.
				assertThat(Clients.named(redis, "leaky:l1")).isEqualTo(2);
			});
	}

	@Test
	void atMostMaxTrackedConnectionsAreWatchedAndTheRestAreCountedWithOneWarning(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("spring.data.redis.port=" + redis.port(), "redis.governor.leak-detection-threshold=1h")
			.run((context) -> {
				LettuceConnectionFactory factory = context.getBean(LettuceConnectionFactory.class);
				ConnectionLeakDetector detector = context.getBean(ConnectionLeakDetector.class);
				List<RedisConnection> held = new ArrayList<>();
				for (int i = 0; i < ConnectionLeakDetector.MAX_TRACKED + 500; i++) {
					held.add(factory.getConnection());
				}
				assertThat(detector.openConnections()).isEqualTo(ConnectionLeakDetector.MAX_TRACKED);
				assertThat(detector.unwatchedConnections()).isEqualTo(500);
				assertThat(held.stream().filter((connection) -> Proxy.isProxyClass(connection.getClass())))
					.hasSize(ConnectionLeakDetector.MAX_TRACKED);
				assertThat(output.toString().split("its limit", -1)).as("warned once").hasSize(2);
				assertThat(output).contains("Redis Governor [leaky:l1] leak detection is watching "
						+ ConnectionLeakDetector.MAX_TRACKED + " connections");

				held.forEach(RedisConnection::close);
				assertThat(detector.openConnections()).isZero();
				try (RedisConnection connection = factory.getConnection()) {
					assertThat(Proxy.isProxyClass(connection.getClass())).as("watched again").isTrue();
					assertThat(detector.openConnections()).isOne();
				}
				assertThat(detector.openConnections()).isZero();
			});
	}

	private static RedisConnection beginTransaction(RedisConnectionFactory factory) {
		RedisConnection connection = factory.getConnection();
		connection.multi();
		connection.stringCommands().set("tx".getBytes(), "v".getBytes());
		return connection;
	}

	static final class Clients {

		static long named(RedisServer redis, String name) {
			return redis.clientList().stream().filter((client) -> name.equals(client.get("name"))).count();
		}

	}

}
