package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Real Sentinel set-ups, each node a redis-server process.
 *
 * <p>
 * What {@code INFO clients} reports in the default set (1 master, 1 replica, 3
 * Sentinels), as {@link #comesUpWithEverySentinelLinkedToEveryDataNode()} asserts
 * (measured with redis 7.0.15, the embedded binary). Each count includes the one admin
 * connection of the fixture that asks; with no other client it is one less:
 * <ul>
 * <li><b>master</b>: {@code connected_clients:7} = 3 Sentinels &times; 2 links
 * ({@code sentinel-<id>-cmd} and {@code sentinel-<id>-pubsub}) + the asking connection.
 * The replica's link to it (flags {@code S}) is <em>not</em> counted: Redis reports all
 * clients less its replicas. {@code CLIENT LIST} does list it, so it shows 8 connections.
 * So 6 with no other client.
 * <li><b>replica</b>: {@code connected_clients:8} = the same 6 Sentinel links (Sentinels
 * connect to every replica too) + its own link to the master (flags {@code M}), which
 * <em>is</em> counted + the asking connection. So 7 with no other client.
 * <li><b>each Sentinel</b>: {@code connected_clients:3} = the {@code cmd} link of each of
 * the 2 other Sentinels + the asking connection; Sentinels open no pub/sub link to each
 * other.
 * </ul>
 */
class RedisSentinelSetTests {

	@Test
	void comesUpWithEverySentinelLinkedToEveryDataNode() {
		try (RedisSentinelSet set = RedisSentinelSet.start()) {
			RedisServer master = set.master();
			assertThat(set.masterName()).isEqualTo("mymaster");
			assertThat(set.replicas()).hasSize(1);
			assertThat(set.sentinels()).hasSize(3);
			RedisServer replica = set.replicas().get(0);
			assertThat(set.dataNodes()).containsExactly(master, replica);
			assertThat(set.sentinelNodes()).isEqualTo(set.sentinels()
				.stream()
				.map((sentinel) -> "127.0.0.1:" + sentinel.port())
				.collect(Collectors.joining(",")));
			assertThat(set.currentMaster()).isSameAs(master);

			assertThat(master.infoMap("replication")).containsEntry("role", "master")
				.containsEntry("connected_slaves", "1");
			assertThat(replica.infoMap("replication")).containsEntry("role", "slave")
				.containsEntry("master_port", String.valueOf(master.port()))
				.containsEntry("master_link_status", "up");
			for (RedisServer sentinel : set.sentinels()) {
				assertThat(sentinel.infoMap("server")).containsEntry("redis_mode", "sentinel")
					.containsEntry("process_id", String.valueOf(sentinel.pid()));
				assertThat(pairs(sentinel.command("SENTINEL", "MASTER", "mymaster")))
					.containsEntry("port", String.valueOf(master.port()))
					.containsEntry("flags", "master")
					.containsEntry("num-slaves", "1")
					.containsEntry("num-other-sentinels", "2")
					.containsEntry("quorum", "2");
			}

			// Sentinel names its links after the first 8 characters of its id.
			List<String> sentinelLinks = new ArrayList<>();
			for (RedisServer sentinel : set.sentinels()) {
				String id = sentinel.command("SENTINEL", "MYID").substring(0, 8);
				sentinelLinks.add("sentinel-" + id + "-cmd");
				sentinelLinks.add("sentinel-" + id + "-pubsub");
			}
			List<Map<String, String>> onMaster = othersThanAdmin(master.clientList());
			assertThat(onMaster).filteredOn((client) -> !client.get("name").isEmpty())
				.extracting((client) -> client.get("name"))
				.containsExactlyInAnyOrderElementsOf(sentinelLinks);
			assertThat(onMaster).filteredOn((client) -> client.get("name").isEmpty())
				.singleElement()
				.satisfies((link) -> assertThat(link).containsEntry("flags", "S"));
			List<Map<String, String>> onReplica = othersThanAdmin(replica.clientList());
			assertThat(onReplica).filteredOn((client) -> !client.get("name").isEmpty())
				.extracting((client) -> client.get("name"))
				.containsExactlyInAnyOrderElementsOf(sentinelLinks);
			assertThat(onReplica).filteredOn((client) -> client.get("name").isEmpty())
				.singleElement()
				.satisfies((link) -> assertThat(link).containsEntry("flags", "M"));

			// Polled only so that a just-closed admin connection of an earlier call
			// cannot
			// be counted.
			assertThat(settled(() -> master.infoMap("clients").get("connected_clients"), "7")).isEqualTo("7");
			assertThat(settled(() -> replica.infoMap("clients").get("connected_clients"), "8")).isEqualTo("8");
			for (RedisServer sentinel : set.sentinels()) {
				assertThat(settled(() -> sentinel.infoMap("clients").get("connected_clients"), "3")).isEqualTo("3");
			}
		}
	}

	@Test
	void failoverPromotesTheReplica() {
		try (RedisSentinelSet set = RedisSentinelSet.start()) {
			RedisServer oldMaster = set.master();
			RedisServer replica = set.replicas().get(0);
			oldMaster.command("SET", "key", "value");
			assertThat(oldMaster.command("WAIT", "1", "5000")).isEqualTo("1");

			RedisServer promoted = set.failover();

			assertThat(promoted).isSameAs(replica);
			assertThat(set.currentMaster()).isSameAs(replica);
			assertThat(set.master()).isSameAs(oldMaster);
			assertThat(replica.infoMap("replication")).containsEntry("role", "master");
			assertThat(replica.command("GET", "key")).isEqualTo("value");
			for (RedisServer sentinel : set.sentinels()) {
				assertThat(sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"))
					.isEqualTo("127.0.0.1\n" + replica.port());
			}
		}
	}

	@Test
	void closeStopsEveryProcessAndDeletesItsFiles() {
		RedisSentinelSet set = RedisSentinelSet.builder()
			.masterName("cache")
			.replicas(2)
			.sentinels(2)
			.quorum(1)
			.downAfter(Duration.ofSeconds(3))
			.failoverTimeout(Duration.ofSeconds(15))
			.start();
		Map<Long, Path> pidsAndFiles = new LinkedHashMap<>();
		try {
			assertThat(set.master().infoMap("replication")).containsEntry("connected_slaves", "2");
			for (RedisServer sentinel : set.sentinels()) {
				assertThat(pairs(sentinel.command("SENTINEL", "MASTER", "cache"))).containsEntry("num-slaves", "2")
					.containsEntry("num-other-sentinels", "1")
					.containsEntry("quorum", "1")
					.containsEntry("down-after-milliseconds", "3000")
					.containsEntry("failover-timeout", "15000");
				pidsAndFiles.put(sentinel.pid(), Path.of(sentinel.infoMap("server").get("config_file")));
			}
			for (RedisServer node : set.dataNodes()) {
				pidsAndFiles.put(node.pid(), Path.of(node.configGet("dir")));
			}
			assertThat(pidsAndFiles).hasSize(5);
			pidsAndFiles.forEach((pid, file) -> {
				assertThat(Await.alive(pid)).as("pid %d", pid).isTrue();
				assertThat(file).exists();
			});
		}
		finally {
			set.close();
		}
		pidsAndFiles.forEach((pid, file) -> {
			assertThat(Await.alive(pid)).as("pid %d", pid).isFalse();
			assertThat(Files.exists(file)).as("%s", file).isFalse();
		});
		set.close(); // idempotent
		assertThatThrownBy(set::failover).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
	}

	@Test
	void aSetWithoutReplicasCannotFailOver() {
		try (RedisSentinelSet set = RedisSentinelSet.builder().replicas(0).sentinels(1).start()) {
			assertThat(pairs(set.sentinels().get(0).command("SENTINEL", "MASTER", "mymaster")))
				.containsEntry("num-slaves", "0")
				.containsEntry("num-other-sentinels", "0")
				.containsEntry("quorum", "1");
			assertThat(set.sentinelNodes()).isEqualTo("127.0.0.1:" + set.sentinels().get(0).port());
			assertThatThrownBy(set::failover).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("needs a replica");
		}
	}

	@Test
	void aRestartedSentinelKeepsItsIdAndWhatItHasLearnt() {
		try (RedisSentinelSet set = RedisSentinelSet.builder().replicas(0).sentinels(1).start()) {
			RedisServer sentinel = set.sentinels().get(0);
			String id = sentinel.command("SENTINEL", "MYID");
			long pid = sentinel.pid();

			sentinel.restart();

			assertThat(sentinel.pid()).isNotEqualTo(pid);
			assertThat(Await.alive(pid)).isFalse();
			assertThat(sentinel.command("SENTINEL", "MYID")).isEqualTo(id);
			assertThat(pairs(sentinel.command("SENTINEL", "MASTER", "mymaster"))).containsEntry("port",
					String.valueOf(set.master().port()));
		}
	}

	@Test
	void aSetThatDoesNotComeTogetherInTimeSaysWhatIsMissingAndStopsItsProcesses() {
		Set<Long> childrenBefore = Await.livingChildren();
		// Sentinels announce themselves every 2 s, so they cannot know each other yet.
		assertThatThrownBy(() -> RedisSentinelSet.builder().timeout(Duration.ofMillis(500)).start())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("Timed out after 500 ms waiting for")
			.hasMessageContaining("last seen:");
		assertThat(Await.livingChildren()).isEqualTo(childrenBefore);
	}

	@Test
	void builderRejectsImpossibleSets() {
		assertThatThrownBy(() -> RedisSentinelSet.builder().sentinels(0)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> RedisSentinelSet.builder().replicas(-1)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> RedisSentinelSet.builder().masterName("my master"))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> RedisSentinelSet.builder().downAfter(Duration.ZERO))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> RedisSentinelSet.builder().sentinels(3).quorum(4).start())
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("quorum 4");
	}

	private static List<Map<String, String>> othersThanAdmin(List<Map<String, String>> clients) {
		return clients.stream().filter((client) -> !RedisServer.ADMIN_CLIENT_NAME.equals(client.get("name"))).toList();
	}

	/** A flat {@code key, value, ...} reply of {@link RedisServer#command}, as a map. */
	private static Map<String, String> pairs(String reply) {
		List<String> items = reply.lines().toList();
		Map<String, String> fields = new LinkedHashMap<>();
		for (int i = 0; i + 1 < items.size(); i += 2) {
			fields.put(items.get(i), items.get(i + 1));
		}
		return fields;
	}

	/**
	 * The value once it equals {@code expected}, or the last one seen when it does not
	 * within a guard against hangs.
	 */
	private static String settled(Supplier<String> value, String expected) {
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		String last = value.get();
		while (!Objects.equals(last, expected) && System.nanoTime() < deadline) {
			ProcessLauncher.sleep(Duration.ofMillis(20));
			last = value.get();
		}
		return last;
	}

}
