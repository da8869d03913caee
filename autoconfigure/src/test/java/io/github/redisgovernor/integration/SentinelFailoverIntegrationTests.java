package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisSentinelSet;
import io.github.redisgovernor.test.redis.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A planned Sentinel failover under load, against real processes (1 master, 1 replica, 3
 * Sentinels): the governed application loses no request, follows the new master, and its
 * {@code redis} health names it.
 */
class SentinelFailoverIntegrationTests {

	@Test
	void plannedFailoverUnderLoadFailsNoRequestAndHealthNamesTheNewMaster() throws Exception {
		try (RedisSentinelSet sentinels = RedisSentinelSet.builder().replicas(1).sentinels(3).start()) {
			ConfigurableApplicationContext context = KvTestApplication.start(sentinels.master().port(),
					"redis.governor.application=failover", "redis.governor.instance-id=a",
					"spring.data.redis.sentinel.master=" + sentinels.masterName(),
					"spring.data.redis.sentinel.nodes=" + sentinels.sentinelNodes());
			try {
				RedisServer oldMaster = sentinels.currentMaster();
				assertThat(masterOf(context)).containsEntry("name", sentinels.masterName())
					.containsEntry("address", "127.0.0.1:" + oldMaster.port());
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				// About 10 calls a second, each a SET and a GET.
				try (SteadyCallers callers = new SteadyCallers(template, 1, Duration.ofMillis(100))) {
					await().atMost(Duration.ofSeconds(10)).until(() -> callers.successes.get() >= 20);
					long start = System.nanoTime();
					RedisServer newMaster = sentinels.failover();
					long failedOver = System.nanoTime();
					// The application follows once the Sentinels turn the old master into
					// a
					// replica (they close its clients then).
					await().atMost(Duration.ofSeconds(60))
						.until(() -> newMaster.clientList()
							.stream()
							.anyMatch((client) -> "failover:a".equals(client.get("name"))));
					long followed = System.nanoTime();
					int atNewMaster = callers.successes.get();
					await().atMost(Duration.ofSeconds(20)).until(() -> callers.successes.get() >= atNewMaster + 50);
					System.out.printf(
							"planned Sentinel failover: %d ms until the Sentinels agreed on %d, the application "
									+ "connected to it %d ms later; %d calls succeeded, %d failed %s, the slowest took "
									+ "%d ms%n",
							(failedOver - start) / 1_000_000, newMaster.port(), (followed - failedOver) / 1_000_000,
							callers.successes.get(), callers.failures.get(), callers.failureMessages,
							callers.slowestMillis());
					assertThat(callers.failures.get()).as("calls failed: %s", callers.failureMessages).isZero();
					await().atMost(Duration.ofSeconds(10))
						.untilAsserted(() -> assertThat(masterOf(context)).containsEntry("address",
								"127.0.0.1:" + newMaster.port()));
					String health = KvTestApplication.get(context, "/actuator/health").body();
					assertThat(JsonPath.<String>read(health, "$.components.redis.details.role")).isEqualTo("master");
				}
			}
			finally {
				context.close();
			}
		}
	}

	private static Map<String, Object> masterOf(ConfigurableApplicationContext context) throws Exception {
		String health = KvTestApplication.get(context, "/actuator/health").body();
		return JsonPath.read(health, "$.components.redis.details.master");
	}

}
