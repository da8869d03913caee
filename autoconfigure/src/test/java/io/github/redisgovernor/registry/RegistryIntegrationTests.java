package io.github.redisgovernor.registry;

import java.time.Duration;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.GovernedConnectionFixture;
import io.github.redisgovernor.server.ServerFigures;
import io.github.redisgovernor.server.ServerFiguresSampler;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry against a real {@code redis-server}: the heartbeat runs as one script and
 * falls back to plain commands (each instance then sampling for itself) when the ACL
 * forbids scripts; one instance is elected to sample for the fleet and the others adopt
 * its figures; applications in different databases share one registry; each member's own
 * ttl is respected; a key the governor did not create is never touched.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class RegistryIntegrationTests {

	private static final String KEY = "{redis-governor}:script-test";

	private final RedisServer redis;

	RegistryIntegrationTests(RedisServer redis) {
		this.redis = redis;
	}

	@BeforeAll
	static void createUsers(RedisServer redis) {
		redis.command("ACL", "SETUSER", "noscripts", "on", ">noscripts-pw", "~*", "&*", "+@all", "-@scripting");
		redis.command("ACL", "SETUSER", "noinfo", "on", ">noinfo-pw", "~*", "&*", "+@all", "-info");
	}

	@BeforeEach
	void deleteTheRegistry() {
		this.redis.command("DEL", KEY, KEY + ":sampler", KEY + ":figures");
	}

	@Test
	void heartbeatIsOneScriptCallInsteadOfFiveCommands() {
		this.redis.command("SCRIPT", "FLUSH");
		this.redis.command("CONFIG", "RESETSTAT");
		long live = heartbeats(null, null, "scripted", 3);
		Map<String, String> stats = this.redis.infoMap("commandstats");
		assertThat(live).isEqualTo(1);
		// The first EVALSHA finds no script (NOSCRIPT), one EVAL loads it, the rest hit;
		// the same for the script that leaves the registry.
		assertThat(calls(stats, "cmdstat_evalsha")).isEqualTo(3 + 1);
		assertThat(calls(stats, "cmdstat_eval")).isEqualTo(1 + 1);
		// One ZADD per heartbeat, and one for the marker when the first creates the key.
		assertThat(calls(stats, "cmdstat_zadd")).as("ZADD runs inside the script").isEqualTo(4);
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
			assertThat(registry.current().problem()).isNull();
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
	void oneInstanceSamplesForTheFleetAndTheOthersAdoptItsFigures() {
		withCarrier(null, null, "first", Duration.ofMillis(500), (first, firstSampler) -> {
			withCarrier(null, null, "second", Duration.ofMillis(500), (second, secondSampler) -> {
				// Both are registered before the first samples and reads the client mix.
				first.heartbeatNow();
				second.heartbeatNow();
				first.start();
				second.start();
				first.heartbeatNow();
				assertThat(first.getSampledBy()).isEqualTo("app/first");
				assertThat(second.getSampledBy()).isEqualTo("app/first");
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					assertThat(first.isSampling()).isTrue();
					assertThat(firstSampler.current().connectedClients()).isNotNull();
					assertThat(firstSampler.current().mix()).isNotNull();
				});
				assertThat(second.isSampling()).isFalse();
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					second.heartbeatNow();
					ServerFigures adopted = secondSampler.current();
					assertThat(adopted.sampledBy()).isEqualTo("app/first");
					assertThat(adopted.instances()).isEqualTo(2);
					// Both connections are governed: named by live members.
					assertThat(adopted.mix().governed()).isGreaterThanOrEqualTo(2);
				});
				// The sampler leaves: the lease goes with it, and the other takes over.
				first.destroy();
				await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
					second.heartbeatNow();
					assertThat(second.isSampling()).isTrue();
				});
				assertThat(second.getSampledBy()).isEqualTo("app/second");
				second.destroy();
			});
		});
	}

	@Test
	void applicationsInDifferentDatabasesShareOneRegistry() {
		withRegistry(null, null, "a", 0,
				(a) -> withRegistry(null, null, "b1", 1, (b1) -> withRegistry(null, null, "b2", 1, (b2) -> {
					a.heartbeatNow();
					b1.heartbeatNow();
					b2.heartbeatNow();
					a.heartbeatNow();
					assertThat(a.current().liveInstances()).isEqualTo(3);
					assertThat(b2.current().liveInstances()).isEqualTo(3);
					assertThat(this.redis.command("ZCARD", KEY)).as("3 members and the marker, in database 0")
						.isEqualTo("4");
				})));
	}

	@Test
	void anInstanceWithAShortTtlPrunesOnlyMembersWhoseOwnTtlRanOut() throws Exception {
		withRegistry(null, null, "patient", 0, Duration.ofSeconds(3), Duration.ofSeconds(9), (patient) -> {
			withRegistry(null, null, "hasty", 0, Duration.ofMillis(100), Duration.ofMillis(700), (hasty) -> {
				patient.heartbeatNow();
				for (int i = 0; i < 20; i++) {
					hasty.heartbeatNow();
					Thread.sleep(100);
				}
				// 2 s after the patient member's heartbeat: the hasty one's ttl passed
				// three times over, the patient one's did not.
				assertThat(hasty.current().liveInstances()).isEqualTo(2);
				assertThat(this.redis.command("ZSCORE", KEY, "app/patient")).isNotNull();
				assertThat(Long.parseLong(this.redis.command("PTTL", KEY))).as("the key lives for the longest ttl")
					.isGreaterThan(9_000);
			});
		});
	}

	@Test
	void theHeartbeatIntervalAndTheTtlFollowTheFleetSize() {
		withRegistry(null, null, "one-of-many", 0, (registry) -> {
			registry.heartbeatNow();
			assertThat(registry.getEffectiveHeartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
			// 999 other live members: a fleet of 1,000 at 10 heartbeats a second.
			String[] time = this.redis.command("TIME").split("\n");
			long now = Long.parseLong(time[0]) * 1000 + Long.parseLong(time[1]) / 1000;
			String[] add = new String[2 + 999 * 2];
			add[0] = "ZADD";
			add[1] = KEY;
			for (int i = 0; i < 999; i++) {
				add[2 + i * 2] = Long.toString(now + 3_600_000);
				add[3 + i * 2] = "app/other-" + i;
			}
			this.redis.command(add);
			registry.heartbeatNow();
			assertThat(registry.current().liveInstances()).isEqualTo(1000);
			assertThat(registry.getEffectiveHeartbeatInterval()).isEqualTo(Duration.ofSeconds(100));
			assertThat(registry.getEffectiveTtl()).isEqualTo(Duration.ofSeconds(300));
			// The heartbeat that counted 1,000 already moved this member's expiry three
			// of
			// the new intervals ahead: its next heartbeat may come up to 110 s later.
			long expiresIn = (long) Double.parseDouble(this.redis.command("ZSCORE", KEY, "app/one-of-many")) - now;
			assertThat(expiresIn).isBetween(300_000L, 300_000L + 60_000L);
		});
	}

	@Test
	void aKeyTheGovernorDidNotCreateIsNeverTouched() {
		this.redis.command("ZADD", KEY, "1", "someone-elses-member");
		try {
			withRegistry(null, null, "intruder", 0, (registry) -> {
				registry.heartbeatNow();
				assertThat(registry.current().problem()).contains("REGISTRYKEY")
					.contains("exists and was not created by Redis Governor");
			});
			assertThat(this.redis.command("ZCARD", KEY)).isEqualTo("1");
			assertThat(this.redis.command("ZSCORE", KEY, "someone-elses-member")).isEqualTo("1");
			assertThat(this.redis.command("PTTL", KEY)).as("no expiry set").isEqualTo("-1");
		}
		finally {
			this.redis.command("DEL", KEY);
		}
	}

	@Test
	void theSamplerReportsInfoRefusedByTheAclAndTheHeartbeatStillCounts() {
		withCarrier("noinfo", "noinfo-pw", "noinfo", Duration.ofMillis(500), (registry, sampler) -> {
			registry.start();
			registry.heartbeatNow();
			assertThat(registry.current().liveInstances()).isEqualTo(1);
			assertThat(registry.current().problem()).isNull();
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(sampler.current().unreadable()).containsKey("INFO clients"));
			assertThat(sampler.current().connectedClients()).isNull();
			assertThat(sampler.current().unreadable().get("INFO clients")).contains("NOPERM")
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
					interval, interval, Duration.ofSeconds(5), Duration.ofSeconds(60));
			InstanceRegistry registry = new InstanceRegistry(fixture.connection(), fixture.scheduler(), identity, KEY,
					interval, interval.multipliedBy(3));
			registry.sampleFor(sampler);
			sampler.start();
			try {
				work.accept(registry, sampler);
			}
			finally {
				sampler.stop();
				registry.destroy();
			}
		});
	}

	private void withConnection(String user, String password, InstanceIdentity identity,
			Consumer<GovernedConnectionFixture> work) {
		withConnection(user, password, 0, identity, work);
	}

	private void withConnection(String user, String password, int database, InstanceIdentity identity,
			Consumer<GovernedConnectionFixture> work) {
		RedisStandaloneConfiguration standalone = new RedisStandaloneConfiguration(this.redis.host(),
				this.redis.port());
		standalone.setDatabase(database);
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
		withRegistry(user, password, id, 0, (registry) -> work.accept(registry));
	}

	private void withRegistry(String user, String password, String id, int database, Work work) {
		withRegistry(user, password, id, database, Duration.ofSeconds(10), Duration.ofSeconds(30), work);
	}

	private void withRegistry(String user, String password, String id, int database, Duration interval, Duration ttl,
			Work work) {
		InstanceIdentity identity = new InstanceIdentity("app", id);
		withConnection(user, password, database, identity, (fixture) -> {
			InstanceRegistry registry = new InstanceRegistry(fixture.connection(), fixture.scheduler(), identity, KEY,
					interval, ttl, InstanceRegistry.DEFAULT_FLEET_HEARTBEAT_RATE, database);
			try {
				work.accept(registry);
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
			finally {
				registry.destroy();
			}
		});
	}

	@FunctionalInterface
	private interface Work {

		void accept(InstanceRegistry registry) throws Exception;

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
