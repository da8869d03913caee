package io.github.redisgovernor.watchdog;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import io.github.redisgovernor.client.RedisEndpoint;
import io.github.redisgovernor.connection.ConnectionActivity.Activity;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.scheduling.RepeatingTask;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Watches the governed shared connections and replaces one whose server stopped
 * answering, which TCP alone notices only after many minutes (a failover behind a proxy,
 * a paused server, a peer whose kernel still acknowledges the bytes).
 * <p>
 * Every {@code fastInterval} it looks at each shared connection's activity, on the
 * governor's scheduler, and never waits there: a {@code PING} is sent and its reply
 * looked at on a later tick. {@link ConnectionCheck} holds the rule. In short:
 * <ul>
 * <li>a connection that answered anything within {@code interval} gets no {@code PING}
 * (the registry's heartbeat is enough at the defaults);</li>
 * <li>commands waiting while nothing arrives for a tick, or a failed check, bring a
 * {@code PING};</li>
 * <li>after {@code failureThreshold} failed checks in a row (a {@code PING} without a
 * reply within {@code timeout}), once nothing at all arrived for the command timeout, the
 * connection's channel is closed and Lettuce reconnects with the governed back-off.</li>
 * </ul>
 * Only the shared connections are watched: a dedicated connection parked in {@code BLPOP}
 * is the application's business and cannot answer a {@code PING} anyway.
 *
 * @author Redis Governor contributors
 */
public class PingWatchdog implements ConnectionWatchdog {

	private static final Log logger = LogFactory.getLog(PingWatchdog.class);

	private final GovernedConnection connection;

	private final GovernorScheduler scheduler;

	private final WatchdogSettings settings;

	private final AtomicLong recoveries = new AtomicLong();

	private final AtomicLong pings = new AtomicLong();

	// Only touched by the scheduled task.
	private final Map<StatefulConnection<?, ?>, ConnectionCheck> checks = new IdentityHashMap<>();

	private final RepeatingTask task;

	private volatile Supplier<Duration> idleInterval = () -> Duration.ZERO;

	/**
	 * Create a watchdog.
	 * @param connection the governed connection
	 * @param scheduler the scheduler to check on
	 * @param interval time without any reply after which an idle connection gets a
	 * {@code PING}
	 * @param fastInterval time between two checks
	 * @param timeout time a {@code PING} may wait for its reply
	 * @param failureThreshold failed checks in a row after which the connection is
	 * replaced
	 */
	public PingWatchdog(GovernedConnection connection, GovernorScheduler scheduler, Duration interval,
			Duration fastInterval, Duration timeout, int failureThreshold) {
		this.connection = connection;
		this.scheduler = scheduler;
		this.task = new RepeatingTask(scheduler, this::check);
		this.settings = WatchdogSettings.of(interval, fastInterval, timeout, connection.getCommandTimeout(),
				failureThreshold);
	}

	/**
	 * Let an idle connection go without a {@code PING} for as long as another flow proves
	 * it alive anyway: the registry's heartbeat gets a reply every heartbeat interval,
	 * and in a large fleet that interval stretches so that the fleet's cost stays flat.
	 * The idle {@code PING} waits for one and a half of those intervals (never less than
	 * the configured interval), so it is sent only when a heartbeat went missing. A
	 * stalled connection (commands waiting, nothing read) is checked at once, whatever
	 * this says.
	 * @param heartbeatInterval the current heartbeat interval
	 */
	public void followHeartbeat(Supplier<Duration> heartbeatInterval) {
		this.idleInterval = () -> {
			Duration interval = heartbeatInterval.get();
			return interval.plus(interval.dividedBy(2));
		};
	}

	@Override
	public void start() {
		Duration tick = Duration.ofNanos(this.settings.fastInterval());
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
	public long getRecoveries() {
		return this.recoveries.get();
	}

	/**
	 * Return how many {@code PING}s this watchdog sent.
	 * @return the number of {@code PING}s
	 */
	public long getPings() {
		return this.pings.get();
	}

	synchronized void check() {
		long now = System.nanoTime();
		boolean pinged = false;
		Map<StatefulConnection<?, ?>, String> watched = new IdentityHashMap<>();
		for (StatefulConnection<?, ?> each : this.connection.sharedConnections()) {
			watched.put(each, RedisEndpoint.describe(this.connection.getFactory()));
		}
		// On a cluster, the client's connection to each node too: one dead node is
		// replaced on its own, the others are left alone.
		this.connection.nodeConnections()
			.forEach((node, each) -> watched.put(each, "cluster " + node.role() + " " + node.address()));
		this.checks.keySet().retainAll(watched.keySet());
		for (StatefulConnection<?, ?> each : watched.keySet()) {
			ConnectionCheck check = this.checks.computeIfAbsent(each, (key) -> new ConnectionCheck(this.settings, now));
			check.idleInterval(this.idleInterval.get().toNanos());
			Activity activity = this.connection.activity(each);
			ConnectionCheck.Action action = check.tick(now, each.isOpen(), activity);
			if (action == ConnectionCheck.Action.PING) {
				this.pings.incrementAndGet();
				pinged = true;
				action = check.sent(now, ping(each), activity);
			}
			if (action == ConnectionCheck.Action.REPLACE) {
				replace(each, watched.get(each), check.silentMillisAtReplace());
			}
		}
		if (pinged && this.scheduler.isAvailable()) {
			// Look at the reply as soon as the PING's timeout has passed, not a tick
			// later.
			this.scheduler.schedule(this::check, Duration.ofNanos(this.settings.timeout() + 1_000_000));
		}
	}

	private static CompletableFuture<String> ping(StatefulConnection<?, ?> connection) {
		if (connection instanceof StatefulRedisClusterConnection<?, ?> cluster) {
			return cluster.async().ping().toCompletableFuture();
		}
		return ((StatefulRedisConnection<?, ?>) connection).async().ping().toCompletableFuture();
	}

	private void replace(StatefulConnection<?, ?> dead, String endpoint, long silentMillis) {
		String action = ChannelCloser.close(dead, this.connection.getFactory())
				? "closed its channel; Lettuce reconnects with the governed back-off"
				: "reset the factory's shared connection; the next command opens a new one";
		this.recoveries.incrementAndGet();
		logger.warn("Redis Governor [" + this.connection.getIdentity() + "] replaced the dead connection to " + endpoint
				+ ": nothing arrived on it for " + silentMillis + "ms and " + this.settings.failureThreshold()
				+ " watchdog checks in a row found its PING unanswered, so it " + action
				+ ". If this repeats, check the path to Redis: a failover, a paused or overloaded server, or "
				+ "a proxy or load balancer that keeps connections open without relaying them. If a command "
				+ "legitimately runs longer, raise redis.governor.command-timeout.");
	}

	@Override
	public String toString() {
		return "PingWatchdog[interval=" + this.settings.interval() / 1_000_000 + "ms, fastInterval="
				+ this.settings.fastInterval() / 1_000_000 + "ms, timeout=" + this.settings.timeout() / 1_000_000
				+ "ms, failureThreshold=" + this.settings.failureThreshold() + "]";
	}

}
