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
 * Behind Sentinel, against real processes (1 master, 1 replica, 3 Sentinels): in a
 * planned failover under load the governed application loses no request, follows the new
 * master, and its {@code redis} health names it; with replica reads its extra connection
 * is named and the budget stays quiet.
 */
class SentinelIntegrationTests {

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

	@Test
	void replicaReadsHoldANamedConnectionOnTheReplicaAndRaiseNoAlarm() throws Exception {
		try (RedisSentinelSet sentinels = RedisSentinelSet.builder().replicas(1).sentinels(3).start()) {
			ConfigurableApplicationContext context = KvTestApplication.start(sentinels.master().port(),
					"redis.governor.application=reads", "redis.governor.instance-id=a",
					"spring.data.redis.sentinel.master=" + sentinels.masterName(),
					"spring.data.redis.sentinel.nodes=" + sentinels.sentinelNodes(),
					"spring.data.redis.lettuce.read-from=replica-preferred",
					"management.endpoint.redisgovernor.access=read-only",
					"management.endpoints.web.exposure.include=health,redisgovernor");
			try {
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				template.opsForValue().set("k", "v");
				RedisServer replica = sentinels.replicas().get(0);
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(template.opsForValue().get("k")).isEqualTo("v"));
				for (int i = 0; i < 50; i++) {
					template.opsForValue().get("k");
				}
				System.out.println("replica reads, master clients: " + names(sentinels.master()) + ", replica clients: "
						+ names(replica));
				System.out.println("replica reads, commandstats on the replica: " + replica.info("commandstats"));
				assertThat(names(replica)).as("named connections on the replica").contains("reads:a");
				assertThat(names(sentinels.master())).as("named connections on the master").contains("reads:a");
				assertThat(replica.info("commandstats")).contains("cmdstat_get:");
				String health = KvTestApplication.get(context, "/actuator/health").body();
				System.out.println("replica reads, health: " + health);
				assertThat(JsonPath.<String>read(health, "$.components.redis.status")).isEqualTo("UP");
				// INFO and CLIENT describe the master, whose clients the budget judges.
				assertThat(JsonPath.<String>read(health, "$.components.redis.details.role")).isEqualTo("master");
				assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.status")).isEqualTo("UP");
				assertThat(JsonPath.<Boolean>read(health, "$.components.redisGovernor.details.leakSuspected"))
					.isFalse();
				assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.clients.governed"))
					.isEqualTo(1);
				assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.clients.sentinel"))
					.isEqualTo(6);
				assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.fleetClients"))
					.isEqualTo(1);
			}
			finally {
				context.close();
			}
		}
	}

	private static java.util.List<String> names(RedisServer server) {
		return server.clientList().stream().map((client) -> client.get("name")).toList();
	}

	private static Map<String, Object> masterOf(ConfigurableApplicationContext context) throws Exception {
		String health = KvTestApplication.get(context, "/actuator/health").body();
		return JsonPath.read(health, "$.components.redis.details.master");
	}

}
