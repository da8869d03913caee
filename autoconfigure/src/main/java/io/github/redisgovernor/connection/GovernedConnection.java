package io.github.redisgovernor.connection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.lettuce.core.ReadFrom;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag;
import io.lettuce.core.protocol.ConnectionIntent;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

/**
 * The governed connection: the one {@link LettuceConnectionFactory} the governor governs,
 * chosen once, and the one way the governor sends a command to Redis. Every feature (the
 * registry, the sampler, the watchdog, the health indicators, the endpoint, the drain)
 * goes through it, so that one timeout rule applies everywhere and no feature opens a
 * connection of its own.
 * <ul>
 * <li>Commands go out on the factory's shared connection: the imperative one, or the
 * reactive one in a reactive application ({@link SharedConnectionStyle}), so that an
 * application using one style holds exactly one connection.</li>
 * <li>{@link #submit} never waits: background work on the {@link GovernorScheduler} hands
 * its commands over and handles the replies when they arrive. A reply that takes longer
 * than the command timeout completes the future with a {@link TimeoutException}. Opening
 * the connection, the one step that blocks, runs on a short-lived thread of its own,
 * never on the scheduler's thread.</li>
 * <li>{@link #execute} waits, at most the command timeout: for callers on their own
 * thread (a health check, the endpoint, the drain, startup).</li>
 * </ul>
 *
 * @author Redis Governor contributors
 */
public class GovernedConnection {

	private static final Executor CONNECT_EXECUTOR = connectThread();

	private final LettuceConnectionFactory factory;

	private final InstanceIdentity identity;

	private final Duration commandTimeout;

	private final ConnectionActivity activity;

	private final GovernorScheduler scheduler;

	private final SharedConnectionStyle style;

	private final Object connectMonitor = new Object();

	private volatile @Nullable SharedConnection current;

	private volatile @Nullable CompletableFuture<SharedConnection> connecting;

	/**
	 * Create the governed connection.
	 * @param factory the governed factory
	 * @param identity this instance
	 * @param commandTimeout the longest any command's reply is awaited
	 * @param activity the activity of the client's connections
	 * @param scheduler the governor's scheduler, which times out {@link #submit} work
	 * @param style which shared connection the governor's own commands use
	 */
	public GovernedConnection(LettuceConnectionFactory factory, InstanceIdentity identity, Duration commandTimeout,
			ConnectionActivity activity, GovernorScheduler scheduler, SharedConnectionStyle style) {
		Assert.notNull(factory, "'factory' must not be null");
		Assert.isTrue(commandTimeout != null && commandTimeout.compareTo(Duration.ZERO) > 0,
				"'commandTimeout' must be positive");
		this.factory = factory;
		this.identity = identity;
		this.commandTimeout = commandTimeout;
		this.activity = activity;
		this.scheduler = scheduler;
		this.style = style;
	}

	/**
	 * Send commands without waiting for them. The returned future completes with the
	 * work's result, with the server's error, or with a {@link TimeoutException} once the
	 * command timeout has passed without a reply.
	 * @param <T> the result type
	 * @param work the commands to send
	 * @return the result to come
	 */
	public <T> CompletableFuture<T> submit(Work<T> work) {
		CompletableFuture<T> result = ready()
			.thenCompose((shared) -> work.run(shared.commands()).toCompletableFuture());
		return withTimeout(result);
	}

	/**
	 * Send commands and wait for the result, at most the command timeout (plus the
	 * connect timeout when the connection must be opened first).
	 * @param <T> the result type
	 * @param work the commands to send
	 * @return the result
	 * @throws Exception the server's error reply, a {@link TimeoutException}, or a
	 * connection failure; never wrapped in an {@link ExecutionException}
	 */
	public <T> T execute(Work<T> work) throws Exception {
		SharedConnection connection = connect();
		CompletableFuture<T> result = work.run(connection.commands()).toCompletableFuture();
		try {
			return result.get(this.commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			result.cancel(false);
			throw new TimeoutException(
					"no reply within the command timeout (" + this.commandTimeout.toMillis() + "ms)");
		}
		catch (ExecutionException ex) {
			Throwable cause = ex.getCause();
			throw (cause instanceof Exception exception) ? exception : ex;
		}
	}

	/**
	 * Return the shared connections that are open or reconnecting now: the one the
	 * governor's commands use, and the application's other shared connection when it has
	 * opened one (an application that uses both the imperative and the reactive API).
	 * Never opens a connection.
	 * @return the connections
	 */
	public List<StatefulConnection<?, ?>> sharedConnections() {
		List<StatefulConnection<?, ?>> connections = new ArrayList<>(2);
		SharedConnection governing = usable(this.current);
		if (governing != null) {
			connections.add(governing.connection());
		}
		for (SharedConnectionStyle each : SharedConnectionStyle.RESOLVED) {
			StatefulConnection<?, ?> existing = SharedConnection.existing(this.factory, each);
			if (existing != null && !isClosed(existing) && (governing == null || existing != governing.connection())) {
				connections.add(existing);
			}
		}
		return connections;
	}

	/**
	 * Return whether the governed factory talks to a Redis Cluster.
	 * @return {@code true} for a cluster
	 */
	public boolean isCluster() {
		return this.factory.isClusterAware();
	}

	/**
	 * Return the cluster nodes the governor accounts for, from the client's current view
	 * of the topology: every master, and every replica too when the application reads
	 * from replicas ({@code spring.data.redis.lettuce.read-from}). Never opens a
	 * connection and never sends a command.
	 * @return the nodes, masters first, each group by address; empty when the factory is
	 * not clustered or the cluster connection is not open
	 */
	public List<Node> clusterNodes() {
		StatefulRedisClusterConnection<?, ?> cluster = openCluster();
		if (cluster == null) {
			return List.of();
		}
		boolean replicas = readsFromReplicas();
		List<Node> nodes = new ArrayList<>();
		for (RedisClusterNode each : cluster.getPartitions()) {
			RedisURI uri = each.getUri();
			if (uri == null || each.is(NodeFlag.NOADDR) || each.is(NodeFlag.HANDSHAKE)) {
				continue;
			}
			boolean master = each.is(NodeFlag.UPSTREAM) || each.is(NodeFlag.MASTER);
			if (!master && !replicas) {
				continue;
			}
			if (master && each.hasNoSlots() && each.is(NodeFlag.FAIL)) {
				// A failed master whose slots went to its promoted replica.
				continue;
			}
			nodes.add(new Node(each.getNodeId(), uri.getHost(), uri.getPort(), master,
					each.is(NodeFlag.FAIL) || each.is(NodeFlag.EVENTUAL_FAIL)));
		}
		nodes.sort(Comparator.comparing((Node node) -> !node.master()).thenComparing(Node::address));
		return nodes;
	}

	private @Nullable StatefulRedisClusterConnection<?, ?> openCluster() {
		SharedConnection governing = usable(this.current);
		return (governing != null && governing.connection() instanceof StatefulRedisClusterConnection<?, ?> cluster)
				? cluster : null;
	}

	private boolean readsFromReplicas() {
		ReadFrom readFrom = this.factory.getClientConfiguration().getReadFrom().orElse(null);
		return readFrom != null && readFrom != ReadFrom.MASTER && readFrom != ReadFrom.UPSTREAM;
	}

	/**
	 * Send commands to one cluster node without waiting for them, on the client's own
	 * connection to that node (the one it routes the node's slots through), so that no
	 * connection is added. Completes like {@link #submit}.
	 * @param <T> the result type
	 * @param node the node
	 * @param work the commands to send
	 * @return the result to come
	 */
	@SuppressWarnings("unchecked")
	public <T> CompletableFuture<T> submitTo(Node node, Work<T> work) {
		CompletableFuture<T> result = ready().thenCompose((shared) -> {
			if (!(shared.connection() instanceof StatefulRedisClusterConnection<?, ?> cluster)) {
				return CompletableFuture.failedFuture(new IllegalStateException("not a cluster connection"));
			}
			return cluster.getConnectionAsync(node.host(), node.port(), node.intent())
				.thenCompose(
						(nodeConnection) -> work.run((RedisClusterAsyncCommands<byte[], byte[]>) nodeConnection.async())
							.toCompletableFuture());
		});
		return withTimeout(result);
	}

	/**
	 * Return the client's connections to the nodes of {@link #clusterNodes()}, by node:
	 * the ones it routes each node's slots through. Never waits: a node whose connection
	 * is still being opened is left out (asking for a node's connection opens it, as the
	 * first command for one of its slots would).
	 * @return the node connections; empty when the factory is not clustered
	 */
	public Map<Node, StatefulConnection<?, ?>> nodeConnections() {
		StatefulRedisClusterConnection<?, ?> cluster = openCluster();
		if (cluster == null) {
			return Map.of();
		}
		Map<Node, StatefulConnection<?, ?>> connections = new LinkedHashMap<>();
		for (Node node : clusterNodes()) {
			CompletableFuture<? extends StatefulRedisConnection<?, ?>> future = cluster.getConnectionAsync(node.host(),
					node.port(), node.intent());
			StatefulRedisConnection<?, ?> existing = (future.isDone() && !future.isCompletedExceptionally())
					? future.getNow(null) : null;
			if (existing != null && !isClosed(existing)) {
				connections.put(node, existing);
			}
		}
		return connections;
	}

	/**
	 * Return the activity of a connection of the governed client.
	 * @param connection the connection
	 * @return its activity
	 */
	public ConnectionActivity.Activity activity(StatefulConnection<?, ?> connection) {
		return this.activity.of(connection);
	}

	/**
	 * Return the server the connection that carries the governor's commands is connected
	 * to now, as {@code host:port}. Behind Sentinel, this is the master it follows. Never
	 * opens a connection.
	 * @return the address, or {@code null} while it is not connected (or for a cluster
	 * connection, which talks to every node)
	 */
	public @Nullable String remoteAddress() {
		SharedConnection governing = usable(this.current);
		SocketAddress address = (governing != null) ? this.activity.remoteAddress(governing.connection()) : null;
		if (address instanceof InetSocketAddress inet) {
			return inet.getHostString() + ":" + inet.getPort();
		}
		return (address != null) ? address.toString() : null;
	}

	/**
	 * Return the activity of the shared connections together: commands written, reads,
	 * and commands waiting for a reply now. Never opens a connection.
	 * @return the sum over {@link #sharedConnections()}
	 */
	public ConnectionActivity.Activity sharedActivity() {
		long written = 0;
		long reads = 0;
		int waiting = 0;
		boolean known = true;
		for (StatefulConnection<?, ?> connection : sharedConnections()) {
			ConnectionActivity.Activity each = activity(connection);
			written += each.written();
			reads += each.reads();
			waiting += each.waiting();
			known &= each.known();
		}
		return new ConnectionActivity.Activity(written, reads, waiting, known);
	}

	/**
	 * Return the governed factory.
	 * @return the factory
	 */
	public LettuceConnectionFactory getFactory() {
		return this.factory;
	}

	/**
	 * Return this instance's identity.
	 * @return the identity
	 */
	public InstanceIdentity getIdentity() {
		return this.identity;
	}

	/**
	 * Return the longest any command's reply is awaited.
	 * @return the command timeout
	 */
	public Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	/**
	 * Return which shared connection the governor's own commands use.
	 * @return the style, never {@link SharedConnectionStyle#AUTO}
	 */
	public SharedConnectionStyle getStyle() {
		return this.style;
	}

	/**
	 * Return the shared connection, opening it if needed; blocks at most the connect
	 * timeout.
	 */
	private SharedConnection connect() {
		SharedConnection connection = usable(this.current);
		if (connection != null) {
			return connection;
		}
		synchronized (this.connectMonitor) {
			connection = usable(this.current);
			if (connection == null) {
				connection = SharedConnection.obtain(this.factory, this.style);
				this.current = connection;
			}
			return connection;
		}
	}

	/**
	 * The shared connection when it is open, else the opening of it, never waiting.
	 */
	private CompletableFuture<SharedConnection> ready() {
		SharedConnection connection = usable(this.current);
		return (connection != null) ? CompletableFuture.completedFuture(connection) : connectAsync();
	}

	private CompletableFuture<SharedConnection> connectAsync() {
		synchronized (this.connectMonitor) {
			CompletableFuture<SharedConnection> pending = this.connecting;
			if (pending != null && !pending.isDone()) {
				return pending;
			}
			pending = CompletableFuture.supplyAsync(this::connect, connectExecutor());
			this.connecting = pending;
			return pending;
		}
	}

	/**
	 * Opening a connection blocks (a cluster client even waits for its topology, which
	 * Lettuce completes on its event executors), so it runs neither on the governor's one
	 * thread nor on Lettuce's executors, but on a thread of its own that exists only
	 * while the connection is being opened.
	 */
	private Executor connectExecutor() {
		return CONNECT_EXECUTOR;
	}

	private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> result) {
		if (result.isDone() || !this.scheduler.isAvailable()) {
			return result;
		}
		ScheduledFuture<?> timer = this.scheduler.schedule(
				() -> result.completeExceptionally(new TimeoutException(
						"no reply within the command timeout (" + this.commandTimeout.toMillis() + "ms)")),
				this.commandTimeout.plus(connectAllowance()));
		result.whenComplete((value, failure) -> timer.cancel(false));
		return result;
	}

	private Duration connectAllowance() {
		return (usable(this.current) != null) ? Duration.ZERO : this.commandTimeout;
	}

	private static @Nullable SharedConnection usable(@Nullable SharedConnection connection) {
		return (connection != null && !isClosed(connection.connection())) ? connection : null;
	}

	/**
	 * A connection closed for good (by the factory's stop or reset), as opposed to one
	 * that Lettuce is reconnecting.
	 */
	private static boolean isClosed(StatefulConnection<?, ?> connection) {
		return (connection instanceof RedisChannelHandler<?, ?> handler) ? handler.isClosed() : !connection.isOpen();
	}

	private static Executor connectThread() {
		// A thread per opening: it is rare (start-up, a reset), never concurrent (one
		// pending opening at a time), and leaves no thread behind once done.
		return (task) -> {
			Thread thread = new Thread(task, "redis-governor-connect");
			thread.setDaemon(true);
			thread.start();
		};
	}

	@Override
	public String toString() {
		return "GovernedConnection[" + this.identity.getClientName() + ", " + this.style + "]";
	}

	/**
	 * A cluster node, as the client's topology shows it.
	 *
	 * @param nodeId the node's id
	 * @param host the node's host
	 * @param port the node's port
	 * @param master whether it is a master (else a replica the application reads from)
	 * @param failing whether the cluster flags it {@code fail} or {@code fail?}
	 */
	public record Node(String nodeId, String host, int port, boolean master, boolean failing) {

		/**
		 * Return the node's address.
		 * @return {@code host:port}
		 */
		public String address() {
			return this.host + ":" + this.port;
		}

		/**
		 * Return the node's role.
		 * @return {@code master} or {@code replica}
		 */
		public String role() {
			return this.master ? "master" : "replica";
		}

		ConnectionIntent intent() {
			return this.master ? ConnectionIntent.WRITE : ConnectionIntent.READ;
		}

	}

	/**
	 * Commands to send on the shared connection.
	 *
	 * @param <T> the result type
	 */
	@FunctionalInterface
	public interface Work<T> {

		/**
		 * Send commands; never wait for them here.
		 * @param commands the shared connection's asynchronous commands
		 * @return the result to come
		 */
		CompletionStage<T> run(RedisClusterAsyncCommands<byte[], byte[]> commands);

	}

}
