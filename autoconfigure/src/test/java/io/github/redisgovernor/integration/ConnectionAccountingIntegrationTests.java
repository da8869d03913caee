package io.github.redisgovernor.integration;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import com.jayway.jsonpath.PathNotFoundException;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Connection accounting against a real {@code redis-server}: the instance registry, the
 * server figures, the {@code redisGovernor} health component, the meters and the
 * {@code redisgovernor} endpoint. Intervals are shortened so that each scenario takes
 * seconds; elapsed times are printed, never asserted, and every wait has a hang guard far
 * above the expected time.
 */
@ExtendWith(RedisServerExtension.class)
class ConnectionAccountingIntegrationTests {

	static final String KEY = "{redis-governor}:instances";

	static final String[] FAST = { "redis.governor.application=accounting",
			"redis.governor.registry.heartbeat-interval=200ms", "redis.governor.registry.ttl=1500ms",
			"redis.governor.server.sample-interval=200ms", "redis.governor.server.client-list-max-age=100ms",
			"redis.governor.budget.leak.window=2s", "management.endpoint.redisgovernor.access=read-only",
			"management.endpoints.web.exposure.include=health,metrics,redisgovernor",
			"management.endpoint.health.probes.enabled=true" };

	private final RedisServer redis;

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	private final List<Socket> rawConnections = new ArrayList<>();

	ConnectionAccountingIntegrationTests(RedisServer redis) {
		this.redis = redis;
	}

	@AfterEach
	void cleanUp() throws IOException {
		for (Socket socket : this.rawConnections) {
			socket.close();
		}
		this.contexts.forEach(ConfigurableApplicationContext::close);
		this.redis.configSet("maxclients", "10000");
		Clients.awaitNone(this.redis);
		this.redis.flushAll();
	}

	@Test
	void threeInstancesCountThreeAndHoldAboutOneClientEach() throws Exception {
		ConfigurableApplicationContext a = start("a");
		start("b");
		start("c");
		await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
			for (ConfigurableApplicationContext context : this.contexts) {
				String health = health(context).body();
				assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.instances")).isEqualTo(3);
				assertThat(JsonPath.<Double>read(health, "$.components.redisGovernor.details.clientsPerInstance"))
					.isLessThanOrEqualTo(1.5);
				assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.status")).isEqualTo("UP");
			}
		});
		String health = health(a).body();
		System.out.println("three instances: " + JsonPath.read(health, "$.components.redisGovernor.details"));
		assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.details.application"))
			.isEqualTo("accounting");
		assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.details.instanceId")).isEqualTo("a");
		assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.maxClients")).isEqualTo(10000);
		assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.maxSafeInstances"))
			.isEqualTo(4000);
		assertThat(JsonPath.<Boolean>read(health, "$.components.redisGovernor.details.leakSuspected")).isFalse();
		assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.details.saturation")).isEqualTo("OK");
		assertThat(this.redis.command("ZRANGE", KEY, "0", "-1")
			.lines()
			.filter((member) -> !member.startsWith("#"))
			.sorted()).containsExactly("accounting/a", "accounting/b", "accounting/c");
		assertThat(Clients.applicationClients(this.redis)).as("one connection per instance").hasSize(3);

		String metric = KvTestApplication.get(a, "/actuator/metrics/redis.governor.instances").body();
		assertThat(JsonPath.<Double>read(metric, "$.measurements[0].value")).isEqualTo(3.0);
		assertThat(JsonPath.<List<String>>read(metric, "$.availableTags[?(@.tag=='application')].values[0]"))
			.containsExactly("accounting");
		String open = KvTestApplication.get(a, "/actuator/metrics/redis.governor.connections.open").body();
		assertThat(JsonPath.<Double>read(open, "$.measurements[0].value")).isEqualTo(1.0);

		String endpoint = KvTestApplication.get(a, "/actuator/redisgovernor").body();
		assertThat(JsonPath.<Integer>read(endpoint, "$.instances.total")).isEqualTo(3);
		assertThat(JsonPath.<Integer>read(endpoint, "$.instances.byApplication.accounting")).isEqualTo(3);
		assertThat(JsonPath.<List<String>>read(endpoint, "$.instances.live[*].instanceId"))
			.containsExactlyInAnyOrder("a", "b", "c");
		assertThat(JsonPath.<List<String>>read(endpoint, "$.clients.byName[*].name")).contains("accounting:a",
				"accounting:b", "accounting:c");
	}

	@Test
	void instanceThatShutsDownLeavesTheCountAtOnce() throws Exception {
		ConfigurableApplicationContext a = start("a");
		start("b");
		ConfigurableApplicationContext c = start("c");
		await().atMost(Duration.ofSeconds(15)).until(() -> instances(a) == 3);
		c.close();
		this.contexts.remove(c);
		assertThat(this.redis.command("ZCOUNT", KEY, "(-inf", "+inf")).as("members right after shutdown")
			.isEqualTo("2");
		long start = System.nanoTime();
		await().atMost(Duration.ofSeconds(5)).until(() -> instances(a) == 2);
		System.out.printf("shutdown: health showed 2 instances %d ms after close (heartbeat 200 ms)%n",
				(System.nanoTime() - start) / 1_000_000);
	}

	@Test
	void instanceThatDiesWithoutDeregisteringDropsOutWithinTheTtl() throws Exception {
		ConfigurableApplicationContext a = start("a");
		await().atMost(Duration.ofSeconds(15)).until(() -> instances(a) == 1);
		// A crashed instance: its entry from its last heartbeat (expiring one ttl later)
		// stays behind, and nothing removes it.
		String[] time = this.redis.command("TIME").split("\n");
		long now = Long.parseLong(time[0]) * 1000 + Long.parseLong(time[1]) / 1000;
		this.redis.command("ZADD", KEY, Long.toString(now + 1500), "accounting/crashed");
		await().atMost(Duration.ofSeconds(5)).until(() -> instances(a) == 2);
		long start = System.nanoTime();
		await().atMost(Duration.ofSeconds(10)).until(() -> instances(a) == 1);
		System.out.printf("crash: the dead instance stopped counting %d ms after it was seen (ttl 1500 ms)%n",
				(System.nanoTime() - start) / 1_000_000);
		// The count comes from the sampler's samples as well; the entry itself goes at
		// the
		// next heartbeat (every 200 ms).
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(
					() -> assertThat(this.redis.command("ZSCORE", KEY, "accounting/crashed")).as("pruned").isNull());
	}

	@Test
	void rawConnectionsThatBypassTheGovernorAreFlaggedAsALeakWithoutFailingHealth() throws Exception {
		ConfigurableApplicationContext a = start("a");
		await().atMost(Duration.ofSeconds(15)).until(() -> instances(a) == 1);
		long start = System.nanoTime();
		openRawConnections(30);
		await().atMost(Duration.ofSeconds(20))
			.until(() -> JsonPath.<Boolean>read(health(a).body(), "$.components.redisGovernor.details.leakSuspected"));
		System.out.printf("leak: suspected %d ms after 30 raw connections were opened (window 2 s)%n",
				(System.nanoTime() - start) / 1_000_000);
		HttpResponse<String> health = health(a);
		assertThat(health.statusCode()).as("HTTP status of /actuator/health").isEqualTo(200);
		assertThat(JsonPath.<String>read(health.body(), "$.components.redisGovernor.status")).isEqualTo("DEGRADED");
		assertThat(JsonPath.<String>read(health.body(), "$.status")).isEqualTo("DEGRADED");
		assertThat(JsonPath.<String>read(health.body(), "$.components.redis.status")).isEqualTo("UP");
		assertThat(JsonPath.<Double>read(health.body(), "$.components.redisGovernor.details.clientsPerInstance"))
			.isGreaterThan(30.0);
		HttpResponse<String> liveness = KvTestApplication.get(a, "/actuator/health/liveness");
		assertThat(liveness.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(liveness.body(), "$.status")).isEqualTo("UP");

		String endpoint = KvTestApplication.get(a, "/actuator/redisgovernor").body();
		System.out.println("leak: endpoint " + endpoint);
		assertThat(JsonPath.<Integer>read(endpoint, "$.clients.unnamed")).isGreaterThanOrEqualTo(30);
		assertThat(
				JsonPath.<List<Integer>>read(endpoint, "$.clients.unnamedByAddress[?(@.address=='127.0.0.1')].count"))
			.singleElement()
			.satisfies((count) -> assertThat(count).isGreaterThanOrEqualTo(30));
		assertThat(JsonPath.<List<Integer>>read(endpoint, "$.clients.byName[?(@.name=='accounting:a')].count"))
			.containsExactly(1);
		assertThat(JsonPath.<Boolean>read(endpoint, "$.budget.leakSuspected")).isTrue();

		for (Socket socket : this.rawConnections) {
			socket.close();
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> !JsonPath.<Boolean>read(health(a).body(), "$.components.redisGovernor.details.leakSuspected"));
		assertThat(JsonPath.<String>read(health(a).body(), "$.components.redisGovernor.status")).isEqualTo("UP");
	}

	@Test
	void singleSpikeAboveTheBudgetIsNotALeak() throws Exception {
		ConfigurableApplicationContext a = start("a", "redis.governor.budget.leak.window=60s");
		await().atMost(Duration.ofSeconds(15)).until(() -> instances(a) == 1);
		openRawConnections(10);
		await().atMost(Duration.ofSeconds(10))
			.ignoreExceptions()
			.until(() -> JsonPath.<Integer>read(health(a).body(),
					"$.components.redisGovernor.details.connectedClients") >= 11);
		// Several samples above the budget, but far less than the window.
		Thread.sleep(1000);
		String health = health(a).body();
		assertThat(JsonPath.<Boolean>read(health, "$.components.redisGovernor.details.leakSuspected")).isFalse();
		assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.details.exceedingBudgetSince"))
			.isNotBlank();
		assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.clientsGrowth"))
			.isGreaterThanOrEqualTo(10);
		assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.status")).isEqualTo("UP");
	}

	@Test
	void reportOutOfServiceOptsInToHttp503() throws Exception {
		ConfigurableApplicationContext a = start("a", "redis.governor.health.report-out-of-service=true");
		await().atMost(Duration.ofSeconds(15)).until(() -> instances(a) == 1);
		openRawConnections(30);
		await().atMost(Duration.ofSeconds(20)).until(() -> health(a).statusCode() == 503);
		String health = health(a).body();
		assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.status")).isEqualTo("OUT_OF_SERVICE");
		assertThat(KvTestApplication.get(a, "/actuator/health/liveness").statusCode()).isEqualTo(200);
	}

	@Test
	void loweredMaxclientsIsReportedAsSaturation() throws Exception {
		ConfigurableApplicationContext a = start("a", "redis.governor.budget.connections-per-instance=10");
		await().atMost(Duration.ofSeconds(15)).until(() -> instances(a) == 1);
		this.redis.configSet("maxclients", "5");
		openRawConnections(3);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "WARN"
				.equals(JsonPath.read(health(a).body(), "$.components.redisGovernor.details.saturation")));
		HttpResponse<String> health = health(a);
		System.out.println("saturation: " + JsonPath.read(health.body(), "$.components.redisGovernor.details"));
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(health.body(), "$.components.redisGovernor.status")).isEqualTo("DEGRADED");
		assertThat(JsonPath.<Integer>read(health.body(), "$.components.redisGovernor.details.maxClients")).isEqualTo(5);
		assertThat(JsonPath.<Double>read(health.body(), "$.components.redisGovernor.details.utilization"))
			.isEqualTo(0.8);
		// floor((5 * 0.8 - 0) / 10)
		assertThat(JsonPath.<Integer>read(health.body(), "$.components.redisGovernor.details.maxSafeInstances"))
			.isZero();
		openRawConnections(1);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> "CRITICAL"
				.equals(JsonPath.read(health(a).body(), "$.components.redisGovernor.details.saturation")));
		String metric = KvTestApplication.get(a, "/actuator/metrics/redis.governor.clients.utilization").body();
		assertThat(JsonPath.<Double>read(metric, "$.measurements[0].value")).isEqualTo(1.0);
		for (Socket socket : this.rawConnections) {
			socket.close();
		}
		this.rawConnections.clear();
		await().atMost(Duration.ofSeconds(10)).until(() -> Clients.applicationClients(this.redis).size() == 1);
	}

	@Test
	void thousandHealthPollsSendNoThousandInfoCommands() throws Exception {
		ConfigurableApplicationContext a = start("a", "redis.governor.server.sample-interval=5s");
		await().atMost(Duration.ofSeconds(15)).until(() -> instances(a) == 1);
		long before = infoCalls();
		long start = System.nanoTime();
		for (int i = 0; i < 1000; i++) {
			assertThat(health(a).statusCode()).isEqualTo(200);
		}
		long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
		// The fixture's own INFO commandstats counts as one INFO call.
		long infoCalls = infoCalls() - before - 1;
		System.out.printf("1000 health polls in %d ms: Redis saw %d INFO commands (sample-interval 5 s)%n",
				elapsedMillis, infoCalls);
		assertThat(infoCalls).isLessThanOrEqualTo(2 + elapsedMillis / 5000 + 2);
	}

	private ConfigurableApplicationContext start(String instanceId, String... extra) {
		List<String> properties = new ArrayList<>(List.of(FAST));
		properties.add("redis.governor.instance-id=" + instanceId);
		properties.addAll(List.of(extra));
		ConfigurableApplicationContext context = KvTestApplication.start(this.redis, properties.toArray(String[]::new));
		this.contexts.add(context);
		context.getBean(StringRedisTemplate.class).opsForValue().set("started-" + instanceId, "yes");
		return context;
	}

	private void openRawConnections(int count) throws IOException {
		for (int i = 0; i < count; i++) {
			this.rawConnections.add(new Socket(this.redis.host(), this.redis.port()));
		}
	}

	private static HttpResponse<String> health(ConfigurableApplicationContext context) throws Exception {
		return KvTestApplication.get(context, "/actuator/health");
	}

	private static int instances(ConfigurableApplicationContext context) throws Exception {
		try {
			return JsonPath.<Integer>read(health(context).body(), "$.components.redisGovernor.details.instances");
		}
		catch (PathNotFoundException ex) {
			// Not sampled yet: unknown figures are left out of the details.
			return -1;
		}
	}

	private long infoCalls() {
		Map<String, String> stats = this.redis.infoMap("commandstats");
		String info = stats.getOrDefault("cmdstat_info", "calls=0,");
		return Long.parseLong(info.substring(info.indexOf("calls=") + 6, info.indexOf(',')));
	}

}
