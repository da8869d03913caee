package io.github.redisgovernor.leak;

import java.lang.reflect.Proxy;
import java.time.Duration;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.autoconfigure.drain.RedisGovernorDrainAutoConfiguration;
import io.github.redisgovernor.autoconfigure.leak.RedisGovernorLeakDetectionAutoConfiguration;
import io.github.redisgovernor.drain.ConnectionFactoryShutdown;
import io.github.redisgovernor.test.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
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
 * connection until it is closed, and the detector names the thread and the stack.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectionLeakDetectionIntegrationTests {

	private static RedisServer redis;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class,
				RedisGovernorLeakDetectionAutoConfiguration.class, RedisGovernorDrainAutoConfiguration.class,
				DataRedisAutoConfiguration.class))
		.withPropertyValues("redis.governor.application=leaky", "redis.governor.instance-id=l1");

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
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

	static final class Clients {

		static long named(RedisServer redis, String name) {
			return redis.clientList().stream().filter((client) -> name.equals(client.get("name"))).count();
		}

	}

}
