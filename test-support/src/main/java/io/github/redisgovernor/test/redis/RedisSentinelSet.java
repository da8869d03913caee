package io.github.redisgovernor.test.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import io.lettuce.core.RedisCommandExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Redis Sentinel set-up for tests: one master, its replicas and the Sentinels that
 * monitor them, each a {@code redis-server} process on a free loopback port.
 *
 * <pre class="code">
 * try (RedisSentinelSet set = RedisSentinelSet.builder().replicas(1).sentinels(3).start()) {
 *     // spring.data.redis.sentinel.master = set.masterName()
 *     // spring.data.redis.sentinel.nodes = set.sentinelNodes()
 *     RedisServer promoted = set.failover();
 * }
 * </pre>
 * <p>
 * The binary is the one {@link RedisServer} finds ({@code $REDIS_SERVER_BIN},
 * {@code redis-server} on the {@code PATH} or the static binary of
 * {@code org.signal:embedded-redis}; a Sentinel is the same binary started as
 * {@code redis-server <file> --sentinel}). A Testcontainers container cannot take part:
 * the processes must reach each other on {@code 127.0.0.1}.
 * <p>
 * {@link Builder#start()} returns once every replica has its link to the master up and
 * every Sentinel knows the master, all replicas (with a working link to each) and all
 * other Sentinels. Every data node runs with {@code repl-diskless-sync-delay 0}, so that
 * a replica syncs at once rather than after Redis's default delay of 5 s.
 * <p>
 * The nodes are ordinary {@link RedisServer}s: tests may {@link RedisServer#pause()},
 * {@link RedisServer#kill()} or {@link RedisServer#restart()} them. On a Sentinel the
 * admin methods {@link RedisServer#command}, {@link RedisServer#info} and
 * {@link RedisServer#clientList()} work; {@code CONFIG} and {@code FLUSHALL} do not exist
 * there. {@link #close()} stops every process the set started, by its own process handle,
 * and deletes their files.
 */
public final class RedisSentinelSet implements AutoCloseable {

	private static final Logger log = LoggerFactory.getLogger(RedisSentinelSet.class);

	private final String masterName;

	private final Duration timeout;

	private final List<RedisServer> replicas = new ArrayList<>();

	private final List<RedisServer> sentinels = new ArrayList<>();

	private RedisServer master;

	private volatile boolean closed;

	private RedisSentinelSet(Builder builder) {
		this.masterName = builder.masterName;
		this.timeout = builder.timeout;
	}

	/**
	 * Starts a set with the defaults: 1 replica, 3 Sentinels, master {@code mymaster}.
	 * @return the started set
	 */
	public static RedisSentinelSet start() {
		return builder().start();
	}

	/**
	 * A builder for a set with other sizes, names or Sentinel timings.
	 * @return a builder with the defaults
	 */
	public static Builder builder() {
		return new Builder();
	}

	/** Options of a {@link RedisSentinelSet}; {@link #start()} launches it. */
	public static final class Builder {

		private String masterName = "mymaster";

		private int replicas = 1;

		private int sentinels = 3;

		private int quorum;

		private Duration downAfter = Duration.ofSeconds(2);

		private Duration failoverTimeout = Duration.ofSeconds(10);

		private Duration timeout = Duration.ofSeconds(30);

		private Builder() {
		}

		/**
		 * The name the Sentinels monitor the master under (default {@code mymaster}).
		 * @param masterName the master name
		 * @return this builder
		 */
		public Builder masterName(String masterName) {
			Objects.requireNonNull(masterName, "masterName");
			if (!masterName.matches("[A-Za-z0-9._-]+")) {
				throw new IllegalArgumentException(
						"master name must be letters, digits, '.', '_' or '-': " + masterName);
			}
			this.masterName = masterName;
			return this;
		}

		/**
		 * How many replicas of the master to start (default 1); 0 allows no failover.
		 * @param replicas the number of replicas
		 * @return this builder
		 */
		public Builder replicas(int replicas) {
			if (replicas < 0) {
				throw new IllegalArgumentException("replicas must not be negative: " + replicas);
			}
			this.replicas = replicas;
			return this;
		}

		/**
		 * How many Sentinels to start (default 3).
		 * @param sentinels the number of Sentinels
		 * @return this builder
		 */
		public Builder sentinels(int sentinels) {
			if (sentinels < 1) {
				throw new IllegalArgumentException("at least one Sentinel is needed: " + sentinels);
			}
			this.sentinels = sentinels;
			return this;
		}

		/**
		 * How many Sentinels must agree that the master is down before a failover starts
		 * on its own; by default a majority of them.
		 * @param quorum the number of Sentinels that must agree
		 * @return this builder
		 */
		public Builder quorum(int quorum) {
			if (quorum < 1) {
				throw new IllegalArgumentException("quorum must be positive: " + quorum);
			}
			this.quorum = quorum;
			return this;
		}

		/**
		 * Sentinel's {@code down-after-milliseconds}: how long the master may not answer
		 * before a Sentinel deems it down (default 2 s, far below Redis's 30 s).
		 * @param downAfter the {@code down-after-milliseconds} of the Sentinels
		 * @return this builder
		 */
		public Builder downAfter(Duration downAfter) {
			this.downAfter = ServerSets.positive(downAfter, "downAfter");
			return this;
		}

		/**
		 * Sentinel's {@code failover-timeout} (default 10 s, far below Redis's 3 min):
		 * how long a failover may take, and twice that before the same master is failed
		 * over again on its own.
		 * @param failoverTimeout the {@code failover-timeout} of the Sentinels
		 * @return this builder
		 */
		public Builder failoverTimeout(Duration failoverTimeout) {
			this.failoverTimeout = ServerSets.positive(failoverTimeout, "failoverTimeout");
			return this;
		}

		/**
		 * How long {@link #start()} and {@link RedisSentinelSet#failover()} may wait for
		 * the set to settle before they throw (default 30 s). Only a guard against hangs.
		 * @param timeout the longest wait
		 * @return this builder
		 */
		public Builder timeout(Duration timeout) {
			this.timeout = ServerSets.positive(timeout, "timeout");
			return this;
		}

		/**
		 * Starts the master, the replicas and the Sentinels, and waits until they all
		 * know each other.
		 * @return the started set
		 * @throws IllegalStateException when a process does not start or the set does not
		 * come together within the timeout; the message names what is missing
		 */
		public RedisSentinelSet start() {
			if (quorum > sentinels) {
				throw new IllegalArgumentException(
						"quorum " + quorum + " is more than the " + sentinels + " Sentinels");
			}
			RedisSentinelSet set = new RedisSentinelSet(this);
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
	 * The name the Sentinels monitor the master under.
	 * @return the master name
	 */
	public String masterName() {
		return masterName;
	}

	/**
	 * The server started as the master. After a {@link #failover()} it is a replica (once
	 * the Sentinels have turned it into one); {@link #currentMaster()} is the master
	 * then.
	 * @return the server started as the master
	 */
	public RedisServer master() {
		return master;
	}

	/**
	 * The servers started as replicas, in start order.
	 * @return the replicas, a copy
	 */
	public List<RedisServer> replicas() {
		return List.copyOf(replicas);
	}

	/**
	 * The master and the replicas, as started.
	 * @return the master, then the replicas
	 */
	public List<RedisServer> dataNodes() {
		List<RedisServer> nodes = new ArrayList<>();
		nodes.add(master);
		nodes.addAll(replicas);
		return nodes;
	}

	/**
	 * The Sentinels, in start order.
	 * @return the Sentinels, a copy
	 */
	public List<RedisServer> sentinels() {
		return List.copyOf(sentinels);
	}

	/**
	 * The Sentinels as {@code 127.0.0.1:port,...}, the form of
	 * {@code spring.data.redis.sentinel.nodes}.
	 * @return the Sentinels' addresses, comma-separated
	 */
	public String sentinelNodes() {
		return sentinels.stream().map(ServerSets::address).collect(Collectors.joining(","));
	}

	/**
	 * The data node that the first answering Sentinel names as master
	 * ({@code SENTINEL GET-MASTER-ADDR-BY-NAME}).
	 * @return the current master
	 * @throws IllegalStateException when no Sentinel answers or the address is none of
	 * this set's nodes
	 */
	public RedisServer currentMaster() {
		ensureOpen();
		RuntimeException last = null;
		for (RedisServer sentinel : sentinels) {
			if (!sentinel.isRunning()) {
				continue;
			}
			try {
				return nodeAt(masterAddress(sentinel));
			}
			catch (RuntimeException e) {
				last = e;
			}
		}
		throw new IllegalStateException("No Sentinel of " + this + " names the current master", last);
	}

	/**
	 * Asks a Sentinel for a failover ({@code SENTINEL FAILOVER <name>}, which needs no
	 * agreement) and waits until every running Sentinel names the same new master and
	 * that server reports {@code role:master}. The old master is turned into a replica of
	 * the new one by the Sentinels some seconds later (about 11 s with the defaults);
	 * this method does not wait for that, but a second failover waits until the Sentinel
	 * has a healthy replica again. Meant for a healthy set: when a test takes the master
	 * down, the Sentinels fail over on their own after {@code downAfter}.
	 * @return the new master
	 * @throws IllegalStateException when the set has no replica, or the failover does not
	 * complete within the timeout
	 */
	public RedisServer failover() {
		ensureOpen();
		if (replicas.isEmpty()) {
			throw new IllegalStateException("A failover needs a replica, but " + this + " has none");
		}
		long deadline = deadline();
		List<RedisServer> running = sentinels.stream().filter(RedisServer::isRunning).toList();
		if (running.isEmpty()) {
			throw new IllegalStateException("A failover needs a running Sentinel, but " + this + " has none");
		}
		RedisServer sentinel = running.get(0);
		RedisServer oldMaster = nodeAt(masterAddress(sentinel));
		// Sentinel refuses (NOGOODSLAVE) while it has no replica it trusts, e.g. right
		// after an earlier failover, before the old master has been turned into a
		// replica.
		awaitCondition(deadline, "Sentinel " + sentinel.port() + " to know a healthy replica of " + masterName,
				() -> healthyReplicas(sentinel).isEmpty() ? "none yet: " + replicaStates(sentinel) : null);
		awaitCondition(deadline, "Sentinel " + sentinel.port() + " to accept SENTINEL FAILOVER " + masterName, () -> {
			try {
				sentinel.command("SENTINEL", "FAILOVER", masterName);
				return null;
			}
			catch (RedisCommandExecutionException e) {
				return e.getMessage();
			}
		});
		String oldAddress = ServerSets.address(oldMaster);
		awaitCondition(deadline, "every running Sentinel to name a new master instead of " + oldAddress, () -> {
			Map<Integer, String> addresses = new LinkedHashMap<>();
			for (RedisServer each : running) {
				addresses.put(each.port(), masterAddress(each));
			}
			boolean agreed = addresses.values().stream().distinct().count() == 1
					&& !addresses.values().contains(oldAddress);
			return agreed ? null : "Sentinel port -> master: " + addresses;
		});
		RedisServer newMaster = nodeAt(masterAddress(sentinel));
		awaitCondition(deadline, "the new master " + ServerSets.address(newMaster) + " to report role:master", () -> {
			String role = newMaster.infoMap("replication").get("role");
			return "master".equals(role) ? null : "role:" + role;
		});
		log.info("Failed over {} from {} to {}", masterName, oldAddress, ServerSets.address(newMaster));
		return newMaster;
	}

	/**
	 * Stops every process of the set, Sentinels first so that they start no failover
	 * meanwhile, then replicas, then the master, and deletes their files. Idempotent.
	 */
	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		closed = true;
		List<RedisServer> all = new ArrayList<>(sentinels);
		List<RedisServer> replicasLastFirst = new ArrayList<>(replicas);
		Collections.reverse(replicasLastFirst);
		all.addAll(replicasLastFirst);
		if (master != null) {
			all.add(master);
		}
		ServerSets.closeAll(all);
	}

	@Override
	public String toString() {
		return "RedisSentinelSet[" + masterName + ", master " + (master == null ? "-" : master.port()) + ", replicas "
				+ replicas.stream().map(RedisServer::port).toList() + ", sentinels "
				+ sentinels.stream().map(RedisServer::port).toList() + "]";
	}

	private void launch(Builder builder) {
		long started = System.nanoTime();
		long deadline = deadline();
		master = dataNode("master").start();
		ServerSets.requireProcess(master, "A Sentinel set");
		for (int i = 1; i <= builder.replicas; i++) {
			replicas.add(dataNode("replica-" + i).config("replicaof", master.host() + " " + master.port()).start());
		}
		for (RedisServer replica : replicas) {
			awaitCondition(deadline, "replica " + replica.port() + " to report master_link_status:up", () -> {
				String link = replica.infoMap("replication").get("master_link_status");
				return "up".equals(link) ? null : "master_link_status:" + link;
			});
		}
		int quorum = builder.quorum > 0 ? builder.quorum : builder.sentinels / 2 + 1;
		String config = String.join("\n",
				"sentinel monitor " + masterName + " " + master.host() + " " + master.port() + " " + quorum,
				"sentinel down-after-milliseconds " + masterName + " " + builder.downAfter.toMillis(),
				"sentinel failover-timeout " + masterName + " " + builder.failoverTimeout.toMillis(),
				"sentinel parallel-syncs " + masterName + " 1", "");
		for (int i = 1; i <= builder.sentinels; i++) {
			sentinels.add(RedisServer.builder().name("sentinel-" + i).sentinel(config).start());
		}
		for (RedisServer sentinel : sentinels) {
			awaitSentinelReady(sentinel, deadline);
		}
		log.info("Started {} in {} ms", this, Duration.ofNanos(System.nanoTime() - started).toMillis());
	}

	private RedisServer.Builder dataNode(String name) {
		return RedisServer.builder().name(name).config("repl-diskless-sync-delay", "0");
	}

	private void awaitSentinelReady(RedisServer sentinel, long deadline) {
		int otherSentinels = sentinels.size() - 1;
		awaitCondition(deadline, "Sentinel " + sentinel.port() + " to know master " + masterName + " with "
				+ replicas.size() + " replica(s) and " + otherSentinels + " other Sentinel(s)", () -> {
					Map<String, String> fields = pairs(sentinel.command("SENTINEL", "MASTER", masterName));
					boolean ready = "master".equals(fields.get("flags"))
							&& String.valueOf(replicas.size()).equals(fields.get("num-slaves"))
							&& String.valueOf(otherSentinels).equals(fields.get("num-other-sentinels"));
					return ready ? null : "flags=" + fields.get("flags") + ", num-slaves=" + fields.get("num-slaves")
							+ ", num-other-sentinels=" + fields.get("num-other-sentinels");
				});
		// num-slaves counts a replica as soon as the master's INFO names it; a failover
		// needs the Sentinel to have talked to it too.
		awaitCondition(deadline, "Sentinel " + sentinel.port() + " to reach all " + replicas.size() + " replica(s)",
				() -> healthyReplicas(sentinel).size() == replicas.size() ? null : replicaStates(sentinel));
	}

	/** Replicas the Sentinel has a working link to and that have their master link up. */
	private List<Map<String, String>> healthyReplicas(RedisServer sentinel) {
		return sentinelReplicas(sentinel).stream()
			.filter(fields -> "slave".equals(fields.get("flags")) && "ok".equals(fields.get("master-link-status")))
			.toList();
	}

	private String replicaStates(RedisServer sentinel) {
		return sentinelReplicas(sentinel).stream()
			.map(fields -> fields.get("name") + " flags=" + fields.get("flags") + " master-link-status="
					+ fields.get("master-link-status"))
			.toList()
			.toString();
	}

	/**
	 * {@code SENTINEL REPLICAS <name>}: one map per replica. {@link RedisServer#command}
	 * renders each as {@code [key, value, ...]}; no value Sentinel reports contains
	 * {@code ", "} (flags are joined by a bare comma).
	 */
	private List<Map<String, String>> sentinelReplicas(RedisServer sentinel) {
		String reply = sentinel.command("SENTINEL", "REPLICAS", masterName);
		List<Map<String, String>> result = new ArrayList<>();
		if (reply == null) {
			return result;
		}
		reply.lines().filter(line -> line.startsWith("[") && line.endsWith("]")).forEach(line -> {
			String inner = line.substring(1, line.length() - 1);
			result.add(pairs(String.join("\n", Arrays.asList(inner.split(", ", -1)))));
		});
		return result;
	}

	/** A flat {@code key, value, ...} reply, one element per line, as a map. */
	private static Map<String, String> pairs(String reply) {
		Map<String, String> fields = new LinkedHashMap<>();
		if (reply == null) {
			return fields;
		}
		List<String> items = reply.lines().toList();
		for (int i = 0; i + 1 < items.size(); i += 2) {
			fields.put(items.get(i), items.get(i + 1));
		}
		return fields;
	}

	/** {@code host:port} of the master as the Sentinel names it. */
	private String masterAddress(RedisServer sentinel) {
		String reply = sentinel.command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", masterName);
		List<String> parts = reply == null ? List.of() : reply.lines().toList();
		if (parts.size() != 2) {
			throw new IllegalStateException(
					"Sentinel " + sentinel.port() + " does not know master " + masterName + ": " + reply);
		}
		return parts.get(0) + ":" + parts.get(1);
	}

	private RedisServer nodeAt(String address) {
		return dataNodes().stream()
			.filter(node -> ServerSets.address(node).equals(address))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException(address + " is no data node of " + this));
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

}
