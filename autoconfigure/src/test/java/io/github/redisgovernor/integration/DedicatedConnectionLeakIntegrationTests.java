package io.github.redisgovernor.integration;

import java.util.List;

import io.github.redisgovernor.leak.DedicatedConnectionLeakDetector;
import io.github.redisgovernor.test.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.RedisOperations;
import org.springframework.data.redis.core.SessionCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dedicated-connection leak detection against a real {@code redis-server}: a
 * {@code RedisConnection} that starts a transaction takes a dedicated connection; left
 * open past the threshold it is reported once with the stack that took it, and its return
 * is logged. Connections closed in time, and the shared connection, are never reported.
 */
@ExtendWith(OutputCaptureExtension.class)
class DedicatedConnectionLeakIntegrationTests {

	private static final String REPORT = "has not been closed after 1000ms";

	private static RedisServer redis;

	private ConfigurableApplicationContext context;

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
		Clients.awaitNone(redis);
	}

	@Test
	void dedicatedConnectionLeftOpenIsReportedOnceWithItsStack(CapturedOutput output) throws Exception {
		this.context = start("redis.governor.leak-detection-threshold=1s");
		RedisConnection connection = this.context.getBean(RedisConnectionFactory.class).getConnection();
		connection.multi();
		assertThat(Clients.applicationClients(redis)).as("shared and dedicated connections").hasSize(2);
		await().untilAsserted(() -> assertThat(output.getOut()).contains(REPORT));
		Thread.sleep(1500);
		assertThat(output.getOut().split(REPORT, -1)).as("reported once").hasSize(2);
		assertThat(output.getOut()).contains("taken by thread 'main'")
			.contains("Apparent Redis connection leak: the dedicated connection was taken here")
			.contains("dedicatedConnectionLeftOpenIsReportedOnceWithItsStack");
		connection.discard();
		connection.close();
		assertThat(output.getOut()).containsPattern("reported as an apparent leak was closed after \\d+ms");
	}

	@Test
	void transactionsClosedInTimeAndTheSharedConnectionAreNotReported(CapturedOutput output) throws Exception {
		this.context = start("redis.governor.leak-detection-threshold=1s");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		for (int i = 0; i < 20; i++) {
			List<Object> results = template.execute(new SessionCallback<List<Object>>() {

				@Override
				@SuppressWarnings({ "unchecked", "rawtypes" })
				public List<Object> execute(RedisOperations operations) throws DataAccessException {
					operations.multi();
					operations.opsForValue().set("k", "v");
					return operations.exec();
				}

			});
			assertThat(results).hasSize(1);
			template.opsForValue().get("k");
		}
		// Heartbeats and samples keep using the shared connection meanwhile.
		Thread.sleep(2500);
		assertThat(output.getOut()).doesNotContain("apparent connection leak").doesNotContain(REPORT);
		assertThat(output.getOut()).contains("reports dedicated Redis connections that stay out longer than 1000ms");
	}

	@Test
	void leakDetectionIsOffByDefault() {
		this.context = start();
		assertThat(this.context.getBeansOfType(DedicatedConnectionLeakDetector.class)).isEmpty();
	}

	private static ConfigurableApplicationContext start(String... properties) {
		String[] all = new String[properties.length + 4];
		all[0] = "redis.governor.application=leaks";
		all[1] = "redis.governor.instance-id=a";
		all[2] = "redis.governor.registry.heartbeat-interval=200ms";
		all[3] = "redis.governor.server.sample-interval=200ms";
		System.arraycopy(properties, 0, all, 4, properties.length);
		return KvTestApplication.start(redis, all);
	}

}
