package io.github.redisgovernor.registry;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.GovernedConnectionFixture;
import io.github.redisgovernor.server.ServerFigures;
import io.github.redisgovernor.server.ServerFiguresSampler;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry heartbeat runs as one script against a real {@code redis-server}, carries
 * the server figures sample, and falls back to plain commands (and the sampler to its own
 * {@code INFO}) when the ACL forbids scripts.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class HeartbeatScriptIntegrationTests {

	private static final String KEY = "{redis-governor}:script-test";

	private final RedisServer redis;

	HeartbeatScriptIntegrationTests(RedisServer redis) {
		this.redis = redis;
	}

	@BeforeAll
	static void createUsers(RedisServer redis) {
		redis.command("ACL", "SETUSER", "noscripts", "on", ">noscripts-pw", "~*", "&*", "+@all", "-@scripting");
		redis.command("ACL", "SETUSER", "noinfo", "on", ">noinfo-pw", "~*", "&*", "+@all", "-info");
	}

	@Test
	void heartbeatIsOneScriptCallInsteadOfFiveCommands() {
		this.redis.command("SCRIPT", "FLUSH");
		this.redis.command("CONFIG", "RESETSTAT");
		long live = heartbeats(null, null, "scripted", 3);
		Map<String, String> stats = this.redis.infoMap("commandstats");
		assertThat(live).isEqualTo(1);
		// The first EVALSHA finds no script (NOSCRIPT), one EVAL loads it, the rest hit.
		assertThat(calls(stats, "cmdstat_evalsha")).isEqualTo(3);
		assertThat(calls(stats, "cmdstat_eval")).isEqualTo(1);
		assertThat(calls(stats, "cmdstat_zadd")).as("ZADD runs inside the script").isEqualTo(3);
	}

	@Test
	void heartbeatFallsBackToCommandsWhenScriptsAreForbidden(CapturedOutput output) {
		long live = heartbeats("noscripts", "noscripts-pw", "plain", 2);
		assertThat(live).isEqualTo(1);
		assertThat(this.redis.command("ZSCORE", KEY, "app/plain")).isNull();
		assertThat(output).containsOnlyOnce("sends the registry heartbeat as separate commands")
			.doesNotContain("noscripts-pw");
	}

	@Test
	void heartbeatRefusedForLackOfMemoryFailsAloneAndTheNextOneUsesTheScript(CapturedOutput output) {
		withRegistry(null, null, "oom", (registry) -> {
			registry.heartbeatNow();
			assertThat(registry.current().problem()).isNull();
			String maxmemory = this.redis.configGet("maxmemory");
			String policy = this.redis.configGet("maxmemory-policy");
			this.redis.configSet("maxmemory-policy", "noeviction");
			for (int i = 0; i < 10; i++) {
				this.redis.command("SET", "oom-filler-" + i, "x".repeat(10_000));
			}
			this.redis.configSet("maxmemory", "1");
			try {
				registry.heartbeatNow();
			}
			finally {
				this.redis.configSet("maxmemory", maxmemory);
				this.redis.configSet("maxmemory-policy", policy);
				this.redis.command("DEL", "oom-filler-0", "oom-filler-1", "oom-filler-2", "oom-filler-3",
						"oom-filler-4", "oom-filler-5", "oom-filler-6", "oom-filler-7", "oom-filler-8", "oom-filler-9");
			}
			assertThat(registry.current().problem()).startsWith("heartbeat failed: OOM command not allowed");
			assertThat(registry.current().liveInstances()).as("the count of the last heartbeat that worked")
				.isEqualTo(1);
			this.redis.command("CONFIG", "RESETSTAT");
			registry.heartbeatNow();
			registry.heartbeatNow();
			assertThat(registry.current().problem()).isNull();
			Map<String, String> stats = this.redis.infoMap("commandstats");
			assertThat(calls(stats, "cmdstat_evalsha")).isEqualTo(2);
			assertThat(calls(stats, "cmdstat_zadd")).as("ZADD only inside the script").isEqualTo(2);
		});
		assertThat(output).contains("registry heartbeat failed: OOM command not allowed")
			.doesNotContain("sends the registry heartbeat as separate commands");
	}

	@Test
	void heartbeatTriesTheScriptAgainAfterARefusalSoThatAnAclFixTakesEffect(CapturedOutput output) {
		this.redis.command("ACL", "SETUSER", "fixable", "reset", "on", ">fixable-pw", "~*", "&*", "+@all",
				"-@scripting");
		int retry = Heartbeat.SCRIPT_RETRY_HEARTBEATS;
		withRegistry("fixable", "fixable-pw", "fixable", (registry) -> {
			registry.heartbeatNow();
			assertThat(registry.current().liveInstances()).isEqualTo(1);
			this.redis.command("CONFIG", "RESETSTAT");
			for (int i = 1; i < retry; i++) {
				registry.heartbeatNow();
			}
			Map<String, String> stats = this.redis.infoMap("commandstats");
			assertThat(stats).as("no script attempt until the retry")
				.doesNotContainKeys("cmdstat_evalsha", "cmdstat_eval");
			assertThat(calls(stats, "cmdstat_zadd")).isEqualTo(retry - 1);
			// The retry is refused again: one refused EVALSHA, and the heartbeat still
			// counts.
			registry.heartbeatNow();
			stats = this.redis.infoMap("commandstats");
			assertThat(stats.get("cmdstat_evalsha")).contains("rejected_calls=1,");
			assertThat(calls(stats, "cmdstat_zadd")).isEqualTo(retry);
			assertThat(registry.current().problem()).isNull();

			this.redis.command("ACL", "SETUSER", "fixable", "+@scripting");
			for (int i = 0; i < retry; i++) {
				registry.heartbeatNow();
			}
			this.redis.command("CONFIG", "RESETSTAT");
			registry.heartbeatNow();
			registry.heartbeatNow();
			stats = this.redis.infoMap("commandstats");
			assertThat(calls(stats, "cmdstat_evalsha")).isEqualTo(2);
			assertThat(calls(stats, "cmdstat_zadd")).as("ZADD only inside the script").isEqualTo(2);
			assertThat(registry.current().problem()).isNull();
			assertThat(registry.current().liveInstances()).isEqualTo(1);
		});
		assertThat(output).containsOnlyOnce("sends the registry heartbeat as separate commands")
			.containsOnlyOnce("runs the registry heartbeat as one script again")
			.doesNotContain("fixable-pw");
	}

	@Test
	void heartbeatCarriesTheServerFiguresSampleSoTheSamplerSendsNothing() {
		this.redis.command("CONFIG", "RESETSTAT");
		withCarrier(null, null, "carrier", Duration.ofSeconds(10), (registry, sampler) -> {
			// What the budget monitor sees: the count of the heartbeat that carried the
			// sample.
			List<Long> countsSeenBySampleListener = new CopyOnWriteArrayList<>();
			sampler.addListener((figures) -> countsSeenBySampleListener.add(registry.current().liveInstances()));
			assertThat(sampler.current().connectedClients()).isNull();
			registry.heartbeatNow();
			assertThat(countsSeenBySampleListener).containsExactly(1L);
			ServerFigures figures = sampler.current();
			assertThat(figures.connectedClients()).isNotNull().isPositive();
			assertThat(figures.maxClients()).isEqualTo(Long.parseLong(this.redis.configGet("maxclients")));
			assertThat(figures.unreadable()).isEmpty();
			// The next heartbeat, less than a sample interval later, does not read it
			// again.
			registry.heartbeatNow();
			assertThat(sampler.current()).isSameAs(figures);
			registry.destroy();
		});
		Map<String, String> stats = this.redis.infoMap("commandstats");
		// The one INFO ran inside the script: no INFO was sent as a command of its own.
		assertThat(calls(stats, "cmdstat_info")).isEqualTo(1);
		assertThat(calls(stats, "cmdstat_evalsha") + calls(stats, "cmdstat_eval")).isGreaterThanOrEqualTo(2);
	}

	@Test
	void heartbeatWithoutASampleDueCarriesNone() {
		withCarrier(null, null, "nosample", Duration.ofSeconds(10), (registry, sampler) -> {
			sampler.offer("connected_clients:1\r\nmaxclients:10000\r\n");
			ServerFigures offered = sampler.current();
			registry.heartbeatNow();
			assertThat(registry.current().liveInstances()).isEqualTo(1);
			assertThat(sampler.current()).as("no sample carried").isSameAs(offered);
			registry.destroy();
		});
	}

	@Test
	void heartbeatReportsInfoRefusedByTheAclAndStillCounts() {
		withCarrier("noinfo", "noinfo-pw", "noinfo", Duration.ofSeconds(10), (registry, sampler) -> {
			registry.heartbeatNow();
			assertThat(registry.current().liveInstances()).isEqualTo(1);
			assertThat(registry.current().problem()).isNull();
			assertThat(sampler.current().connectedClients()).isNull();
			assertThat(sampler.current().unreadable()).containsOnlyKeys("INFO clients");
			assertThat(sampler.current().unreadable().get("INFO clients")).startsWith("NOPERM")
				.doesNotContain("noinfo-pw");
			registry.destroy();
		});
	}

	@Test
	void fallbackHeartbeatStillCarriesTheSampleWhenScriptsAreForbidden() {
		withCarrier("noscripts", "noscripts-pw", "uncarried", Duration.ofMillis(200), (registry, sampler) -> {
			registry.start();
			sampler.start();
			try {
				await().atMost(Duration.ofSeconds(10))
					.untilAsserted(() -> assertThat(sampler.current().connectedClients()).isNotNull());
				assertThat(registry.current().liveInstances()).isEqualTo(1);
			}
			finally {
				sampler.stop();
				registry.stop();
			}
		});
	}

	/**
	 * Run work on a registry whose heartbeat carries a sampler's samples, both at one
	 * interval.
	 */
	private void withCarrier(String user, String password, String id, Duration interval,
			BiConsumer<InstanceRegistry, ServerFiguresSampler> work) {
		InstanceIdentity identity = new InstanceIdentity("app", id);
		withConnection(user, password, identity, (fixture) -> {
			ServerFiguresSampler sampler = new ServerFiguresSampler(fixture.connection(), fixture.scheduler(), identity,
					interval, interval, Duration.ofSeconds(5));
			InstanceRegistry registry = new InstanceRegistry(fixture.connection(), fixture.scheduler(), identity, KEY,
					interval, interval.multipliedBy(3));
			registry.sampleFor(sampler);
			work.accept(registry, sampler);
		});
	}

	private void withConnection(String user, String password, InstanceIdentity identity,
			Consumer<GovernedConnectionFixture> work) {
		RedisStandaloneConfiguration standalone = new RedisStandaloneConfiguration(this.redis.host(),
				this.redis.port());
		if (user != null) {
			standalone.setUsername(user);
			standalone.setPassword(password);
		}
		try (GovernedConnectionFixture fixture = GovernedConnectionFixture.of(standalone, identity,
				Duration.ofSeconds(2))) {
			work.accept(fixture);
		}
	}

	/** Run work on a registry without a sampler, on a connection as the given user. */
	private void withRegistry(String user, String password, String id, Consumer<InstanceRegistry> work) {
		InstanceIdentity identity = new InstanceIdentity("app", id);
		withConnection(user, password, identity, (fixture) -> {
			InstanceRegistry registry = new InstanceRegistry(fixture.connection(), fixture.scheduler(), identity, KEY,
					Duration.ofSeconds(10), Duration.ofSeconds(30));
			try {
				work.accept(registry);
			}
			finally {
				registry.destroy();
			}
		});
	}

	private long heartbeats(String user, String password, String id, int count) {
		long[] live = new long[1];
		InstanceIdentity identity = new InstanceIdentity("app", id);
		withConnection(user, password, identity, (fixture) -> {
			InstanceRegistry registry = new InstanceRegistry(fixture.connection(), fixture.scheduler(), identity, KEY,
					Duration.ofSeconds(10), Duration.ofSeconds(30));
			for (int i = 0; i < count; i++) {
				registry.heartbeatNow();
			}
			live[0] = registry.current().liveInstances();
			registry.destroy();
		});
		return live[0];
	}

	private static long calls(Map<String, String> stats, String command) {
		String value = stats.get(command);
		return (value != null) ? Long.parseLong(value.replaceAll("^calls=(\\d+),.*$", "$1")) : 0;
	}

}
