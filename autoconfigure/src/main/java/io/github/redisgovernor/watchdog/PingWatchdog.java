package io.github.redisgovernor.watchdog;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.RedisEndpoint;
import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.protocol.DefaultEndpoint;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

/**
 * Sends a {@code PING} on the shared connection every interval, from one daemon thread of
 * its own. When {@code failureThreshold} checks in a row get no reply within the timeout
 * (or fail on a connection Lettuce still believes open), it closes the connection's
 * channel: Lettuce's own reconnect then opens a new one with the governed back-off, and
 * commands are rejected at once (not queued) meanwhile.
 * <p>
 * This catches what TCP cannot: a peer that stopped answering while the kernel still
 * acknowledges the bytes (a paused or failed-over server behind a load balancer or
 * proxy). Closing a channel is a local operation, so it works whatever the peer does.
 * <p>
 * It watches nothing when the factory does not share its native connection
 * ({@code setShareNativeConnection(false)}): then no connection outlives a caller.
 * <p>
 * At most one watchdog {@code PING} is in flight: while the previous one has no reply,
 * the next check counts another failure at once instead of sending another {@code PING}.
 * A dead connection is therefore replaced at most {@code interval + timeout +
 * (failureThreshold - 1) * interval} after it stopped answering. While the
 * connection is down and Lettuce is reconnecting, the watchdog only waits.
 *
 * @author Redis Governor contributors
 */
public class PingWatchdog implements ConnectionWatchdog {

	private static final Log logger = LogFactory.getLog(PingWatchdog.class);

	private final LettuceConnectionFactory connectionFactory;

	private final InstanceIdentity identity;

	private final Duration interval;

	private final Duration timeout;

	private final int failureThreshold;

	private final AtomicLong recoveries = new AtomicLong();

	private final Object lifecycleMonitor = new Object();

	private volatile @Nullable ScheduledThreadPoolExecutor scheduler;

	// Only touched by the scheduler thread.
	private @Nullable RedisFuture<String> pending;

	private @Nullable StatefulConnection<?, ?> watched;

	private long pendingSince;

	private int failures;

	/**
	 * Create a watchdog.
	 * @param connectionFactory the governed connection factory
	 * @param identity the identity named in log lines
	 * @param interval time between two checks
	 * @param timeout time a {@code PING} may wait for its reply
	 * @param failureThreshold failed checks in a row after which the connection is
	 * replaced
	 */
	public PingWatchdog(LettuceConnectionFactory connectionFactory, InstanceIdentity identity, Duration interval,
			Duration timeout, int failureThreshold) {
		Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "'interval' must be positive");
		Assert.isTrue(!timeout.isNegative() && !timeout.isZero(), "'timeout' must be positive");
		Assert.isTrue(failureThreshold >= 1, "'failureThreshold' must be at least 1");
		this.connectionFactory = connectionFactory;
		this.identity = identity;
		this.interval = interval;
		this.timeout = timeout;
		this.failureThreshold = failureThreshold;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.scheduler != null) {
				return;
			}
			ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, (task) -> {
				Thread thread = new Thread(task, "redis-governor-watchdog");
				thread.setDaemon(true);
				return thread;
			});
			scheduler.setRemoveOnCancelPolicy(true);
			// Fixed delay, not fixed rate: a slow check never causes a burst of catch-up checks.
			scheduler.scheduleWithFixedDelay(this::check, this.interval.toNanos(), this.interval.toNanos(),
					TimeUnit.NANOSECONDS);
			this.scheduler = scheduler;
		}
	}

	@Override
	public void stop() {
		ScheduledThreadPoolExecutor scheduler;
		synchronized (this.lifecycleMonitor) {
			scheduler = this.scheduler;
			this.scheduler = null;
		}
		if (scheduler != null) {
			scheduler.shutdownNow();
			try {
				scheduler.awaitTermination(this.timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.scheduler != null;
	}

	@Override
	public long getRecoveries() {
		return this.recoveries.get();
	}

	void check() {
		try {
			checkOnce();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			// Never let one odd failure end the periodic task.
			logger.debug("Redis Governor [" + this.identity + "] watchdog check failed unexpectedly", ex);
		}
	}

	private void checkOnce() throws InterruptedException {
		RedisFuture<String> ping = this.pending;
		StatefulConnection<?, ?> connection = this.watched;
		// A PING still pending from an earlier check has had its timeout already.
		long wait = 0;
		if (ping == null || connection == null) {
			connection = sharedConnection();
			if (connection == null || !connection.isOpen()) {
				// Not connected yet, or Lettuce is already reconnecting: nothing to replace.
				this.failures = 0;
				return;
			}
			ping = ping(connection);
			this.pending = ping;
			this.pendingSince = System.nanoTime();
			this.watched = connection;
			wait = this.timeout.toNanos();
		}
		try {
			ping.get(wait, TimeUnit.NANOSECONDS);
			this.pending = null;
			this.failures = 0;
		}
		catch (TimeoutException ex) {
			if (!connection.isOpen()) {
				// Lettuce noticed the loss itself and reconnects; drop this PING.
				ping.cancel(false);
				this.pending = null;
				this.failures = 0;
				return;
			}
			// Keep this PING and look at it again at the next check rather than send another.
			failed(connection,
					"no reply to a PING sent " + (System.nanoTime() - this.pendingSince) / 1_000_000 + "ms ago");
		}
		catch (ExecutionException ex) {
			this.pending = null;
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof RedisCommandExecutionException || !connection.isOpen()) {
				// The server answered (with an error), or the connection is already down and
				// Lettuce reconnects: neither is a dead connection the watchdog must replace.
				this.failures = 0;
				return;
			}
			failed(connection, cause.getClass().getSimpleName() + ": " + cause.getMessage());
		}
	}

	private @Nullable StatefulConnection<?, ?> sharedConnection() {
		if (!this.connectionFactory.getShareNativeConnection()) {
			// Every caller gets a connection of its own: there is no long-lived one to watch.
			return null;
		}
		RedisConnection connection;
		try {
			// Hands out the shared connection; opens it when the application has none yet.
			connection = this.connectionFactory.getConnection();
		}
		catch (RuntimeException ex) {
			return null;
		}
		try {
			Object commands = connection.getNativeConnection();
			if (commands instanceof RedisAsyncCommands<?, ?> standalone) {
				return standalone.getStatefulConnection();
			}
			if (commands instanceof RedisAdvancedClusterAsyncCommands<?, ?> cluster) {
				return cluster.getStatefulConnection();
			}
			return null;
		}
		finally {
			// Closing the Spring connection leaves the shared native connection open.
			connection.close();
		}
	}

	private RedisFuture<String> ping(StatefulConnection<?, ?> connection) {
		if (connection instanceof StatefulRedisConnection<?, ?> standalone) {
			return standalone.async().ping();
		}
		return ((StatefulRedisClusterConnection<?, ?>) connection).async().ping();
	}

	private void failed(StatefulConnection<?, ?> connection, String reason) {
		this.failures++;
		logger.debug("Redis Governor [" + this.identity + "] watchdog check " + this.failures + "/"
				+ this.failureThreshold + " failed: " + reason);
		if (this.failures < this.failureThreshold) {
			return;
		}
		RedisFuture<String> ping = this.pending;
		if (ping != null) {
			// A cancelled command is not written again after the reconnect.
			ping.cancel(false);
		}
		this.pending = null;
		this.watched = null;
		this.failures = 0;
		String action = closeChannel(connection) ? "closed its channel; Lettuce reconnects with the governed back-off"
				: "dropped it; the next command opens a new one";
		this.recoveries.incrementAndGet();
		logger.warn("Redis Governor [" + this.identity + "] replaced the dead connection to "
				+ RedisEndpoint.describe(this.connectionFactory) + ": " + this.failureThreshold
				+ " watchdog PINGs in a row failed (last: " + reason + "), so it " + action
				+ ". If this repeats, check the path to Redis: a failover, a paused or overloaded server, or a "
				+ "proxy or load balancer that keeps connections open without relaying them.");
	}

	/**
	 * Close the channel under the connection without closing the connection itself, so
	 * that Lettuce's reconnect takes over. Falls back to dropping the factory's shared
	 * connection where the channel is out of reach (cluster connections).
	 */
	private boolean closeChannel(StatefulConnection<?, ?> connection) {
		if (connection instanceof RedisChannelHandler<?, ?> handler) {
			RedisChannelWriter writer = handler.getChannelWriter();
			if (writer instanceof Delegating<?> delegating) {
				Object unwrapped = delegating.unwrap();
				if (unwrapped instanceof RedisChannelWriter inner) {
					writer = inner;
				}
			}
			if (writer instanceof DefaultEndpoint endpoint) {
				endpoint.disconnect();
				return true;
			}
		}
		this.connectionFactory.resetConnection();
		return false;
	}

	@Override
	public String toString() {
		return "PingWatchdog[interval=" + this.interval.toMillis() + "ms, timeout=" + this.timeout.toMillis()
				+ "ms, failureThreshold=" + this.failureThreshold + "]";
	}

}
