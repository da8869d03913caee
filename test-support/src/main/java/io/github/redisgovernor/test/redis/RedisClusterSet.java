package io.github.redisgovernor.test.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Cluster for tests: masters that share the 16384 hash slots and their
 * replicas, each a {@code redis-server} process with {@code cluster-enabled yes} on a
 * free loopback port.
 *
 * <pre class="code">
 * try (RedisClusterSet cluster = RedisClusterSet.builder().masters(3).replicasPerMaster(1).start()) {
 *     // spring.data.redis.cluster.nodes = cluster.clusterNodes()
 *     RedisServer master = cluster.masterFor("user:42");
 *     RedisServer promoted = cluster.killMaster(master);
 * }
 * </pre>
 * <p>
 * The binary is the one {@link RedisServer} finds ({@code $REDIS_SERVER_BIN},
 * {@code redis-server} on the {@code PATH} or the static binary of
 * {@code org.signal:embedded-redis}), and must be Redis 7.0 or later. A Testcontainers
 * container cannot take part: the nodes must reach each other on {@code 127.0.0.1}. Each
 * node listens on a port below 22768 whose cluster bus port, port + 10000, was free too.
 * <p>
 * The cluster is formed as {@code redis-cli --cluster create} forms one, without
 * {@code redis-cli}: every node gets its own config epoch
 * ({@code CLUSTER SET-CONFIG-EPOCH}), each master an even share of the slots
 * ({@code CLUSTER ADDSLOTSRANGE}), every node meets the first one ({@code CLUSTER MEET}),
 * and each replica follows its master ({@code CLUSTER REPLICATE}) once it knows it.
 * {@link Builder#start()} returns once the cluster is {@linkplain #awaitClusterOk() ok}.
 * <p>
 * Every node runs with
 * <ul>
 * <li>the builder's {@code cluster-node-timeout} (2 s by default, far below Redis's 15
 * s);
 * <li>{@code cluster-replica-validity-factor 0}, so that a replica takes over from a
 * failed master however long ago it last heard from it: a failover then does not hang on
 * when the master was last pinged;
 * <li>{@code repl-diskless-sync-delay 0}, so that a replica syncs at once rather than
 * after Redis's default delay of 5 s;
 * <li>{@code repl-ping-replica-period 1}: Redis leaves a replica out of
 * {@code CLUSTER SLOTS} and {@code CLUSTER SHARDS} while its replication offset is 0,
 * which it is until the master's first replication ping, by default 10 s after the sync;
 * <li>{@code appendonly no} and no snapshots, as every {@link RedisServer}.
 * </ul>
 * <p>
 * The nodes are ordinary {@link RedisServer}s: tests may {@link RedisServer#pause()},
 * {@link RedisServer#kill()} or {@link RedisServer#restart()} them (a node keeps its id
 * and what it knows of the cluster across a restart, not its data), then call
 * {@link #awaitClusterOk()}. The admin methods of a node are not cluster-aware: a key
 * command on a node that does not serve the key's slot fails with {@code MOVED}.
 * {@link #close()} stops every process the set started, by its own process handle, and
 * deletes their files.
 */
public final class RedisClusterSet implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(RedisClusterSet.class);

	private static final int SLOTS = 16384;

	private final Duration timeout;

	private final int startedMasters;

	private final List<RedisServer> nodes = new ArrayList<>();

	private final Map<RedisServer, String> ids = new LinkedHashMap<>();

	private volatile boolean closed;

	private RedisClusterSet(Builder builder) {
		this.timeout = builder.timeout;
		this.startedMasters = builder.masters;
	}

	/**
	 * Starts a cluster with the defaults: 3 masters, 1 replica each, a node timeout of 2
	 * s.
	 * @return the started cluster
	 */
	public static RedisClusterSet start() {
		return builder().start();
	}

	/**
	 * A builder for a cluster of another size or with other timings.
	 * @return a builder with the defaults
	 */
	public static Builder builder() {
		return new Builder();
	}

	/** Options of a {@link RedisClusterSet}; {@link #start()} launches it. */
	public static final class Builder {

		private int masters = 3;

		private int replicasPerMaster = 1;

		private Duration nodeTimeout = Duration.ofSeconds(2);

		private Duration timeout = Duration.ofSeconds(30);

		private Builder() {
		}

		/**
		 * How many masters share the 16384 slots (default 3). A failover needs the votes
		 * of a majority of them, so {@link RedisClusterSet#killMaster} needs at least 3.
		 * @param masters the number of masters
		 * @return this builder
		 */
		public Builder masters(int masters) {
			if (masters < 1) {
				throw new IllegalArgumentException(
						"masters must be at least 1: Redis Cluster needs a master to serve its slots: " + masters);
			}
			if (masters > SLOTS) {
				throw new IllegalArgumentException(
						"masters must be at most " + SLOTS + ", so that each serves a slot: " + masters);
			}
			this.masters = masters;
			return this;
		}

		/**
		 * How many replicas to start for each master (default 1); 0 allows no failover.
		 * @param replicasPerMaster the number of replicas of each master
		 * @return this builder
		 */
		public Builder replicasPerMaster(int replicasPerMaster) {
			if (replicasPerMaster < 0) {
				throw new IllegalArgumentException("replicasPerMaster must not be negative: " + replicasPerMaster);
			}
			this.replicasPerMaster = replicasPerMaster;
			return this;
		}

		/**
		 * Redis's {@code cluster-node-timeout}: how long a node may not answer before the
		 * others deem it failing, and a replica of a failing master takes over (default 2
		 * s, far below Redis's 15 s).
		 * @param nodeTimeout the {@code cluster-node-timeout} of every node, in whole
		 * milliseconds
		 * @return this builder
		 */
		public Builder nodeTimeout(Duration nodeTimeout) {
			if (ServerSets.positive(nodeTimeout, "nodeTimeout").toMillis() < 1) {
				throw new IllegalArgumentException(
						"nodeTimeout must be at least 1 ms (cluster-node-timeout is in milliseconds): " + nodeTimeout);
			}
			this.nodeTimeout = nodeTimeout;
			return this;
		}

		/**
		 * How long {@link #start()}, {@link RedisClusterSet#killMaster} and
		 * {@link RedisClusterSet#awaitClusterOk()} may wait for the cluster to settle
		 * before they throw (default 30 s). Only a guard against hangs.
		 * @param timeout the longest wait
		 * @return this builder
		 */
		public Builder timeout(Duration timeout) {
			this.timeout = ServerSets.positive(timeout, "timeout");
			return this;
		}

		/**
		 * Starts the masters and the replicas, joins them into one cluster and waits
		 * until it is {@linkplain RedisClusterSet#awaitClusterOk() ok}.
		 * @return the started cluster
		 * @throws IllegalStateException when a process does not start, the binary is
		 * older than Redis 7.0, or the cluster does not come together within the timeout;
		 * the message names what is missing
		 */
		public RedisClusterSet start() {
			RedisClusterSet set = new RedisClusterSet(this);
			try {
				set.launch(this);
				return set;
			}
			catch (RuntimeException e) {
				set.close();
				throw e;
			}
		}

	}

	/**
	 * Every node, in start order: the masters, then the replicas of the first master,
	 * those of the second, and so on.
	 * @return all nodes, a copy
	 */
	public List<RedisServer> nodes() {
		return List.copyOf(nodes);
	}

	/**
	 * The running nodes that serve slots now, as the first node that answers sees them
	 * ({@code CLUSTER NODES}): masters that it does not flag as failed. In start order.
	 * @return the current masters
	 * @throws IllegalStateException when no node answers
	 */
	public List<RedisServer> masters() {
		return runningNodesWhoseEntry(ClusterNode::servesSlots);
	}

	/**
	 * The running nodes that replicate a master now, as the first node that answers sees
	 * them ({@code CLUSTER NODES}), less those it flags as failed. In start order.
	 * @return the current replicas
	 * @throws IllegalStateException when no node answers
	 */
	public List<RedisServer> replicas() {
		return runningNodesWhoseEntry(entry -> entry.is("slave") && !entry.failed());
	}

	/**
	 * Every node as {@code 127.0.0.1:port,...}, in start order: the form of
	 * {@code spring.data.redis.cluster.nodes}.
	 * @return the nodes' addresses, comma-separated
	 */
	public String clusterNodes() {
		return nodes.stream().map(ServerSets::address).collect(Collectors.joining(","));
	}

	/**
	 * The cluster node id of a node ({@code CLUSTER MYID}); it stays the same across a
	 * restart.
	 * @param node one of {@link #nodes()}
	 * @return its node id, 40 hex digits
	 * @throws IllegalArgumentException when the server is no node of this set
	 */
	public String nodeId(RedisServer node) {
		String id = ids.get(node);
		if (id == null) {
			throw new IllegalArgumentException(node + " is no node of " + this);
		}
		return id;
	}

	/**
	 * The master that serves the key's hash slot now ({@code CLUSTER KEYSLOT}, then the
	 * slot ranges of {@code CLUSTER NODES}), as the first node that answers sees it.
	 * @param key the key
	 * @return the master that serves the key
	 * @throws IllegalStateException when no node answers or no master serves the slot
	 * (the cluster is not ok)
	 */
	public RedisServer masterFor(String key) {
		ensureOpen();
		RedisServer node = answering().stream()
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No node of " + this + " is running and unpaused"));
		int slot = Integer.parseInt(node.command("CLUSTER", "KEYSLOT", key));
		List<ClusterNode> view = clusterView(node);
		return view.stream()
			.filter(entry -> entry.servesSlots() && entry.serves(slot))
			.findFirst()
			.map(entry -> serverWithId(entry.id()))
			.orElseThrow(() -> new IllegalStateException("No master serves slot " + slot + " of key '" + key
					+ "' as node " + node.port() + " sees " + this + "; is the cluster ok?"));
	}

	/**
	 * Kills a master (SIGKILL) and waits until one of its replicas has taken over its
	 * slots and every running node agrees on it and reports {@code cluster_state:ok}.
	 * Logs how long the take-over took. The killed server stays down; after a
	 * {@link RedisServer#restart()} it rejoins as a replica of the new master.
	 * @param master one of {@link #masters()}
	 * @return the replica that took over
	 * @throws IllegalArgumentException when the server is no node of this set
	 * @throws IllegalStateException when the server serves no slots, has no running
	 * replica, or too few masters would be left to vote for a failover; or when the
	 * failover does not complete within the timeout
	 */
	public RedisServer killMaster(RedisServer master) {
		ensureOpen();
		String masterId = nodeId(master);
		long deadline = deadline();
		List<ClusterNode> view = view();
		ClusterNode entry = entryOf(view, master).filter(ClusterNode::servesSlots)
			.orElseThrow(() -> new IllegalStateException(
					master + " serves no slots now, so it is no master to kill; see masters()"));
		List<RedisServer> candidates = view.stream()
			.filter(other -> masterId.equals(other.masterId()) && !other.failed())
			.map(other -> serverWithId(other.id()))
			.filter(RedisServer::isRunning)
			.toList();
		if (candidates.isEmpty()) {
			throw new IllegalStateException("Killing " + master + " would start no failover: it has no running replica "
					+ "(see replicasPerMaster)");
		}
		// A replica needs the votes of a majority of the masters that serve slots; the
		// dead one cannot vote.
		long serving = view.stream().filter(other -> other.is("master") && !other.slots().isEmpty()).count();
		long quorum = serving / 2 + 1;
		long voters = view.stream()
			.filter(other -> other != entry && other.servesSlots() && serverWithId(other.id()).isRunning())
			.count();
		if (voters < quorum) {
			throw new IllegalStateException("Killing " + master + " leaves " + voters + " of the " + serving
					+ " masters to vote, fewer than the " + quorum + " a failover needs; start at least 3 masters");
		}
		long killed = System.nanoTime();
		master.kill();
		List<Integer> candidatePorts = candidates.stream().map(RedisServer::port).toList();
		awaitCondition(deadline, "a replica " + candidatePorts + " to take over from killed master " + master.port(),
				() -> promoted(candidates) != null ? null
						: "roles " + candidates.stream()
							.map(replica -> replica.port() + ":" + replica.infoMap("replication").get("role"))
							.toList());
		RedisServer promoted = promoted(candidates);
		long tookOver = System.nanoTime();
		awaitSettled(deadline,
				"every running node to be ok with " + promoted.port() + " serving the slots of " + master.port());
		log.info("Killed master {} of {}: replica {} took over after {} ms, every node was ok after {} ms",
				master.port(), this, promoted.port(), Duration.ofNanos(tookOver - killed).toMillis(),
				Duration.ofNanos(System.nanoTime() - killed).toMillis());
		return promoted;
	}

	/**
	 * Waits until the cluster is whole again, e.g. after a node was
	 * {@linkplain RedisServer#resume() resumed} or {@linkplain RedisServer#restart()
	 * restarted}, or for the failover after a master was paused or killed: until every
	 * node that runs and is not paused reports {@code cluster_state:ok}, knows every node
	 * of the set and flags none of those that answer as failing, all of them agree on
	 * which master serves which slots and list every replica in {@code CLUSTER SLOTS},
	 * every master that serves slots runs and is not paused, and each node that is a
	 * replica has {@code master_link_status:up}. Nodes that were killed, stopped or
	 * paused are not asked.
	 * @throws IllegalStateException when that is not so within the timeout; the message
	 * names what is still missing
	 */
	public void awaitClusterOk() {
		ensureOpen();
		awaitSettled(deadline(), "the cluster to be ok on every running node");
	}

	/**
	 * Stops every process of the set, replicas first so that none takes over meanwhile,
	 * then the masters, and deletes their files. Idempotent.
	 */
	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		closed = true;
		List<RedisServer> lastFirst = new ArrayList<>(nodes);
		Collections.reverse(lastFirst);
		ServerSets.closeAll(lastFirst);
	}

	@Override
	public String toString() {
		List<Integer> ports = nodes.stream().map(RedisServer::port).toList();
		int masters = Math.min(startedMasters, ports.size());
		return "RedisClusterSet[started as masters " + ports.subList(0, masters) + ", replicas "
				+ ports.subList(masters, ports.size()) + "]";
	}

	private void launch(Builder builder) {
		long started = System.nanoTime();
		long deadline = deadline();
		for (int m = 1; m <= builder.masters; m++) {
			nodes.add(node(builder, "master-" + m));
			if (m == 1) {
				requireClusterNode(nodes.get(0));
			}
		}
		List<RedisServer> masters = List.copyOf(nodes);
		Map<RedisServer, RedisServer> masterOf = new LinkedHashMap<>();
		for (int m = 1; m <= builder.masters; m++) {
			for (int r = 1; r <= builder.replicasPerMaster; r++) {
				RedisServer replica = node(builder, "replica-" + m + "-" + r);
				nodes.add(replica);
				masterOf.put(replica, masters.get(m - 1));
			}
		}
		for (int i = 0; i < nodes.size(); i++) {
			RedisServer node = nodes.get(i);
			ids.put(node, node.command("CLUSTER", "MYID"));
			// Distinct epochs, as redis-cli --cluster create sets them; else every master
			// starts at epoch 0 and the cluster resolves the collisions one bump at a
			// time.
			node.command("CLUSTER", "SET-CONFIG-EPOCH", String.valueOf(i + 1));
		}
		for (int m = 0; m < masters.size(); m++) {
			int first = (int) ((long) SLOTS * m / masters.size());
			int last = (int) ((long) SLOTS * (m + 1) / masters.size()) - 1;
			masters.get(m).command("CLUSTER", "ADDSLOTSRANGE", String.valueOf(first), String.valueOf(last));
		}
		RedisServer first = nodes.get(0);
		for (RedisServer node : nodes.subList(1, nodes.size())) {
			node.command("CLUSTER", "MEET", first.host(), String.valueOf(first.port()));
		}
		masterOf.forEach((replica, master) -> awaitCondition(deadline,
				"replica " + replica.port() + " to know master " + master.port() + " and follow it", () -> {
					replica.command("CLUSTER", "REPLICATE", ids.get(master));
					return null;
				}));
		awaitSettled(deadline, "the new cluster to be ok on every node");
		log.info("Started {} in {} ms", this, Duration.ofNanos(System.nanoTime() - started).toMillis());
	}

	private RedisServer node(Builder builder, String name) {
		return RedisServer.builder()
			.name(name)
			.clusterNode()
			.config("cluster-node-timeout", String.valueOf(builder.nodeTimeout.toMillis()))
			.config("cluster-replica-validity-factor", "0")
			.config("repl-diskless-sync-delay", "0")
			.config("repl-ping-replica-period", "1")
			.start();
	}

	private static void requireClusterNode(RedisServer node) {
		ServerSets.requireProcess(node, "A Redis Cluster set");
		String version = node.version();
		int major = Integer.parseInt(version.substring(0, version.indexOf('.')));
		if (major < 7) {
			throw new IllegalStateException(
					"A Redis Cluster set needs redis-server 7.0 or later (CLUSTER " + "ADDSLOTSRANGE), but " + node
							+ " is " + version + "; install a newer one or set REDIS_SERVER_BIN");
		}
	}

	private void awaitSettled(long deadline, String what) {
		awaitCondition(deadline, what, this::unsettled);
	}

	/**
	 * What keeps the cluster from being ok, node by node, or {@code null}: see
	 * {@link #awaitClusterOk()}.
	 */
	private String unsettled() {
		List<RedisServer> answering = answering();
		if (answering.isEmpty()) {
			return "no node is running and unpaused";
		}
		List<String> problems = new ArrayList<>();
		Set<String> downOwners = new LinkedHashSet<>();
		Map<Integer, Map<Integer, String>> slotMaps = new LinkedHashMap<>();
		for (RedisServer node : answering) {
			String state = RedisServer.fields(node.command("CLUSTER", "INFO")).get("cluster_state");
			if (!"ok".equals(state)) {
				problems.add(node.port() + " cluster_state:" + state);
			}
			List<ClusterNode> view = clusterView(node);
			List<Integer> unknown = nodes.stream()
				.filter(other -> entryOf(view, other).isEmpty())
				.map(RedisServer::port)
				.toList();
			if (!unknown.isEmpty()) {
				problems.add(node.port() + " knows no " + unknown);
			}
			List<String> flagged = answering.stream()
				.flatMap(other -> entryOf(view, other).stream())
				.filter(entry -> entry.is("fail") || entry.is("fail?"))
				.map(entry -> serverWithId(entry.id()).port() + " " + String.join(",", entry.flags()))
				.toList();
			if (!flagged.isEmpty()) {
				problems.add(node.port() + " flags " + flagged);
			}
			slotMaps.put(node.port(), slotMap(view));
			String slots = node.command("CLUSTER", "SLOTS");
			List<Integer> unlisted = view.stream()
				.filter(entry -> entry.is("slave") && !entry.failed() && !slots.contains(entry.id()))
				.map(entry -> serverWithId(entry.id()))
				.filter(answering::contains)
				.map(RedisServer::port)
				.toList();
			if (!unlisted.isEmpty()) {
				problems.add(node.port() + " lists no replica " + unlisted + " in CLUSTER SLOTS");
			}
			view.stream()
				.filter(entry -> entry.is("master") && !entry.slots().isEmpty())
				.filter(entry -> entry.failed() || !answering.contains(serverWithId(entry.id())))
				.forEach(entry -> downOwners.add(ownerOf(entry) + (entry.failed() ? " (flagged fail)" : " (down)")));
			ClusterNode myself = entryOf(view, node).orElse(null);
			if (myself != null && myself.is("slave")) {
				String link = node.infoMap("replication").get("master_link_status");
				if (!"up".equals(link)) {
					problems.add(node.port() + " master_link_status:" + link);
				}
			}
		}
		downOwners.forEach(owner -> problems.add("slots " + owner));
		if (slotMaps.values().stream().distinct().count() > 1) {
			problems.add("nodes disagree on who serves the slots (node -> first slot -> master): " + slotMaps);
		}
		return problems.isEmpty() ? null : String.join("; ", problems);
	}

	/**
	 * First slot of each range -> {@code first-last at port} of the master serving it.
	 */
	private Map<Integer, String> slotMap(List<ClusterNode> view) {
		Map<Integer, String> map = new TreeMap<>();
		for (ClusterNode entry : view) {
			if (entry.servesSlots()) {
				String port = String.valueOf(serverWithId(entry.id()).port());
				entry.slots().forEach(range -> map.put(range[0], range[0] + "-" + range[1] + " at " + port));
			}
		}
		return map;
	}

	/** {@code 0-5460 at 12345}: the slots of a master entry and its port. */
	private String ownerOf(ClusterNode entry) {
		return entry.slots().stream().map(range -> range[0] + "-" + range[1]).collect(Collectors.joining(",")) + " at "
				+ serverWithId(entry.id()).port();
	}

	/** Running nodes whose line in the first answering node's view matches, in order. */
	private List<RedisServer> runningNodesWhoseEntry(Predicate<ClusterNode> matches) {
		List<ClusterNode> view = view();
		return nodes.stream()
			.filter(RedisServer::isRunning)
			.filter(node -> entryOf(view, node).filter(matches).isPresent())
			.toList();
	}

	/** The nodes that can be asked: running and not paused. */
	private List<RedisServer> answering() {
		return nodes.stream().filter(node -> node.isRunning() && !node.isPaused()).toList();
	}

	/** {@code CLUSTER NODES} of the first node that answers. */
	private List<ClusterNode> view() {
		ensureOpen();
		RuntimeException last = null;
		for (RedisServer node : answering()) {
			try {
				return clusterView(node);
			}
			catch (RuntimeException e) {
				last = e;
			}
		}
		throw new IllegalStateException("No node of " + this + " answers CLUSTER NODES", last);
	}

	private static List<ClusterNode> clusterView(RedisServer node) {
		String reply = node.command("CLUSTER", "NODES");
		return reply == null ? List.of()
				: reply.lines().filter(line -> !line.isBlank()).map(ClusterNode::parse).toList();
	}

	private Optional<ClusterNode> entryOf(List<ClusterNode> view, RedisServer node) {
		String id = ids.get(node);
		return view.stream().filter(entry -> entry.id().equals(id) && !entry.is("handshake")).findFirst();
	}

	private RedisServer serverWithId(String id) {
		return ids.entrySet()
			.stream()
			.filter(entry -> entry.getValue().equals(id))
			.map(Map.Entry::getKey)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("Node id " + id + " is no node of " + this));
	}

	private static RedisServer promoted(List<RedisServer> candidates) {
		return candidates.stream()
			.filter(replica -> "master".equals(replica.infoMap("replication").get("role")))
			.findFirst()
			.orElse(null);
	}

	private void awaitCondition(long deadline, String what, Supplier<String> problem) {
		ServerSets.await(deadline, timeout, this, what, problem);
	}

	private long deadline() {
		return ServerSets.deadline(timeout);
	}

	private void ensureOpen() {
		if (closed) {
			throw new IllegalStateException(this + " is closed");
		}
	}

	/**
	 * One line of {@code CLUSTER NODES}:
	 * {@code <id> <ip:port@cport> <flags> <master> <ping-sent> <pong-recv> <config-epoch> <link-state> <slot> ...},
	 * with {@code -} for no master and slots as {@code first-last} or {@code slot};
	 * {@code [slot->-id]} entries of a migration are left out.
	 */
	private record ClusterNode(String id, Set<String> flags, String masterId, List<int[]> slots) {

		static ClusterNode parse(String line) {
			String[] fields = line.strip().split(" ");
			List<int[]> slots = new ArrayList<>();
			for (int i = 8; i < fields.length; i++) {
				if (!fields[i].startsWith("[")) {
					String[] bounds = fields[i].split("-");
					int first = Integer.parseInt(bounds[0]);
					slots.add(new int[] { first, bounds.length > 1 ? Integer.parseInt(bounds[1]) : first });
				}
			}
			return new ClusterNode(fields[0], Set.copyOf(Arrays.asList(fields[2].split(","))),
					"-".equals(fields[3]) ? null : fields[3], slots);
		}

		boolean is(String flag) {
			return flags.contains(flag);
		}

		/** {@code fail}, not {@code fail?}: the cluster agrees that it is down. */
		boolean failed() {
			return is("fail");
		}

		boolean servesSlots() {
			return is("master") && !failed() && !slots.isEmpty();
		}

		boolean serves(int slot) {
			return slots.stream().anyMatch(range -> range[0] <= slot && slot <= range[1]);
		}

	}

}
