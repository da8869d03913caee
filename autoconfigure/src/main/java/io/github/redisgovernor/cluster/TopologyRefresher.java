package io.github.redisgovernor.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.connection.GovernedConnection.Node;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.scheduling.RepeatingTask;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Keeps a Redis Cluster client's view of the topology current, at a cost that does not
 * grow with the fleet. Lettuce refreshes on its own when a command is redirected
 * ({@code MOVED}, {@code ASK}) or a slot is uncovered (adaptive triggers, at most one
 * refresh per {@code redis.governor.cluster.refresh.adaptive-timeout}); this adds two
 * refreshes of its own, on the governor's thread. Each refresh opens a short-lived
 * connection to every node, so both are paced by the fleet size, through the registry's
 * heartbeat interval (at least {@code registry.heartbeat-interval}, and one
 * {@code fleet-heartbeat-rate}th of a second per live instance):
 * <ul>
 * <li><b>While a node is down</b>: when a node the client routes to is flagged
 * {@code fail}, or its connection is disconnected, the topology is read again every
 * {@code redis.governor.cluster.refresh.while-node-down} (1 s), and never more often than
 * a tenth of the heartbeat interval: about a second after the cluster promotes a replica,
 * every instance of a fleet of up to 100 follows it, instead of waiting for a command to
 * be redirected or for Lettuce's reconnect attempts to trigger a refresh; a larger fleet
 * refreshes at most {@code 10 × fleet-heartbeat-rate} (100) times a second in all, at a
 * moment when the cluster is already short of a node.</li>
 * <li><b>Periodic</b>: every {@code redis.governor.cluster.refresh.period} (60 s), and
 * never more often than ten heartbeat intervals: the fleet refreshes at most
 * {@code fleet-heartbeat-rate / 10} times a second in all.</li>
 * </ul>
 * Nothing here waits for Redis: a refresh runs on Lettuce's threads, and a new one starts
 * only when the last one ended.
 *
 * @author Redis Governor contributors
 */
public class TopologyRefresher implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(TopologyRefresher.class);

	private static final Duration TICK = Duration.ofSeconds(1);

	private final GovernedConnection connection;

	private final GovernorScheduler scheduler;

	private final Duration period;

	private final Duration whileNodeDown;

	private final Supplier<Duration> heartbeatInterval;

	private final AtomicLong refreshes = new AtomicLong();

	private final RepeatingTask task;

	private volatile boolean refreshing;

	private volatile long lastRefreshNanos = System.nanoTime();

	private @Nullable Set<String> lastMasters;

	private @Nullable String downSince;

	/**
	 * Create a refresher.
	 * @param connection the governed connection
	 * @param scheduler the governor's scheduler
	 * @param period the shortest time between two periodic refreshes
	 * @param whileNodeDown time between two refreshes while a node is down
	 * @param heartbeatInterval the registry's current heartbeat interval, which follows
	 * the fleet size
	 */
	public TopologyRefresher(GovernedConnection connection, GovernorScheduler scheduler, Duration period,
			Duration whileNodeDown, Supplier<Duration> heartbeatInterval) {
		this.connection = connection;
		this.scheduler = scheduler;
		this.task = new RepeatingTask(scheduler, this::tick);
		this.period = period;
		this.whileNodeDown = whileNodeDown;
		this.heartbeatInterval = heartbeatInterval;
	}

	@Override
	public void start() {
		if (!this.connection.isCluster()) {
			return;
		}
		Duration tick = (this.whileNodeDown.compareTo(TICK) < 0) ? this.whileNodeDown : TICK;
		this.task.start(tick);
	}

	@Override
	public void stop() {
		this.task.stop();
	}

	@Override
	public boolean isRunning() {
		return this.task.isRunning();
	}

	@Override
	public int getPhase() {
		// Like the watchdog: runs while the shared connection is open.
		return SmartLifecycle.DEFAULT_PHASE - 1536;
	}

	/**
	 * Return the refreshes this refresher started.
	 * @return the count
	 */
	public long getRefreshes() {
		return this.refreshes.get();
	}

	/**
	 * Return the time between two periodic refreshes now.
	 * @return the period, at least the configured one
	 */
	public Duration currentPeriod() {
		return periodFor(this.period, this.heartbeatInterval.get());
	}

	/**
	 * Return the time between two refreshes while a node is down now.
	 * @return the time, at least the configured one
	 */
	public Duration currentWhileNodeDown() {
		return whileNodeDownFor(this.whileNodeDown, this.heartbeatInterval.get());
	}

	/**
	 * The periodic refresh's period: the configured one, and at least ten heartbeat
	 * intervals.
	 * @param period the configured period
	 * @param heartbeatInterval the registry's current heartbeat interval
	 * @return the period
	 */
	static Duration periodFor(Duration period, Duration heartbeatInterval) {
		return max(period, heartbeatInterval.multipliedBy(10));
	}

	/**
	 * The time between two refreshes while a node is down: the configured one, and at
	 * least a tenth of the heartbeat interval.
	 * @param whileNodeDown the configured time
	 * @param heartbeatInterval the registry's current heartbeat interval
	 * @return the time
	 */
	static Duration whileNodeDownFor(Duration whileNodeDown, Duration heartbeatInterval) {
		return max(whileNodeDown, heartbeatInterval.dividedBy(10));
	}

	private static Duration max(Duration a, Duration b) {
		return (a.compareTo(b) >= 0) ? a : b;
	}

	void tick() {
		if (this.refreshing) {
			return;
		}
		List<Node> nodes = this.connection.clusterNodes();
		if (nodes.isEmpty()) {
			return;
		}
		noticeTopology(nodes);
		String down = downNode(nodes);
		long since = System.nanoTime() - this.lastRefreshNanos;
		if (down != null) {
			Duration every = currentWhileNodeDown();
			if (this.downSince == null) {
				this.downSince = down;
				logger.info("Redis Governor [" + this.connection.getIdentity() + "] cluster node " + down
						+ "; reading the topology every " + every.toMillis() + "ms until it is back or replaced.");
			}
			if (since >= every.toNanos()) {
				refresh();
			}
			return;
		}
		this.downSince = null;
		if (since >= currentPeriod().toNanos()) {
			refresh();
		}
	}

	private @Nullable String downNode(List<Node> nodes) {
		for (Node node : nodes) {
			if (node.failing()) {
				return node.address() + " is flagged fail";
			}
		}
		for (Map.Entry<Node, StatefulConnection<?, ?>> each : this.connection.nodeConnections().entrySet()) {
			if (!each.getValue().isOpen()) {
				return each.getKey().address() + " is disconnected";
			}
		}
		return null;
	}

	private void noticeTopology(List<Node> nodes) {
		Set<String> masters = new TreeSet<>();
		for (Node node : nodes) {
			if (node.master()) {
				masters.add(node.address());
			}
		}
		Set<String> last = this.lastMasters;
		if (last != null && !last.equals(masters)) {
			logger.info("Redis Governor [" + this.connection.getIdentity() + "] cluster masters are now " + masters
					+ " (were " + last + ").");
		}
		this.lastMasters = masters;
	}

	private void refresh() {
		AbstractRedisClient client = this.connection.getFactory().getNativeClient();
		if (!(client instanceof RedisClusterClient cluster)) {
			return;
		}
		this.refreshing = true;
		this.lastRefreshNanos = System.nanoTime();
		this.refreshes.incrementAndGet();
		try {
			cluster.refreshPartitionsAsync().whenComplete((ignored, failure) -> {
				this.refreshing = false;
				if (failure != null && logger.isDebugEnabled()) {
					logger.debug("Redis Governor [" + this.connection.getIdentity()
							+ "] could not read the cluster topology: " + Failures.describe(failure));
				}
			});
		}
		catch (RuntimeException ex) {
			this.refreshing = false;
			logger.debug("Redis Governor [" + this.connection.getIdentity()
					+ "] could not start a cluster topology refresh: " + Failures.describe(ex));
		}
	}

	@Override
	public String toString() {
		return "TopologyRefresher[period=" + this.period.toMillis() + "ms, whileNodeDown="
				+ this.whileNodeDown.toMillis() + "ms]";
	}

}
