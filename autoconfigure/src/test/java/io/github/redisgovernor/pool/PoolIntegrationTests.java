package io.github.redisgovernor.pool;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.redisgovernor.integration.KvTestApplication;
import io.github.redisgovernor.integration.ProjectFiles;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.listener.ChannelTopic;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pooled application ({@code spring.data.redis.lettuce.pool.*} with commons-pool2 on
 * the class path, as Spring Boot 4.1 has it) against a real {@code redis-server}: the
 * budget follows the pool and the listening containers without configuration, and the
 * pool meters read the pool.
 * <p>
 * The leak window is short (1 s) and the samples frequent (200 ms), so that a budget that
 * did not follow the pool would flag the load as a leak within the test: the same load
 * under an explicit budget of 2 is flagged
 * ({@link #theSameLoadIsFlaggedUnderAnExplicitBudgetOfTwo}).
 */
@Tag("pool")
@ExtendWith(RedisServerExtension.class)
class PoolIntegrationTests {

	private static final JsonMapper json = JsonMapper.builder().build();

	/**
	 * Threads parked in {@code BLPOP}: more than the pool holds once the shared
	 * connection has taken its place in it.
	 */
	private static final int BLOCKED = 10;

	private static final Pattern POOL_NAME = Pattern.compile("redis_governor_pool_[a-z_]+");

	@Test
	void poolOfEightUnderLoadStaysWithinTheBudgetItSetsAndItsMetersReadThePool(RedisServer redis) throws Exception {
		try (ConfigurableApplicationContext context = start(redis, "redis.governor.application=pooled")) {
			JsonNode details = governorDetails(health(context));
			assertThat(details.path("connectionsPerInstance").asInt()).isEqualTo(9);
			assertThat(details.path("connectionsPerInstanceFrom").asString())
				.isEqualTo("pool max-active 8 (the shared connection included) + 1 beside it");
			try (Load load = new Load(context, BLOCKED)) {
				// The shared connection is one of the pool's 8: 7 threads block on the
				// server, the other 3 wait for a connection.
				await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
					assertThat(meter(context, "active", "commands")).isEqualTo(8);
					assertThat(meter(context, "pending", "commands")).isEqualTo(BLOCKED - 7);
				});
				assertThat(meter(context, "idle", "commands")).isZero();
				assertThat(meter(context, "max", "commands")).isEqualTo(8);
				assertThat(applicationClients(redis)).hasSize(8)
					.allSatisfy((client) -> assertThat(client.get("name")).startsWith("pooled:"));
				// Three leak windows of samples with 8 connections open.
				JsonNode loaded = governorDetails(awaitSampleAfter(context, Instant.now().plusSeconds(3)));
				System.out.printf(
						"Under load: connectedClients=%s clientsPerInstance=%s connectionsPerInstance=%s "
								+ "leakSuspected=%s; pool active=%s idle=%s pending=%s max=%s%n",
						loaded.path("connectedClients"), loaded.path("clientsPerInstance"),
						loaded.path("connectionsPerInstance"), loaded.path("leakSuspected"),
						meter(context, "active", "commands"), meter(context, "idle", "commands"),
						meter(context, "pending", "commands"), meter(context, "max", "commands"));
				assertThat(loaded.path("connectedClients").asInt()).isGreaterThanOrEqualTo(8);
				assertThat(loaded.path("leakSuspected").asBoolean(true)).isFalse();
				JsonNode health = health(context).path("components").path("redisGovernor");
				assertThat(health.path("status").asString()).isEqualTo("UP");
				JsonNode budget = json.readTree(KvTestApplication.get(context, "/actuator/redisgovernor").body())
					.path("budget");
				assertThat(budget.path("connectionsPerInstance").asInt()).isEqualTo(9);
				assertThat(budget.path("connectionsPerInstanceFrom").asString()).startsWith("pool max-active 8");
				assertPrometheusNames(context);
			}
			// Returned connections stay open in the pool, up to max-idle (8).
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				assertThat(meter(context, "active", "commands")).isEqualTo(1);
				assertThat(meter(context, "idle", "commands")).isEqualTo(7);
				assertThat(meter(context, "pending", "commands")).isZero();
			});
		}
	}

	@Test
	void theSameLoadIsFlaggedUnderAnExplicitBudgetOfTwo(RedisServer redis) throws Exception {
		try (ConfigurableApplicationContext context = start(redis, "redis.governor.application=explicit",
				"redis.governor.budget.connections-per-instance=2")) {
			JsonNode details = governorDetails(health(context));
			assertThat(details.path("connectionsPerInstance").asInt()).isEqualTo(2);
			assertThat(details.path("connectionsPerInstanceFrom").asString())
				.isEqualTo("redis.governor.budget.connections-per-instance");
			try (Load load = new Load(context, BLOCKED)) {
				await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
					JsonNode health = health(context).path("components").path("redisGovernor");
					assertThat(health.path("details").path("leakSuspected").asBoolean()).isTrue();
					assertThat(health.path("status").asString()).isEqualTo("DEGRADED");
				});
			}
		}
	}

	@Test
	void aListenerContainerAddsOneWhileItListens(RedisServer redis) throws Exception {
		try (ConfigurableApplicationContext context = new SpringApplicationBuilder(KvTestApplication.class,
				Listening.class)
			.properties(properties(redis, "redis.governor.application=listening"))
			.run()) {
			Listening listening = context.getBean(Listening.class);
			context.getBean(StringRedisTemplate.class).convertAndSend("pool-test", "hello");
			assertThat(listening.received.poll(20, TimeUnit.SECONDS)).isEqualTo("hello");
			// Boot's own container, without listeners, holds nothing and is not counted.
			assertThat(context.getBeansOfType(RedisMessageListenerContainer.class)).hasSize(2);
			await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
				JsonNode details = governorDetails(health(context));
				assertThat(details.path("connectionsPerInstance").asInt()).isEqualTo(8 + 1 + 1);
				assertThat(details.path("connectionsPerInstanceFrom").asString()).isEqualTo(
						"pool max-active 8 (the shared connection included) + 1 beside it + 1 listener container");
			});
			// The subscription comes from the pub/sub pool.
			assertThat(meter(context, "active", "pubsub")).isEqualTo(1);
			assertThat(applicationClients(redis)).filteredOn((client) -> "1".equals(client.get("sub")))
				.singleElement()
				.satisfies((client) -> assertThat(client.get("name")).startsWith("listening:"));
			JsonNode details = governorDetails(awaitSampleAfter(context, Instant.now().plusSeconds(3)));
			assertThat(details.path("leakSuspected").asBoolean(true)).isFalse();
		}
	}

	private static void assertPrometheusNames(ConfigurableApplicationContext context) throws Exception {
		String scrape = KvTestApplication.get(context, "/actuator/prometheus").body();
		for (String figure : List.of("active", "idle", "pending", "max")) {
			for (String pool : List.of("commands", "pubsub")) {
				assertThat(scrape).containsPattern("(?m)^redis_governor_pool_connections_" + figure
						+ "\\{application=\"pooled\",pool=\"" + pool + "\"\\} ");
			}
		}
		// Every pool meter name the docs use is one the scrape has.
		Set<String> documented = new TreeSet<>();
		for (String file : List.of("docs/metrics.md", "docs/budget.md", "docs/ops/grafana-dashboard.json")) {
			Matcher name = POOL_NAME.matcher(Files.readString(ProjectFiles.find(file)));
			while (name.find()) {
				documented.add(name.group());
			}
		}
		assertThat(documented).contains("redis_governor_pool_connections_active",
				"redis_governor_pool_connections_idle", "redis_governor_pool_connections_pending",
				"redis_governor_pool_connections_max");
		for (String name : documented) {
			assertThat(scrape).as(name).containsPattern("(?m)^" + name + "\\{");
		}
	}

	private static JsonNode awaitSampleAfter(ConfigurableApplicationContext context, Instant after) {
		JsonNode[] health = new JsonNode[1];
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
			health[0] = health(context);
			String sampledAt = governorDetails(health[0]).path("sampledAt").asString("");
			return !sampledAt.isEmpty() && Instant.parse(sampledAt).isAfter(after);
		});
		return health[0];
	}

	static ConfigurableApplicationContext start(RedisServer redis, String... properties) {
		return new SpringApplicationBuilder(KvTestApplication.class).properties(properties(redis, properties)).run();
	}

	static String[] properties(RedisServer redis, String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redis.port(), "spring.main.banner-mode=off",
				"management.endpoints.web.exposure.include=health,metrics,prometheus,redisgovernor",
				"management.endpoint.redisgovernor.access=read-only", "management.endpoint.health.show-details=always",
				"spring.data.redis.lettuce.pool.enabled=true", "spring.data.redis.lettuce.pool.max-active=8",
				// BLPOP waits up to 20 s: well within the command timeout.
				"redis.governor.command-timeout=30s", "redis.governor.registry.heartbeat-interval=200ms",
				"redis.governor.server.sample-interval=200ms", "redis.governor.server.client-list-max-age=200ms",
				"redis.governor.budget.leak.window=1s",
				// The fixture's own connection, when a test reads CLIENT LIST.
				"redis.governor.budget.reserved-clients=1"));
		all.addAll(List.of(properties));
		return all.toArray(String[]::new);
	}

	static JsonNode health(ConfigurableApplicationContext context) throws Exception {
		return json.readTree(KvTestApplication.get(context, "/actuator/health").body());
	}

	static JsonNode governorDetails(JsonNode health) {
		return health.path("components").path("redisGovernor").path("details");
	}

	static double meter(ConfigurableApplicationContext context, String figure, String pool) throws Exception {
		JsonNode body = json.readTree(KvTestApplication
			.get(context, "/actuator/metrics/redis.governor.pool.connections." + figure + "?tag=pool:" + pool)
			.body());
		return body.path("measurements").path(0).path("value").asDouble(Double.NaN);
	}

	static List<Map<String, String>> applicationClients(RedisServer redis) {
		return redis.clientList()
			.stream()
			.filter((client) -> !RedisServer.ADMIN_CLIENT_NAME.equals(client.get("name")))
			.toList();
	}

	/**
	 * Threads parked in {@code BLPOP}, each on a dedicated connection from the pool,
	 * released by pushing to their lists.
	 */
	static final class Load implements AutoCloseable {

		private final StringRedisTemplate redis;

		private final ExecutorService threads;

		private final List<CompletableFuture<String>> pops = new ArrayList<>();

		private final int count;

		Load(ConfigurableApplicationContext context, int count) {
			this.redis = context.getBean(StringRedisTemplate.class);
			this.count = count;
			this.threads = Executors.newFixedThreadPool(count);
			for (int i = 0; i < count; i++) {
				String key = "pool-test:" + i;
				this.pops.add(CompletableFuture
					.supplyAsync(() -> this.redis.opsForList().leftPop(key, Duration.ofSeconds(20)), this.threads));
			}
		}

		@Override
		public void close() throws Exception {
			try {
				for (int i = 0; i < this.count; i++) {
					this.redis.opsForList().rightPush("pool-test:" + i, "done");
				}
				for (CompletableFuture<String> pop : this.pops) {
					assertThat(pop.get(30, TimeUnit.SECONDS)).isEqualTo("done");
				}
			}
			finally {
				this.threads.shutdownNow();
			}
		}

	}

	/**
	 * A listener container of the application's own, with one listener.
	 */
	@Configuration(proxyBeanMethods = false)
	static class Listening {

		final BlockingQueue<String> received = new LinkedBlockingQueue<>();

		@Bean
		RedisMessageListenerContainer listeningContainer(RedisConnectionFactory factory) {
			RedisMessageListenerContainer container = new RedisMessageListenerContainer();
			container.setConnectionFactory(factory);
			container.addMessageListener((message, pattern) -> this.received.add(new String(message.getBody())),
					new ChannelTopic("pool-test"));
			return container;
		}

	}

}
