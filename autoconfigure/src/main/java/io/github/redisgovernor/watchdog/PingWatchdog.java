package io.github.redisgovernor.watchdog;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.RedisEndpoint;
import io.lettuce.core.AbstractRedisClient;
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
import io.lettuce.core.event.command.CommandFailedEvent;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.lettuce.core.event.command.CommandSucceededEvent;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.DefaultEndpoint;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

/**
 * Checks the shared connection with a {@code PING}, from one daemon thread of its own.
 * When {@code failureThreshold} checks in a row get no reply within the timeout
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
 * <p>
 * It costs Redis as little as it can:
 * <ul>
 * <li>While the connection is healthy it checks every {@code interval} (the idle
 * interval), and sends no {@code PING} at all while the governed client received a
 * reply to another command less than an interval ago (the registry's heartbeat, which
 * also carries the server figures sample, is enough at the defaults): a connection that answers proves itself alive. The replies are
 * counted with a Lettuce {@link CommandListener} that this watchdog adds to the governed
 * client when it is created; Lettuce gives a connection the listeners its client has
 * when the connection opens.</li>
 * <li>As soon as a check fails, a {@code PING} is still pending, an application
 * command failed without a reply (a timeout, typically), application commands have been
 * waiting for a whole {@code fastInterval} without any reply arriving, or there is no
 * open connection, it checks every {@code fastInterval} until a {@code PING} succeeds or
 * the connection is replaced.</li>
 * </ul>
 * A dead connection is therefore replaced at most {@code interval + fastInterval / 2 +
 * timeout + (failureThreshold - 1) * fastInterval} after it stopped answering, and sooner when the
 * application's own commands time out first. While the connection is down and Lettuce is
 * reconnecting, the watchdog only waits.
 *
 * @author Redis Governor contributors
 */
public class PingWatchdog implements ConnectionWatchdog {

	private static final Log logger = LogFactory.getLog(PingWatchdog.class);

	private final LettuceConnectionFactory connectionFactory;

	private final InstanceIdentity identity;

	private final Duration interval;

	private final Duration fastInterval;

	private final Duration timeout;

	private final int failureThreshold;

	private final AtomicLong recoveries = new AtomicLong();

	private final AtomicLong pings = new AtomicLong();

	private final AtomicLong skipped = new AtomicLong();

	// Replies to commands other than PING received by the governed client.
	private final LongAdder replies = new LongAdder();

	// System.nanoTime() of the last such reply.
	private volatile long lastReply;

	// Commands other than PING started and finished (replied or failed) on the client.
	private final LongAdder started = new LongAdder();

	private final LongAdder finished = new LongAdder();

	// Set when a command of the governed client failed without an error reply, and until
	// the first PING succeeded: an application started without Redis connects at the
	// fast interval once Redis appears.
	private volatile boolean suspect = true;

	private final CommandListener activity = new ActivityListener();

	private volatile @Nullable AbstractRedisClient listenedClient;

	private final Object lifecycleMonitor = new Object();

	private volatile @Nullable ScheduledThreadPoolExecutor scheduler;

	// Only touched by the scheduler thread.
	private @Nullable RedisFuture<String> pending;

	private @Nullable StatefulConnection<?, ?> watched;

	private long pendingSince;

	private int failures;

	private long lastCheck;

	private long repliesAtLastCheck = -1;

	private long lastSkipCounted;

	private long repliesAtLastTick = -1;

	private boolean waitingAtLastTick;

	/**
	 * Create a watchdog that checks at the same interval whether idle or not, and never
	 * skips a check.
	 * @param connectionFactory the governed connection factory
	 * @param identity the identity named in log lines
	 * @param interval time between two checks
	 * @param timeout time a {@code PING} may wait for its reply
	 * @param failureThreshold failed checks in a row after which the connection is
	 * replaced
	 */
	public PingWatchdog(LettuceConnectionFactory connectionFactory, InstanceIdentity identity, Duration interval,
			Duration timeout, int failureThreshold) {
		this(connectionFactory, identity, interval, interval, timeout, failureThreshold);
	}

	/**
	 * Create a watchdog.
	 * @param connectionFactory the governed connection factory
	 * @param identity the identity named in log lines
	 * @param interval time between two checks while the connection is healthy
	 * @param fastInterval time between two checks once a check failed or a command
	 * failed; when equal to {@code interval}, every check sends a {@code PING}
	 * @param timeout time a {@code PING} may wait for its reply
	 * @param failureThreshold failed checks in a row after which the connection is
	 * replaced
	 */
	public PingWatchdog(LettuceConnectionFactory connectionFactory, InstanceIdentity identity, Duration interval,
			Duration fastInterval, Duration timeout, int failureThreshold) {
		Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
		Assert.isTrue(!interval.isNegative() && !interval.isZero(), "'interval' must be positive");
		Assert.isTrue(!fastInterval.isNegative() && !fastInterval.isZero(), "'fastInterval' must be positive");
		Assert.isTrue(fastInterval.compareTo(interval) <= 0, "'fastInterval' must not be longer than 'interval'");
		Assert.isTrue(!timeout.isNegative() && !timeout.isZero(), "'timeout' must be positive");
		Assert.isTrue(failureThreshold >= 1, "'failureThreshold' must be at least 1");
		this.connectionFactory = connectionFactory;
		this.identity = identity;
		this.interval = interval;
		this.fastInterval = fastInterval;
		this.timeout = timeout;
		this.failureThreshold = failureThreshold;
		// Lettuce hands a connection the listeners its client has when it connects: the
		// earlier the better (the factory's client exists once it is started).
		listen();
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
			// Ticks at the fast interval; a tick is due for a check only in fast mode or once
			// the idle interval has passed. A tick that is not due costs Redis nothing.
			this.lastCheck = System.nanoTime();
			scheduler.scheduleWithFixedDelay(this::check, this.fastInterval.toNanos(), this.fastInterval.toNanos(),
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

	/**
	 * Return how many {@code PING}s this watchdog sent.
	 * @return the number of {@code PING}s
	 */
	public long getPings() {
		return this.pings.get();
	}

	/**
	 * Return how many due checks sent no {@code PING} because the connection had answered
	 * other commands since the previous check.
	 * @return the number of skipped checks
	 */
	public long getSkippedChecks() {
		return this.skipped.get();
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
		listen();
		noticeStall();
		boolean fast = this.failures > 0 || this.pending != null || this.suspect;
		long now = System.nanoTime();
		// Half a tick of slack so that fixed-delay drift does not add a whole tick.
		long due = this.interval.toNanos() - this.fastInterval.toNanos() / 2;
		if (!fast && now - this.lastCheck < due) {
			return;
		}
		if (!fast && this.interval.compareTo(this.fastInterval) > 0 && this.repliesAtLastCheck >= 0
				&& this.replies.sum() != this.repliesAtLastCheck
				&& now - this.lastReply < this.interval.toNanos() + this.fastInterval.toNanos() / 2) {
			// The connection answered other commands less than an interval ago (plus half a
			// tick, for the drift of a fixed-delay schedule): alive. Wait a full interval
			// from that reply, so that traffic at least every interval (the registry's
			// heartbeat) leaves the watchdog nothing to send.
			if (now - this.lastSkipCounted >= this.interval.toNanos()) {
				this.lastSkipCounted = now;
				this.skipped.incrementAndGet();
			}
			return;
		}
		this.lastCheck = now;
		RedisFuture<String> ping = this.pending;
		StatefulConnection<?, ?> connection = this.watched;
		// A PING still pending from an earlier check has had its timeout already.
		long wait = 0;
		if (ping == null || connection == null) {
			connection = sharedConnection();
			if (connection == null || !connection.isOpen()) {
				// Not connected yet, or Lettuce is already reconnecting: nothing to replace.
				// Look again at the fast interval, to connect (and check) as soon as Redis
				// answers again.
				this.failures = 0;
				this.suspect = true;
				return;
			}
			this.repliesAtLastCheck = this.replies.sum();
			ping = ping(connection);
			this.pings.incrementAndGet();
			this.pending = ping;
			this.pendingSince = System.nanoTime();
			this.watched = connection;
			wait = this.timeout.toNanos();
		}
		try {
			ping.get(wait, TimeUnit.NANOSECONDS);
			this.pending = null;
			this.failures = 0;
			this.suspect = false;
			this.repliesAtLastCheck = this.replies.sum();
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

	/**
	 * Application commands have been waiting since the previous tick and no reply at all
	 * arrived meanwhile: the connection may have gone silent, check it now.
	 */
	private void noticeStall() {
		long replies = this.replies.sum();
		boolean waiting = this.started.sum() - this.finished.sum() > 0;
		if (waiting && this.waitingAtLastTick && replies == this.repliesAtLastTick) {
			this.suspect = true;
		}
		this.repliesAtLastTick = replies;
		this.waitingAtLastTick = waiting;
	}

	/**
	 * Count the governed client's replies. Lettuce gives a connection the listeners of
	 * its client when the connection opens: on a connection opened before, no reply is
	 * counted and every due check sends a {@code PING} (safe, only costlier).
	 */
	private void listen() {
		if (this.listenedClient != null || this.interval.compareTo(this.fastInterval) <= 0) {
			return;
		}
		AbstractRedisClient client;
		try {
			client = this.connectionFactory.getNativeClient();
		}
		catch (RuntimeException ex) {
			return;
		}
		if (client == null) {
			return;
		}
		synchronized (this.lifecycleMonitor) {
			if (this.listenedClient == null) {
				client.addListener(this.activity);
				this.listenedClient = client;
			}
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
		return "PingWatchdog[interval=" + this.interval.toMillis() + "ms, fastInterval="
				+ this.fastInterval.toMillis() + "ms, timeout=" + this.timeout.toMillis() + "ms, failureThreshold="
				+ this.failureThreshold + "]";
	}

	/**
	 * Counts the application's commands and the replies to them, and flags a command that
	 * failed without a reply from the server (a timeout, a dropped connection). PINGs are
	 * left out: the watchdog's own must not prove the connection alive.
	 */
	private final class ActivityListener implements CommandListener {

		@Override
		public void commandStarted(CommandStartedEvent event) {
			if (event.getCommand().getType() != CommandType.PING) {
				PingWatchdog.this.started.increment();
			}
		}

		@Override
		public void commandSucceeded(CommandSucceededEvent event) {
			if (event.getCommand().getType() != CommandType.PING) {
				PingWatchdog.this.finished.increment();
				PingWatchdog.this.lastReply = System.nanoTime();
				PingWatchdog.this.replies.increment();
			}
		}

		@Override
		public void commandFailed(CommandFailedEvent event) {
			if (event.getCommand().getType() != CommandType.PING) {
				PingWatchdog.this.finished.increment();
			}
			if (!(event.getCause() instanceof RedisCommandExecutionException)) {
				PingWatchdog.this.suspect = true;
			}
		}

	}

}
