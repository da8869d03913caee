package io.github.redisgovernor.integration;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.RedisSentinelSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The budget on real deployments, against a real {@code redis-server}: what is healthy
 * raises no alarm, and a leak is flagged on every instance.
 * <p>
 * The no-alarm scenarios run with a strict budget: 1 connection per instance (what a
 * governed imperative app holds), 1 reserved client (the test fixture's own admin
 * connection) and a leak window of 6 s, so that anything charged to the fleet for long,
 * or growing sample after sample, would be flagged within the scenario. Every instance's
 * health is polled throughout and every non-UP status is recorded.
 */
@ExtendWith(RedisServerExtension.class)
class BudgetAccuracyIntegrationTests {

	private static final String[] STRICT = { "redis.governor.application=accuracy",
			"redis.governor.registry.heartbeat-interval=1s", "redis.governor.registry.ttl=5s",
			"redis.governor.budget.connections-per-instance=1", "redis.governor.budget.reserved-clients=1",
			"redis.governor.budget.leak.window=6s" };

	private final RedisServer redis;

	private final List<ConfigurableApplicationContext> contexts = new CopyOnWriteArrayList<>();

	private final List<Socket> rawConnections = new ArrayList<>();

	BudgetAccuracyIntegrationTests(RedisServer redis) {
		this.redis = redis;
	}

	@AfterEach
	void cleanUp() throws IOException {
		for (Socket socket : this.rawConnections) {
			socket.close();
		}
		this.contexts.forEach(ConfigurableApplicationContext::close);
		Clients.awaitNone(this.redis);
		this.redis.flushAll();
	}

	@Test
	void sentinelsAndAReplicaRaiseNoAlarm() throws Exception {
		// 1 master, 1 replica, 3 Sentinels: the master holds 6 Sentinel links (counted in
		// connected_clients) and the replica's link (not counted), beside the one
		// instance's connection and the fixture's admin connection.
		try (RedisSentinelSet sentinels = RedisSentinelSet.builder().replicas(1).sentinels(3).start()) {
			List<String> properties = new ArrayList<>(List.of(STRICT));
			properties.addAll(List.of("redis.governor.instance-id=alone",
					"spring.data.redis.sentinel.master=" + sentinels.masterName(),
					"spring.data.redis.sentinel.nodes=" + sentinels.sentinelNodes(),
					"management.endpoint.redisgovernor.access=read-only",
					"management.endpoints.web.exposure.include=health,redisgovernor"));
			ConfigurableApplicationContext context = KvTestApplication.start(sentinels.master().port(),
					properties.toArray(String[]::new));
			this.contexts.add(context);
			awaitInstances(1);
			Alarms alarms = new Alarms();
			alarms.poll(this.contexts, Duration.ofSeconds(12));
			String health = health(context);
			System.out.println("Sentinel set-up: " + JsonPath.read(health, "$.components.redisGovernor.details"));
			assertThat(alarms.seen).as("statuses other than UP").isEmpty();
			assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.clients.sentinel"))
				.isEqualTo(6);
			assertThat(JsonPath.<Double>read(health, "$.components.redisGovernor.details.clientsPerInstance"))
				.isLessThanOrEqualTo(1.0);
			// The endpoint says which is which, from its own CLIENT LIST.
			String endpoint = KvTestApplication.get(context, "/actuator/redisgovernor").body();
			assertThat(JsonPath.<Integer>read(endpoint, "$.clients.byKind.sentinel")).isEqualTo(6);
			assertThat(JsonPath.<Integer>read(endpoint, "$.clients.byKind.replication")).isEqualTo(1);
			assertThat(JsonPath.<Integer>read(endpoint, "$.clients.byKind.governed")).isEqualTo(1);
			context.close();
			this.contexts.remove(context);
		}
	}

	@Test
	void aMonitoringClientThatConnectsNowAndThenRaisesNoAlarm() throws Exception {
		for (String id : List.of("a", "b", "c")) {
			start(id);
		}
		awaitInstances(3);
		Alarms alarms = new Alarms();
		long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (System.nanoTime() < end) {
			// An agent that connects for a second, every two seconds (five times as often
			// as the usual 10 s scrape).
			try (Socket agent = new Socket(this.redis.host(), this.redis.port())) {
				agent.getOutputStream().write("PING\r\n".getBytes());
				alarms.poll(this.contexts, Duration.ofSeconds(1));
			}
			alarms.poll(this.contexts, Duration.ofSeconds(1));
		}
		assertThat(alarms.seen).as("statuses other than UP").isEmpty();
	}

	@Test
	void aRollingDeployThatDoublesTheFleetRaisesNoAlarm() throws Exception {
		List<ConfigurableApplicationContext> old = new ArrayList<>();
		for (String id : List.of("v1-a", "v1-b", "v1-c")) {
			old.add(start(id));
		}
		awaitInstances(3);
		Alarms alarms = new Alarms();
		for (String id : List.of("v2-a", "v2-b", "v2-c")) {
			start(id);
			alarms.poll(this.contexts, Duration.ofSeconds(3));
		}
		awaitInstances(6);
		alarms.poll(this.contexts, Duration.ofSeconds(5));
		for (ConfigurableApplicationContext context : old) {
			this.contexts.remove(context);
			context.close();
			alarms.poll(this.contexts, Duration.ofSeconds(3));
		}
		awaitInstances(3);
		alarms.poll(this.contexts, Duration.ofSeconds(8));
		assertThat(alarms.seen).as("statuses other than UP").isEmpty();
	}

	@Test
	void applicationsInOtherDatabasesShareTheBudgetAndRaiseNoAlarm() throws Exception {
		start("a");
		start("b1", "spring.data.redis.database=1", "redis.governor.application=other");
		start("b2", "spring.data.redis.database=1", "redis.governor.application=other");
		awaitInstances(3);
		Alarms alarms = new Alarms();
		alarms.poll(this.contexts, Duration.ofSeconds(12));
		assertThat(alarms.seen).as("statuses other than UP").isEmpty();
		for (ConfigurableApplicationContext context : this.contexts) {
			assertThat(JsonPath.<Double>read(health(context), "$.components.redisGovernor.details.clientsPerInstance"))
				.isLessThanOrEqualTo(1.0);
		}
	}

	@Test
	void twoInstancesOnOneHostWithOnePidAreTwoMembers() throws Exception {
		// Two application contexts in one JVM share the host name and the pid, as
		// containers on host networking running as pid 1 do; neither sets an instance id.
		ConfigurableApplicationContext first = KvTestApplication.start(this.redis, STRICT);
		this.contexts.add(first);
		ConfigurableApplicationContext second = KvTestApplication.start(this.redis, STRICT);
		this.contexts.add(second);
		awaitInstances(2);
		String firstId = JsonPath.read(health(first), "$.components.redisGovernor.details.instanceId");
		String secondId = JsonPath.read(health(second), "$.components.redisGovernor.details.instanceId");
		assertThat(firstId).isNotEqualTo(secondId);
		assertThat(this.redis.command("ZCARD", "{redis-governor}:instances")).as("two members and the marker")
			.isEqualTo("3");
	}

	@Test
	void aLeakFromOneOfThreeInstancesIsFlaggedOnEveryInstance() throws Exception {
		// Default budget settings; only the heartbeat is shortened, so that the test
		// starts quickly.
		for (String id : List.of("a", "b", "c")) {
			this.contexts.add(KvTestApplication.start(this.redis, "redis.governor.application=leaky",
					"redis.governor.instance-id=" + id, "redis.governor.registry.heartbeat-interval=1s",
					"redis.governor.registry.ttl=5s"));
		}
		awaitInstances(3);
		long start = System.nanoTime();
		Map<Integer, Long> flaggedAfterMillis = new ConcurrentHashMap<>();
		// 20 new connections a second, never closed, from this host (where instance
		// "a" runs), until every instance says so; the hang guard stops it.
		while (flaggedAfterMillis.size() < 3 && System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
			this.rawConnections.add(new Socket(this.redis.host(), this.redis.port()));
			Thread.sleep(50);
			for (int i = 0; i < 3; i++) {
				if (!flaggedAfterMillis.containsKey(i) && JsonPath.<Boolean>read(health(this.contexts.get(i)),
						"$.components.redisGovernor.details.leakSuspected")) {
					flaggedAfterMillis.put(i, (System.nanoTime() - start) / 1_000_000);
				}
			}
		}
		System.out.println("leak of 20 connections/s flagged after (ms), per instance: " + flaggedAfterMillis);
		assertThat(flaggedAfterMillis).hasSize(3);
		for (ConfigurableApplicationContext context : this.contexts) {
			assertThat(JsonPath.<String>read(health(context), "$.components.redisGovernor.status"))
				.isEqualTo("DEGRADED");
		}
	}

	private ConfigurableApplicationContext start(String instanceId, String... extra) {
		List<String> properties = new ArrayList<>(List.of(STRICT));
		properties.add("redis.governor.instance-id=" + instanceId);
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext context = KvTestApplication.start(this.redis, properties.toArray(String[]::new));
		this.contexts.add(context);
		return context;
	}

	private void awaitInstances(int count) {
		await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
			for (ConfigurableApplicationContext context : this.contexts) {
				assertThat(JsonPath.<Integer>read(health(context), "$.components.redisGovernor.details.instances"))
					.isEqualTo(count);
			}
		});
	}

	private static String health(ConfigurableApplicationContext context) throws Exception {
		return KvTestApplication.get(context, "/actuator/health").body();
	}

	/**
	 * Every status other than UP that any instance reported, with its details.
	 */
	private static final class Alarms {

		private final List<String> seen = new CopyOnWriteArrayList<>();

		void poll(List<ConfigurableApplicationContext> contexts, Duration duration) throws Exception {
			long end = System.nanoTime() + duration.toNanos();
			while (System.nanoTime() < end) {
				for (ConfigurableApplicationContext context : contexts) {
					if (!context.isActive()) {
						continue;
					}
					String health = health(context);
					String status = JsonPath.read(health, "$.components.redisGovernor.status");
					if (!"UP".equals(status) && !"UNKNOWN".equals(status)) {
						this.seen.add(status + " " + JsonPath.read(health, "$.components.redisGovernor.details"));
					}
				}
				Thread.sleep(250);
			}
		}

	}

}
