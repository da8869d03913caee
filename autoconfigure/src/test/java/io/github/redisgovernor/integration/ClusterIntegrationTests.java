package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisClusterSet;
import io.github.redisgovernor.test.redis.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * On a real Redis Cluster (3 masters, 3 replicas, {@code cluster-node-timeout} 2 s, each
 * node a {@code redis-server} process): health keeps what Spring Boot reports and adds
 * each node, the budget judges each node, a leak on one node is flagged on that node,
 * connections per instance match the documented formula, and the application recovers
 * from a killed master without a restart.
 */
@ExtendWith(OutputCaptureExtension.class)
class ClusterIntegrationTests {

	private static RedisClusterSet cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisClusterSet.builder().masters(3).replicasPerMaster(1).nodeTimeout(Duration.ofSeconds(2)).start();
	}

	@AfterAll
	static void stopCluster() {
		if (cluster != null) {
			cluster.close();
		}
	}

	private static ConfigurableApplicationContext start(String application, String... more) {
		List<String> properties = new ArrayList<>(List.of("redis.governor.application=" + application,
				"redis.governor.instance-id=a", "spring.data.redis.cluster.nodes=" + cluster.clusterNodes(),
				"redis.governor.server.sample-interval=1s", "redis.governor.server.client-list-interval=2s",
				"management.endpoint.redisgovernor.access=read-only",
				"management.endpoints.web.exposure.include=health,redisgovernor,metrics,prometheus"));
		properties.addAll(List.of(more));
		return KvTestApplication.start(cluster.masters().get(0).port(), properties.toArray(String[]::new));
	}

	/** Keys in every master's slots. */
	private static void touchEveryMaster(StringRedisTemplate template) {
		for (int i = 0; i < 30; i++) {
			template.opsForValue().set("key-" + i, "v");
		}
	}

	private static Map<Integer, Long> namedConnectionsByNode(String clientName) {
		Map<Integer, Long> byNode = new LinkedHashMap<>();
		for (RedisServer node : cluster.nodes()) {
			if (node.isRunning()) {
				byNode.put(node.port(),
						node.clientList().stream().filter((client) -> clientName.equals(client.get("name"))).count());
			}
		}
		return byNode;
	}

	@Test
	void healthKeepsBootsClusterDetailsAndTheBudgetJudgesEveryMaster() throws Exception {
		ConfigurableApplicationContext context = start("nodes");
		try {
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			touchEveryMaster(template);
			await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
				String health = KvTestApplication.get(context, "/actuator/health").body();
				assertThat(JsonPath.<Map<String, Object>>read(health, "$.components.redisGovernor.details.nodes"))
					.hasSize(3);
			});
			String health = KvTestApplication.get(context, "/actuator/health").body();
			System.out.println("cluster health: " + health);
			assertThat(JsonPath.<String>read(health, "$.components.redis.status")).isEqualTo("UP");
			assertThat(JsonPath.<Integer>read(health, "$.components.redis.details.cluster_size")).isEqualTo(3);
			assertThat(JsonPath.<Integer>read(health, "$.components.redis.details.slots_up")).isEqualTo(16384);
			assertThat(JsonPath.<Integer>read(health, "$.components.redis.details.slots_fail")).isZero();
			Map<String, Map<String, Object>> reachable = JsonPath.read(health, "$.components.redis.details.nodes");
			assertThat(reachable).hasSize(3);
			assertThat(reachable.values()).allSatisfy(
					(node) -> assertThat(node).containsEntry("reachable", true).containsEntry("role", "master"));
			assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.status")).isEqualTo("UP");
			Map<String, Map<String, Object>> nodes = JsonPath.read(health, "$.components.redisGovernor.details.nodes");
			List<String> masters = cluster.masters().stream().map((master) -> "127.0.0.1:" + master.port()).toList();
			assertThat(nodes.keySet()).containsExactlyInAnyOrderElementsOf(masters);
			int perInstance = JsonPath.read(health, "$.components.redisGovernor.details.connectionsPerInstance");
			// Each node's budget is twice the instance's: a cluster connection's default
			// connection may sit on any node.
			assertThat(nodes.values()).allSatisfy((node) -> assertThat(node).containsEntry("leakSuspected", false)
				.containsEntry("connectionsPerInstance", perInstance * 2)
				.containsKeys("connectedClients", "maxClients", "maxSafeInstances", "utilization"));
			assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.details.worstNode")).isIn(masters);
			// Connections per instance: one to each master the client routes to, and its
			// default connection on one node (docs/topologies.md).
			Map<Integer, Long> byNode = namedConnectionsByNode("nodes:a");
			System.out.println("cluster: connections named nodes:a by node port: " + byNode);
			long onMasters = cluster.masters().stream().mapToLong((master) -> byNode.get(master.port())).sum();
			assertThat(onMasters).as("connections on the masters").isBetween(3L, 4L);
			assertThat(cluster.masters())
				.allSatisfy((master) -> assertThat(byNode.get(master.port())).isBetween(1L, 2L));
			String metrics = KvTestApplication.get(context, "/actuator/metrics/redis.governor.node.clients.connected")
				.body();
			assertThat(JsonPath.<List<String>>read(metrics, "$.availableTags[?(@.tag=='node')].values[*]"))
				.containsExactlyInAnyOrderElementsOf(masters);
			// Every node meter that docs/metrics.md names is exported, tagged with the
			// node.
			String scrape = KvTestApplication.get(context, "/actuator/prometheus").body();
			Set<String> documented = PrometheusNamesIntegrationTests.namesIn("docs/metrics.md");
			documented.removeIf((name) -> !name.startsWith(PrometheusNamesIntegrationTests.NODE_METERS));
			assertThat(documented).hasSize(7);
			for (String name : documented) {
				assertThat(scrape).as(name).containsPattern("(?m)^" + name + "\\{[^}]*node=\"127\\.0\\.0\\.1:[0-9]+\"");
			}
			String endpoint = KvTestApplication.get(context, "/actuator/redisgovernor").body();
			Map<String, Object> clientsByNode = JsonPath.read(endpoint, "$.clients.byNode");
			assertThat(clientsByNode.keySet()).containsExactlyInAnyOrderElementsOf(masters);
		}
		finally {
			context.close();
		}
	}

	@Test
	void aLeakOnOneNodeIsFlaggedOnThatNode() throws Exception {
		ConfigurableApplicationContext context = start("leaky", "redis.governor.budget.leak.window=6s");
		RedisServer leaking = cluster.masterFor("leak");
		List<RedisClient> leaked = new ArrayList<>();
		try {
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			touchEveryMaster(template);
			await().atMost(Duration.ofSeconds(30))
				.untilAsserted(() -> assertThat(
						JsonPath.<Map<String, Object>>read(KvTestApplication.get(context, "/actuator/health").body(),
								"$.components.redisGovernor.details.nodes"))
					.hasSize(3));
			// Code that builds a client per request, against one node: unnamed
			// connections from the fleet's host.
			for (int i = 0; i < 12; i++) {
				RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", leaking.port()));
				leaked.add(client);
				StatefulRedisConnection<String, String> connection = client.connect();
				connection.sync().ping();
			}
			String address = "127.0.0.1:" + leaking.port();
			await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
				String health = KvTestApplication.get(context, "/actuator/health").body();
				assertThat(JsonPath.<Boolean>read(health,
						"$.components.redisGovernor.details.nodes['" + address + "'].leakSuspected"))
					.isTrue();
			});
			String health = KvTestApplication.get(context, "/actuator/health").body();
			System.out.println("cluster leak on " + address + ": " + health);
			assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.status")).isEqualTo("DEGRADED");
			assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.details.worstNode"))
				.isEqualTo(address);
			Map<String, Map<String, Object>> nodes = JsonPath.read(health, "$.components.redisGovernor.details.nodes");
			nodes.forEach((node, figures) -> {
				if (!node.equals(address)) {
					assertThat(figures).as(node).containsEntry("leakSuspected", false);
				}
			});
		}
		finally {
			leaked.forEach(RedisClient::shutdown);
			context.close();
		}
	}

	@Test
	void killingAMasterRecoversWithoutARestartAndKeepsConnectionsBounded() throws Exception {
		ConfigurableApplicationContext context = start("failover");
		try {
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			touchEveryMaster(template);
			RedisServer victim = cluster.masterFor("steady-0");
			try (SteadyCallers callers = new SteadyCallers(template, 1, Duration.ofMillis(100))) {
				await().atMost(Duration.ofSeconds(10)).until(() -> callers.successes.get() >= 20);
				callers.reset();
				victim.kill();
				// Calls started from here on need the promoted replica.
				long killed = callers.mark();
				cluster.awaitClusterOk();
				long promotedAt = System.nanoTime();
				RedisServer promoted = cluster.masterFor("steady-0");
				// Recovered: a call started after the kill succeeds (the steady key lives
				// on the killed master).
				await().atMost(Duration.ofSeconds(90)).until(() -> callers.firstSuccessAfterMarkNanos() != 0);
				long recovered = callers.firstSuccessAfterMarkNanos();
				System.out.printf(
						"cluster master %d killed: replica %d promoted after %d ms; calls succeeded again %d ms after "
								+ "the kill (%d ms after the promotion); %d failed meanwhile %s%n",
						victim.port(), promoted.port(), (promotedAt - killed) / 1_000_000,
						(recovered - killed) / 1_000_000, (recovered - promotedAt) / 1_000_000, callers.failures.get(),
						callers.failureMessages);
				int after = callers.successes.get();
				await().atMost(Duration.ofSeconds(20)).until(() -> callers.successes.get() >= after + 30);
			}
			touchEveryMaster(template);
			Map<Integer, Long> byNode = namedConnectionsByNode("failover:a");
			System.out.println("cluster after the kill: connections named failover:a by node port: " + byNode);
			assertThat(cluster.masters()).hasSize(3)
				.allSatisfy((master) -> assertThat(byNode.get(master.port())).isBetween(1L, 2L));
			assertThat(byNode.values().stream().mapToLong(Long::longValue).sum()).isBetween(3L, 4L);
			String health = KvTestApplication.get(context, "/actuator/health").body();
			assertThat(JsonPath.<String>read(health, "$.components.redis.status")).isEqualTo("UP");
		}
		finally {
			context.close();
		}
	}

	@Test
	void theDocumentedAclRuleRunsEveryFeatureOnACluster(CapturedOutput output) throws Exception {
		// docs/acl.md: the governor's rule, plus +cluster|info +cluster|nodes on a
		// cluster. ACL users are per node.
		List<String> setUser = new ArrayList<>(List.of("ACL", "SETUSER", "orders-api", "reset", "on",
				">cluster-acl-pw-3", "~orders:*", "~key-*", "+get", "+set"));
		setUser.addAll(LeastPrivilegeAclIntegrationTests.GOVERNOR_RULE);
		setUser.addAll(List.of("+cluster|info", "+cluster|nodes"));
		for (RedisServer node : cluster.nodes()) {
			if (node.isRunning()) {
				node.command(setUser.toArray(String[]::new));
			}
		}
		ConfigurableApplicationContext context = start("acl", "spring.data.redis.username=orders-api",
				"spring.data.redis.password=cluster-acl-pw-3");
		try {
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			touchEveryMaster(template);
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
				String health = KvTestApplication.get(context, "/actuator/health").body();
				assertThat(JsonPath.<String>read(health, "$.components.redis.status")).isEqualTo("UP");
				assertThat(JsonPath.<Integer>read(health, "$.components.redis.details.slots_up")).isEqualTo(16384);
				assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.status")).isEqualTo("UP");
				assertThat(JsonPath.<Map<String, Object>>read(health, "$.components.redisGovernor.details.nodes"))
					.hasSize(3);
				assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.clients.governed"))
					.isPositive();
				assertThat(health).doesNotContain("unreadable");
			});
			String endpoint = KvTestApplication.get(context, "/actuator/redisgovernor").body();
			assertThat(JsonPath.<Map<String, Object>>read(endpoint, "$.clients.byNode")).hasSize(3);
			assertThat(endpoint).doesNotContain("NOPERM");
			assertThat(output).doesNotContain("NOPERM");
		}
		finally {
			context.close();
		}
	}

	@Test
	void theWatchdogReplacesOnlyTheConnectionOfAPausedNode() throws Exception {
		// Its own cluster: no replicas and a long node timeout, so that the cluster does
		// not fail the paused master over while the watchdog judges its connection.
		try (RedisClusterSet silent = RedisClusterSet.builder()
			.masters(3)
			.replicasPerMaster(0)
			.nodeTimeout(Duration.ofSeconds(60))
			.start()) {
			ConfigurableApplicationContext context = KvTestApplication.start(silent.masters().get(0).port(),
					"redis.governor.application=watched", "redis.governor.instance-id=a",
					"spring.data.redis.cluster.nodes=" + silent.clusterNodes(),
					"management.endpoints.web.exposure.include=health,metrics");
			try {
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				for (int i = 0; i < 30; i++) {
					template.opsForValue().set("key-" + i, "v");
				}
				RedisServer paused = silent.masterFor("steady-0");
				Map<Integer, String> idsBefore = connectionIds(silent, "watched:a");
				try (SteadyCallers callers = new SteadyCallers(template, 1, Duration.ofMillis(100))) {
					await().atMost(Duration.ofSeconds(10)).until(() -> callers.successes.get() >= 10);
					paused.pause();
					try {
						await().atMost(Duration.ofSeconds(30)).until(() -> recoveries(context) >= 1);
					}
					finally {
						paused.resume();
					}
					int after = callers.successes.get();
					await().atMost(Duration.ofSeconds(30)).until(() -> callers.successes.get() >= after + 10);
				}
				Map<Integer, String> idsAfter = connectionIds(silent, "watched:a");
				System.out.println("cluster watchdog: node " + paused.port() + " paused; connection ids by node before "
						+ idsBefore + ", after " + idsAfter + ", recoveries " + recoveries(context));
				assertThat(recoveries(context)).isEqualTo(1);
				for (RedisServer master : silent.masters()) {
					if (master.port() != paused.port()) {
						assertThat(idsAfter.get(master.port())).as("connections to %d", master.port())
							.isEqualTo(idsBefore.get(master.port()));
					}
				}
				assertThat(idsAfter.get(paused.port())).isNotEqualTo(idsBefore.get(paused.port()));
			}
			finally {
				context.close();
			}
		}
	}

	private static double recoveries(ConfigurableApplicationContext context) throws Exception {
		String body = KvTestApplication.get(context, "/actuator/metrics/redis.governor.watchdog.recoveries").body();
		return JsonPath.<Double>read(body, "$.measurements[0].value");
	}

	private static Map<Integer, String> connectionIds(RedisClusterSet set, String clientName) {
		Map<Integer, String> ids = new LinkedHashMap<>();
		for (RedisServer node : set.nodes()) {
			ids.put(node.port(),
					node.clientList()
						.stream()
						.filter((client) -> clientName.equals(client.get("name")))
						.map((client) -> client.get("id"))
						.sorted()
						.toList()
						.toString());
		}
		return ids;
	}

}
