package io.github.redisgovernor.integration;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import com.jayway.jsonpath.JsonPath;
import io.lettuce.core.RedisCommandTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The governed connection against a real {@code redis-server}: one named connection per
 * instance, bounded timeouts, fail-fast while disconnected and recovery after a restart.
 * Elapsed times are printed (see target/surefire-reports) but never asserted: a hang
 * guard far below Spring Data Redis's 60 s default is the only time limit.
 */
@ExtendWith(RedisServerExtension.class)
class GovernedConnectionIntegrationTests {

	private ConfigurableApplicationContext context;

	@AfterEach
	void closeContext(RedisServer redis) {
		if (this.context != null) {
			this.context.close();
		}
		if (!redis.isRunning()) {
			redis.restart();
		}
		Clients.awaitNone(redis);
	}

	@Test
	void applicationHoldsExactlyOneNamedConnectionAfterCommandsAndHealthChecks(RedisServer redis) throws Exception {
		this.context = KvTestApplication.start(redis, "redis.governor.application=kv",
				"redis.governor.instance-id=one");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		for (int i = 0; i < 200; i++) {
			template.opsForValue().set("key-" + (i % 10), "v" + i);
			assertThat(template.opsForValue().get("key-" + (i % 10))).isEqualTo("v" + i);
		}
		for (int i = 0; i < 50; i++) {
			HttpResponse<String> health = KvTestApplication.get(this.context, "/actuator/health");
			assertThat(health.statusCode()).isEqualTo(200);
			assertThat(redisHealth(health)).isEqualTo("UP");
		}
		List<Map<String, String>> clients = Clients.applicationClients(redis);
		assertThat(clients).as("connections held by the application").hasSize(1);
		assertThat(clients.get(0)).containsEntry("name", "kv:one");
	}

	@Test
	void plainSpringBootHoldsASecondConnectionForItsReactiveHealthCheck(RedisServer redis) throws Exception {
		this.context = KvTestApplication.start(redis, "redis.governor.enabled=false");
		this.context.getBean(StringRedisTemplate.class).opsForValue().set("k", "v");
		for (int i = 0; i < 5; i++) {
			assertThat(KvTestApplication.get(this.context, "/actuator/health").statusCode()).isEqualTo(200);
		}
		List<Map<String, String>> clients = Clients.applicationClients(redis);
		assertThat(clients).as("plain Boot connections").hasSize(2);
		assertThat(clients).allSatisfy((client) -> assertThat(client.get("name")).isEmpty());
	}

	@Test
	void healthShowsServerDetails(RedisServer redis) throws Exception {
		this.context = KvTestApplication.start(redis);
		String body = KvTestApplication.get(this.context, "/actuator/health").body();
		assertThat(body).contains("\"version\":\"" + redis.version() + "\"")
			.contains("\"role\":\"master\"")
			.contains("\"latencyMillis\"");
	}

	@Test
	void commandOnPausedServerFailsWithinTheCommandTimeout(RedisServer redis) {
		this.context = KvTestApplication.start(redis, "redis.governor.command-timeout=500ms");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("k", "v");
		redis.pause();
		try {
			long start = System.nanoTime();
			assertTimeoutPreemptively(Duration.ofSeconds(10),
					() -> assertThatExceptionOfType(QueryTimeoutException.class)
						.isThrownBy(() -> template.opsForValue().get("k"))
						.withRootCauseInstanceOf(RedisCommandTimeoutException.class));
			System.out.printf("paused server: command failed after %d ms (command-timeout 500 ms)%n",
					(System.nanoTime() - start) / 1_000_000);
		}
		finally {
			redis.resume();
		}
	}

	@Test
	void healthOnPausedServerIsDownWithinTheTimeout(RedisServer redis) throws Exception {
		this.context = KvTestApplication.start(redis, "redis.governor.command-timeout=500ms");
		assertThat(KvTestApplication.get(this.context, "/actuator/health").statusCode()).isEqualTo(200);
		redis.pause();
		try {
			HttpResponse<String> health = assertTimeoutPreemptively(Duration.ofSeconds(10),
					() -> KvTestApplication.get(this.context, "/actuator/health"));
			assertThat(health.statusCode()).isEqualTo(503);
			assertThat(redisHealth(health)).isEqualTo("DOWN");
			assertThat(health.body()).contains("PING got no reply within 500ms");
		}
		finally {
			redis.resume();
		}
	}

	@Test
	void commandsFailFastWhileTheServerIsDownAndRecoverAfterRestart(RedisServer redis) throws Exception {
		this.context = KvTestApplication.start(redis, "redis.governor.application=kv",
				"redis.governor.instance-id=restart");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("k", "before");
		try (SteadyCallers callers = new SteadyCallers(template, 3, Duration.ofMillis(5))) {
			await().atMost(Duration.ofSeconds(10)).until(() -> callers.successes.get() > 20);
			redis.stop();
			long stoppedAt = System.nanoTime();
			callers.reset();
			// Once the connection has been down for the reconnect grace (1 s by default),
			// every command fails at once and says why.
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThatThrownBy(() -> template.opsForValue().get("k"))
					.hasStackTraceContaining("(redis.governor.reconnect.grace): commands fail at once"));
			HttpResponse<String> down = KvTestApplication.get(this.context, "/actuator/health");
			assertThat(down.statusCode()).isEqualTo(503);
			assertThat(redisHealth(down)).isEqualTo("DOWN");
			assertThat(down.body()).contains("redis.governor.reconnect.grace");
			Thread.sleep(Math.max(0, 5000 - (System.nanoTime() - stoppedAt) / 1_000_000));
			long slowestWhileDown = callers.slowestMillis();
			int failuresWhileDown = callers.failures.get();

			long restartedAt = System.nanoTime();
			redis.restart();
			int successesAtRestart = callers.successes.get();
			await().atMost(Duration.ofSeconds(30)).until(() -> callers.successes.get() > successesAtRestart);
			System.out.printf(
					"restart: server down %d ms; %d calls failed meanwhile, the slowest after %d ms "
							+ "(reconnect grace 1000 ms, command-timeout 2000 ms); calls succeeded again %d ms after "
							+ "the server was back%n",
					(restartedAt - stoppedAt) / 1_000_000, failuresWhileDown, slowestWhileDown,
					(System.nanoTime() - restartedAt) / 1_000_000);
			// A hang guard, not a timing threshold: Spring Data Redis alone would wait 60
			// s.
			assertThat(slowestWhileDown).isLessThan(Duration.ofSeconds(10).toMillis());
			assertThat(failuresWhileDown).isPositive();
		}
		template.opsForValue().set("k", "after");
		assertThat(template.opsForValue().get("k")).isEqualTo("after");
		assertThat(KvTestApplication.get(this.context, "/actuator/health").statusCode()).isEqualTo(200);
		List<Map<String, String>> clients = Clients.applicationClients(redis);
		assertThat(clients).hasSize(1);
		assertThat(clients.get(0)).containsEntry("name", "kv:restart");
	}

	@Test
	void aConnectionThatDropsLosesNoCommandWhileItReconnects(RedisServer redis) throws Exception {
		SteadyCallers callers = dropTheConnectionUnderLoad(redis, "grace");
		// A command on the wire when the server resets the connection may have run: it
		// fails rather than run twice. Every other call waits for the new connection.
		assertThat(callers.failures.get() - callers.resetInFlight.get())
			.as("calls failed while the connection was re-established: %s", callers.failureMessages)
			.isZero();
		assertThat(callers.resetInFlight.get()).as("calls in flight at a reset (3 callers, 5 drops)")
			.isLessThanOrEqualTo(15);
	}

	@Test
	void withoutReconnectGraceCommandsFailWhileTheConnectionIsReEstablished(RedisServer redis) throws Exception {
		// What the grace prevents: the same drops, with commands rejected at once.
		SteadyCallers callers = dropTheConnectionUnderLoad(redis, "nograce", "redis.governor.reconnect.grace=0");
		assertThat(callers.failures.get() - callers.resetInFlight.get())
			.as("calls failed while the connection was re-established")
			.isPositive();
	}

	/**
	 * Kill the application's connection on the server 5 times under load (as a planned
	 * failover or a proxy's idle cut does), and return the callers, stopped, with their
	 * counts.
	 */
	private SteadyCallers dropTheConnectionUnderLoad(RedisServer redis, String id, String... properties)
			throws Exception {
		List<String> all = new ArrayList<>(List.of("redis.governor.application=kv", "redis.governor.instance-id=" + id,
				"management.endpoint.health.show-details=always"));
		all.addAll(List.of(properties));
		this.context = KvTestApplication.start(redis, all.toArray(String[]::new));
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		HttpResponse<String> health = KvTestApplication.get(this.context, "/actuator/health");
		assertThat(JsonPath.<String>read(health.body(), "$.components.redis.details.address"))
			.isEqualTo("127.0.0.1:" + redis.port());
		try (SteadyCallers callers = new SteadyCallers(template, 3, Duration.ofMillis(5))) {
			await().atMost(Duration.ofSeconds(10)).until(() -> callers.successes.get() > 20);
			for (int i = 0; i < 5; i++) {
				redis.command("CLIENT", "KILL", "USER", "default", "SKIPME", "yes");
				int before = callers.successes.get();
				await().atMost(Duration.ofSeconds(10)).until(() -> callers.successes.get() > before + 20);
			}
			System.out.printf(
					"%s: 5 dropped connections under load: %d calls succeeded, %d failed (%d of them in flight at "
							+ "the reset; %s), the slowest took %d ms%n",
					id, callers.successes.get(), callers.failures.get(), callers.resetInFlight.get(),
					callers.failureMessages, callers.slowestMillis());
			return callers;
		}
	}

	private static String redisHealth(HttpResponse<String> health) {
		return JsonPath.read(health.body(), "$.components.redis.status");
	}

}
