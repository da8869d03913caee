package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real Redis Clusters, each node a redis-server process. The tests that only read share
 * one default cluster (3 masters, 1 replica each); those that kill, pause or time out
 * start their own.
 */
class RedisClusterSetTests {

	/**
	 * A line of CLUSTER SLOTS: first and last slot, then ip, port, id and (Redis 7) the
	 * hostname metadata of the master and of its replica.
	 */
	private static final Pattern SLOT_RANGE = Pattern.compile(
			"^\\[(\\d+), (\\d+), \\[127\\.0\\.0\\.1, (\\d+), \\w+(?:, \\[\\])?\\], \\[127\\.0\\.0\\.1, (\\d+), .*");

	private static RedisClusterSet cluster;

	@BeforeAll
	static void startCluster() {
		cluster = RedisClusterSet.start();
	}

	@AfterAll
	static void closeCluster() {
		cluster.close();
	}

	@Test
	void comesUpWithThreeMastersAndAReplicaOfEach() {
		List<RedisServer> nodes = cluster.nodes();
		assertThat(nodes).hasSize(6);
		List<RedisServer> masters = nodes.subList(0, 3);
		List<RedisServer> replicas = nodes.subList(3, 6);
		assertThat(cluster.masters()).containsExactlyElementsOf(masters);
		assertThat(cluster.replicas()).containsExactlyElementsOf(replicas);
		assertThat(cluster.clusterNodes())
			.isEqualTo(nodes.stream().map((node) -> "127.0.0.1:" + node.port()).collect(Collectors.joining(",")));
		assertThat(nodes.stream().map(cluster::nodeId).distinct()).hasSize(6);
		for (RedisServer node : nodes) {
			assertThat(node.port()).isLessThan(55535);
			assertThat(node.command("CLUSTER", "MYID")).isEqualTo(cluster.nodeId(node));
			assertThat(RedisServer.fields(node.command("CLUSTER", "INFO"))).containsEntry("cluster_state", "ok")
				.containsEntry("cluster_slots_assigned", "16384")
				.containsEntry("cluster_slots_ok", "16384")
				.containsEntry("cluster_known_nodes", "6")
				.containsEntry("cluster_size", "3");
			assertThat(node.configGet("cluster-enabled")).isEqualTo("yes");
			assertThat(node.configGet("cluster-node-timeout")).isEqualTo("2000");
			assertThat(node.configGet("cluster-replica-validity-factor")).isEqualTo("0");
			assertThat(node.configGet("appendonly")).isEqualTo("no");
			assertThat(node.configGet("repl-diskless-sync-delay")).isEqualTo("0");
			assertThat(Path.of(node.configGet("dir")).resolve(node.configGet("cluster-config-file"))).exists();
		}
		for (int i = 0; i < 3; i++) {
			assertFollows(replicas.get(i), masters.get(i));
			assertThat(masters.get(i).infoMap("replication")).containsEntry("role", "master")
				.containsEntry("connected_slaves", "1");
		}
	}

	@Test
	void theMastersServeAllSlotsEachOneRange() {
		List<int[]> ranges = new ArrayList<>(); // first slot, last slot, master, replica
		for (String line : cluster.nodes().get(0).command("CLUSTER", "SLOTS").lines().toList()) {
			Matcher matcher = SLOT_RANGE.matcher(line);
			assertThat(matcher.matches()).as(line).isTrue();
			ranges.add(IntStream.rangeClosed(1, 4).map((group) -> Integer.parseInt(matcher.group(group))).toArray());
		}
		ranges.sort(Comparator.comparingInt((range) -> range[0]));
		int next = 0;
		for (int[] range : ranges) {
			assertThat(range[0]).isEqualTo(next);
			next = range[1] + 1;
		}
		assertThat(next).isEqualTo(16384);
		List<RedisServer> masters = cluster.masters();
		assertThat(ranges).extracting((range) -> range[2])
			.containsExactlyElementsOf(masters.stream().map(RedisServer::port).toList());
		for (int i = 0; i < 3; i++) {
			assertThat(ranges.get(i)[3]).isEqualTo(cluster.nodes().get(3 + i).port());
		}
	}

	@Test
	void masterForNamesTheOnlyMasterThatTakesTheKey() {
		List<RedisServer> masters = cluster.masters();
		Set<RedisServer> owners = new HashSet<>();
		for (int i = 0; i < 30; i++) {
			String key = "key-" + i;
			RedisServer owner = cluster.masterFor(key);
			owners.add(owner);
			assertThat(owner.command("SET", key, "value-" + i)).isEqualTo("OK");
			String slot = cluster.nodes().get(5).command("CLUSTER", "KEYSLOT", key);
			for (RedisServer other : masters) {
				if (other != owner) {
					assertThatThrownBy(() -> other.command("SET", key, "x"))
						.isInstanceOf(RedisCommandExecutionException.class)
						.hasMessage("MOVED " + slot + " 127.0.0.1:" + owner.port());
				}
			}
		}
		assertThat(owners).containsExactlyInAnyOrderElementsOf(masters);
	}

	@Test
	void aClusterClientGivenClusterNodesWritesWhereMasterForSays() {
		Map<String, String> written = writeThroughClusterClient(cluster, "client-");
		written.forEach((key, value) -> assertThat(cluster.masterFor(key).command("GET", key)).isEqualTo(value));
	}

	@Test
	void killMasterPromotesItsReplicaAndTheClusterAnswersAgain() {
		try (RedisClusterSet set = RedisClusterSet.start()) {
			RedisServer master = set.nodes().get(1);
			RedisServer replica = set.nodes().get(4);
			String key = IntStream.range(0, 100)
				.mapToObj((i) -> "kill-" + i)
				.filter((each) -> set.masterFor(each) == master)
				.findFirst()
				.orElseThrow();
			master.command("SET", key, "before");
			assertThat(master.command("WAIT", "1", "5000")).isEqualTo("1");

			RedisServer promoted = set.killMaster(master);

			assertThat(promoted).isSameAs(replica);
			assertThat(master.isRunning()).isFalse();
			assertThat(set.masters()).containsExactly(set.nodes().get(0), set.nodes().get(2), replica);
			assertThat(set.replicas()).containsExactly(set.nodes().get(3), set.nodes().get(5));
			assertThat(set.masterFor(key)).isSameAs(replica);
			assertThat(replica.infoMap("replication")).containsEntry("role", "master");
			assertThat(replica.command("GET", key)).isEqualTo("before");
			for (RedisServer node : set.nodes()) {
				if (node != master) {
					assertThat(RedisServer.fields(node.command("CLUSTER", "INFO"))).containsEntry("cluster_state",
							"ok");
				}
			}
			writeThroughClusterClient(set, "after-")
				.forEach((each, value) -> assertThat(set.masterFor(each).command("GET", each)).isEqualTo(value));

			// Restarted, the killed master rejoins as a replica of the one that took
			// over.
			master.restart();
			set.awaitClusterOk();
			assertThat(set.replicas()).contains(master);
			assertThat(master.command("CLUSTER", "MYID")).isEqualTo(set.nodeId(master));
			assertFollows(master, replica);
		}
	}

	@Test
	void awaitClusterOkWaitsForTheFailoverOfAPausedMasterAndForItsReturnAsAReplica() {
		try (RedisClusterSet set = RedisClusterSet.start()) {
			RedisServer master = set.nodes().get(0);
			RedisServer replica = set.nodes().get(3);

			master.pause();
			set.awaitClusterOk();

			assertThat(set.masters()).containsExactly(set.nodes().get(1), set.nodes().get(2), replica);
			assertThat(replica.infoMap("replication")).containsEntry("role", "master");

			master.resume();
			set.awaitClusterOk();

			assertThat(set.replicas()).containsExactly(master, set.nodes().get(4), set.nodes().get(5));
			assertFollows(master, replica);
		}
	}

	@Test
	void withoutReplicasAKilledMasterIsNotReplacedAndAwaitClusterOkSaysWhichSlotsAreDown() {
		try (RedisClusterSet set = RedisClusterSet.builder()
			.masters(3)
			.replicasPerMaster(0)
			.timeout(Duration.ofSeconds(10))
			.start()) {
			RedisServer master = set.nodes().get(0);
			assertThat(set.nodes()).hasSize(3);
			assertThat(set.replicas()).isEmpty();
			assertThatThrownBy(() -> set.killMaster(master)).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("no running replica");
			assertThat(master.isRunning()).isTrue();

			master.kill();

			assertThatThrownBy(set::awaitClusterOk).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("Timed out after 10000 ms waiting for the cluster to be ok")
				.hasMessageContaining("slots 0-5460 at " + master.port());
		}
	}

	@Test
	void killMasterNeedsAMajorityOfMastersLeftToVote() {
		try (RedisClusterSet set = RedisClusterSet.builder().masters(1).replicasPerMaster(1).start()) {
			RedisServer master = set.nodes().get(0);
			assertThat(set.masters()).containsExactly(master);
			assertThat(set.replicas()).containsExactly(set.nodes().get(1));
			assertThat(RedisServer.fields(master.command("CLUSTER", "INFO"))).containsEntry("cluster_slots_assigned",
					"16384");
			assertThatThrownBy(() -> set.killMaster(master)).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("leaves 0 of the 1 masters to vote, fewer than the 1 a failover needs");
			assertThatThrownBy(() -> set.killMaster(set.nodes().get(1))).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("serves no slots");
			assertThatThrownBy(() -> set.nodeId(cluster.nodes().get(0))).isInstanceOf(IllegalArgumentException.class)
				.hasMessageContaining("is no node of");
			assertThat(master.isRunning()).isTrue();
		}
	}

	@Test
	void closeStopsEveryProcessAndDeletesItsFiles() {
		RedisClusterSet set = RedisClusterSet.builder()
			.masters(2)
			.replicasPerMaster(1)
			.nodeTimeout(Duration.ofMillis(1500))
			.timeout(Duration.ofSeconds(60))
			.start();
		Map<Long, Path> pidsAndDirs = new LinkedHashMap<>();
		try {
			for (RedisServer node : set.nodes()) {
				assertThat(node.configGet("cluster-node-timeout")).isEqualTo("1500");
				pidsAndDirs.put(node.pid(), Path.of(node.configGet("dir")));
			}
			assertThat(pidsAndDirs).hasSize(4);
			pidsAndDirs.forEach((pid, dir) -> {
				assertThat(Await.alive(pid)).as("pid %d", pid).isTrue();
				assertThat(dir.resolve("nodes.conf")).exists();
			});
		}
		finally {
			set.close();
		}
		pidsAndDirs.forEach((pid, dir) -> {
			assertThat(Await.alive(pid)).as("pid %d", pid).isFalse();
			assertThat(Files.exists(dir)).as("%s", dir).isFalse();
		});
		set.close(); // idempotent
		assertThatThrownBy(set::masters).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
		assertThatThrownBy(set::awaitClusterOk).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("closed");
	}

	@Test
	void aClusterThatIsNotOkInTimeSaysWhatIsMissingAndStopsItsProcesses() {
		Set<Long> childrenBefore = Await.livingChildren();
		// A master reports cluster_state:ok no sooner than 2 s after it started.
		assertThatThrownBy(() -> RedisClusterSet.builder().timeout(Duration.ofMillis(500)).start())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("Timed out after 500 ms waiting for")
			.hasMessageContaining("last seen:");
		assertThat(Await.livingChildren()).isEqualTo(childrenBefore);
	}

	@Test
	void builderRejectsImpossibleClusters() {
		assertThatThrownBy(() -> RedisClusterSet.builder().masters(0)).isInstanceOf(IllegalArgumentException.class)
			.hasMessage("masters must be at least 1: Redis Cluster needs a master to serve its slots: 0");
		assertThatThrownBy(() -> RedisClusterSet.builder().masters(16385)).isInstanceOf(IllegalArgumentException.class)
			.hasMessage("masters must be at most 16384, so that each serves a slot: 16385");
		assertThatThrownBy(() -> RedisClusterSet.builder().replicasPerMaster(-1))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("replicasPerMaster must not be negative: -1");
		assertThatThrownBy(() -> RedisClusterSet.builder().nodeTimeout(Duration.ZERO))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("nodeTimeout must be positive: PT0S");
		assertThatThrownBy(() -> RedisClusterSet.builder().nodeTimeout(Duration.ofNanos(500_000)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("nodeTimeout must be at least 1 ms (cluster-node-timeout is in milliseconds): PT0.0005S");
		assertThatThrownBy(() -> RedisClusterSet.builder().timeout(Duration.ofSeconds(-1)))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessage("timeout must be positive: PT-1S");
	}

	/**
	 * Writes 50 keys through a Lettuce cluster client seeded with
	 * {@link RedisClusterSet#clusterNodes()}, as Spring Boot would be, and reads them
	 * back.
	 */
	private static Map<String, String> writeThroughClusterClient(RedisClusterSet set, String prefix) {
		List<RedisURI> seeds = Stream.of(set.clusterNodes().split(","))
			.map((address) -> RedisURI.create("redis://" + address))
			.toList();
		RedisClusterClient client = RedisClusterClient.create(seeds);
		Map<String, String> written = new LinkedHashMap<>();
		try (StatefulRedisClusterConnection<String, String> connection = client.connect()) {
			connection.setTimeout(Duration.ofSeconds(5));
			for (int i = 0; i < 50; i++) {
				String key = prefix + i;
				connection.sync().set(key, "value-" + i);
				written.put(key, "value-" + i);
			}
			written.forEach((key, value) -> assertThat(connection.sync().get(key)).isEqualTo(value));
		}
		finally {
			client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
		return written;
	}

	private static void assertFollows(RedisServer replica, RedisServer master) {
		assertThat(replica.infoMap("replication")).containsEntry("role", "slave")
			.containsEntry("master_port", String.valueOf(master.port()))
			.containsEntry("master_link_status", "up");
	}

}
