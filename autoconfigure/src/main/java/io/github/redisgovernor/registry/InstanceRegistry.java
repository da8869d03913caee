package io.github.redisgovernor.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.OutageLog;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.server.ServerFiguresSampler;
import io.lettuce.core.Range;
import io.lettuce.core.Range.Boundary;
import io.lettuce.core.ScoredValue;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * The fleet's instance registry, and the one flow of the governor's accounting traffic.
 * <p>
 * The registry is one sorted set on the server, member
 * {@code <application>/<instance-id>}, score = the time of the member's last heartbeat in
 * epoch milliseconds. Every heartbeat interval this instance runs one script
 * ({@link HeartbeatScript}): {@code TIME}, {@code ZADD} (its own heartbeat),
 * {@code ZREMRANGEBYSCORE} (prunes members older than the ttl), {@code PEXPIRE} and
 * {@code ZCOUNT}. All of them are O(log N). Scores come from the server's {@code TIME},
 * so a host whose clock is off cannot prune its peers or drop out itself.
 * <p>
 * When the {@link ServerFiguresSampler} has a sample due, the same script reads
 * {@code INFO clients} and hands the reply over: one command per interval for both. When
 * a sample is due between heartbeats (a sample interval shorter than the heartbeat
 * interval), the flow sends {@code INFO clients} alone.
 * <p>
 * When the server refuses scripts (ACL, scripts disabled), the same commands go out back
 * to back; the script is tried again every {@link Heartbeat#SCRIPT_RETRY_HEARTBEATS}
 * heartbeats, so that an ACL fix takes effect without a restart. Any other error reply
 * (OOM, LOADING, BUSY, READONLY during a failover) fails that one heartbeat only.
 * <p>
 * All of it runs on the {@link GovernorScheduler} without waiting: the commands are sent,
 * and the reply is handled when it arrives. A heartbeat still without a reply when the
 * next one is due is not doubled.
 * <p>
 * The instance removes itself ({@code ZREM}) when it stops: through the drain
 * ({@link DrainParticipant}), its own {@link SmartLifecycle#stop()}, or on destroy,
 * whichever comes first; {@link #start()} registers it again. An instance that dies
 * without deregistering stops counting after the ttl.
 *
 * @author Redis Governor contributors
 */
public class InstanceRegistry implements SmartLifecycle, DrainParticipant, DisposableBean {

	/**
	 * Starts after the connection factory (phase 0) and the scheduler, and before the web
	 * server; stops after the web server's graceful shutdown and before the scheduler.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Log logger = LogFactory.getLog(InstanceRegistry.class);

	private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

	private final GovernedConnection connection;

	private final GovernorScheduler scheduler;

	private final InstanceIdentity identity;

	private final byte[] key;

	private final String member;

	private final byte[] memberBytes;

	private final Duration heartbeatInterval;

	private final Duration ttl;

	private final OutageLog outageLog;

	private final Heartbeat heartbeat;

	private final Object lifecycleMonitor = new Object();

	private final AtomicBoolean registered = new AtomicBoolean();

	private @Nullable ScheduledFuture<?> task;

	private volatile boolean running;

	private volatile @Nullable CompletableFuture<?> pending;

	private volatile long lastHeartbeatNanos;

	// Heartbeats failed in a row: while failing, the next one comes sooner (1 s, 2 s,
	// 4 s, at most 5 s), so that an application started without Redis registers and
	// connects within seconds of Redis appearing.
	private volatile int failuresInARow;

	private volatile RegistrySnapshot snapshot = RegistrySnapshot.NONE;

	private volatile @Nullable ServerFiguresSampler sampler;

	/**
	 * Create a registry.
	 * @param connection the governed connection
	 * @param scheduler the scheduler the heartbeats run on
	 * @param identity this instance
	 * @param key the sorted set's key
	 * @param heartbeatInterval time between two heartbeats
	 * @param ttl age after which a member no longer counts
	 */
	public InstanceRegistry(GovernedConnection connection, GovernorScheduler scheduler, InstanceIdentity identity,
			String key, Duration heartbeatInterval, Duration ttl) {
		Assert.hasText(key, "'key' must not be empty");
		Assert.isTrue(ttl.compareTo(heartbeatInterval) > 0, "'ttl' must be longer than 'heartbeatInterval'");
		this.connection = connection;
		this.scheduler = scheduler;
		this.identity = identity;
		this.key = key.getBytes(StandardCharsets.UTF_8);
		this.member = identity.getApplication() + "/" + identity.getInstanceId();
		this.memberBytes = this.member.getBytes(StandardCharsets.UTF_8);
		this.heartbeatInterval = heartbeatInterval;
		this.ttl = ttl;
		this.outageLog = new OutageLog(logger, "Redis Governor [" + identity + "] registry heartbeat");
		this.heartbeat = new Heartbeat(identity, this.key, this.memberBytes, heartbeatInterval, ttl);
	}

	/**
	 * Feed the sampler from this flow: the heartbeat reads {@code INFO clients} whenever
	 * a sample is due.
	 * @param sampler the sampler
	 */
	public void sampleFor(ServerFiguresSampler sampler) {
		this.sampler = sampler;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			this.lastHeartbeatNanos = 0;
			// Before the first run is scheduled: it runs at once.
			this.running = true;
			// The first heartbeat runs at once but off the startup thread: an unreachable
			// Redis must not delay or fail the application's startup.
			Duration tick = tick();
			this.task = this.scheduler.scheduleWithFixedDelay(this::tickNow, Duration.ZERO, tick);
		}
	}

	private Duration tick() {
		ServerFiguresSampler sampler = this.sampler;
		Duration sampleInterval = (sampler != null) ? sampler.getSampleInterval() : this.heartbeatInterval;
		return (sampleInterval.compareTo(this.heartbeatInterval) < 0) ? sampleInterval : this.heartbeatInterval;
	}

	@Override
	public void stop() {
		deregister("stop");
	}

	@Override
	public void stopBeforeDrain() {
		deregister("drain");
	}

	@Override
	public void destroy() {
		deregister("destroy");
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	void tickNow() {
		if (!this.running || this.pending != null) {
			// A heartbeat without a reply yet is not doubled; its timeout ends it.
			return;
		}
		long now = System.nanoTime();
		long slack = tick().toNanos() / 2;
		ServerFiguresSampler sampler = this.sampler;
		boolean sampleDue = sampler != null && sampler.isSampleDue(tick());
		if (this.lastHeartbeatNanos == 0 || now - this.lastHeartbeatNanos >= this.heartbeatInterval.toNanos() - slack) {
			heartbeat(sampleDue);
		}
		else if (sampleDue) {
			sampler.sampleNow();
		}
	}

	/**
	 * Send one heartbeat now, reading a sample if one is due, and wait for it.
	 */
	void heartbeatNow() {
		ServerFiguresSampler sampler = this.sampler;
		heartbeat(sampler != null && sampler.isSampleDue(tick())).join();
	}

	/**
	 * Send one heartbeat now, and hand its sample to the sampler if asked. Never throws.
	 * @param sample whether to read {@code INFO clients} in the same call
	 * @return the heartbeat's completion
	 */
	CompletableFuture<?> heartbeat(boolean sample) {
		// Set before the first attempt: a ZADD that reached the server but whose reply
		// was
		// lost must still be removed on shutdown.
		this.registered.set(true);
		this.lastHeartbeatNanos = System.nanoTime();
		CompletableFuture<Heartbeat.Outcome> sent = this.connection
			.submit((redis) -> this.heartbeat.send(redis, sample));
		CompletableFuture<?> handled = sent.handle((outcome, failure) -> {
			handle(outcome, failure, sample);
			return null;
		});
		this.pending = handled;
		handled.whenComplete((ignored, failure) -> this.pending = null);
		return handled;
	}

	private void handle(Heartbeat.@Nullable Outcome outcome, @Nullable Throwable failure, boolean sample) {
		ServerFiguresSampler sampler = this.sampler;
		if (outcome != null) {
			this.failuresInARow = 0;
			this.snapshot = new RegistrySnapshot(outcome.live(), Instant.now(), null);
			this.outageLog.succeeded();
			// After the snapshot: the sampler's listeners judge the sample against this
			// count.
			if (sample && sampler != null && outcome.sample() != null) {
				outcome.sample().offerTo(sampler);
			}
			return;
		}
		Throwable cause = Heartbeat.unwrap(failure);
		retrySoon(++this.failuresInARow);
		RegistrySnapshot previous = this.snapshot;
		this.snapshot = new RegistrySnapshot(previous.liveInstances(), previous.lastHeartbeat(),
				"heartbeat failed: " + Failures.describe(cause));
		this.outageLog.failed(cause, () -> "This instance drops out of the fleet count after " + this.ttl.toMillis()
				+ "ms; the heartbeat is retried every " + this.heartbeatInterval.toMillis() + "ms.");
		if (sample && sampler != null) {
			sampler.offerFailure(cause);
		}
	}

	/**
	 * Read the live instances of every application, on demand. This is O(N) in the fleet
	 * size, so only the endpoint calls it; heartbeats only count.
	 * @return the live instances, most recent heartbeat first
	 * @throws Exception when Redis cannot be read
	 */
	public List<LiveInstance> liveInstances() throws Exception {
		return this.connection.execute((redis) -> redis.time().thenCompose((time) -> {
			long now = Heartbeat.serverTimeMillis(time);
			return redis
				.zrangebyscoreWithScores(this.key,
						Range.from(Boundary.including(now - this.ttl.toMillis()), Boundary.unbounded()))
				.thenApply((members) -> {
					List<LiveInstance> instances = new ArrayList<>(members.size());
					for (ScoredValue<byte[]> scored : members) {
						instances.add(LiveInstance.of(new String(scored.getValue(), StandardCharsets.UTF_8),
								(long) scored.getScore(), now));
					}
					instances.sort(Comparator.comparing(LiveInstance::ageMillis));
					return instances;
				});
		}));
	}

	/**
	 * Return what the last heartbeat learned. Never sends a command.
	 * @return the snapshot
	 */
	public RegistrySnapshot current() {
		return this.snapshot;
	}

	/**
	 * Return this instance's member in the sorted set.
	 * @return {@code <application>/<instance-id>}
	 */
	public String getMember() {
		return this.member;
	}

	/**
	 * Return the age after which a member no longer counts.
	 * @return the ttl
	 */
	public Duration getTtl() {
		return this.ttl;
	}

	/**
	 * Return the time between two heartbeats.
	 * @return the heartbeat interval
	 */
	public Duration getHeartbeatInterval() {
		return this.heartbeatInterval;
	}

	private void retrySoon(int failures) {
		long delayMillis = Math.min(MAX_RETRY_DELAY.toMillis(), 1000L << Math.min(failures - 1, 10));
		if (!this.running || !this.scheduler.isAvailable() || delayMillis >= this.heartbeatInterval.toMillis()) {
			return;
		}
		this.scheduler.schedule(() -> {
			if (this.running && this.pending == null) {
				ServerFiguresSampler sampler = this.sampler;
				heartbeat(sampler != null && sampler.isSampleDue(tick()));
			}
		}, Duration.ofMillis(delayMillis));
	}

	private void deregister(String trigger) {
		CompletableFuture<?> inFlight;
		synchronized (this.lifecycleMonitor) {
			this.running = false;
			if (this.task != null) {
				this.task.cancel(false);
				this.task = null;
			}
			inFlight = this.pending;
		}
		if (inFlight != null) {
			try {
				// A heartbeat in flight would add the member back after ZREM.
				inFlight.get(this.connection.getCommandTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
			}
			catch (Exception ex) {
				// It failed or timed out: nothing more to wait for.
			}
		}
		if (!this.registered.getAndSet(false)) {
			return;
		}
		try {
			this.connection.execute((redis) -> redis.zrem(this.key, this.memberBytes));
			logger.info("Redis Governor [" + this.identity + "] left the instance registry (" + trigger + ").");
		}
		catch (Exception ex) {
			logger.warn("Redis Governor [" + this.identity + "] could not leave the instance registry ("
					+ Failures.describe(ex) + "); it stops counting after " + this.ttl.toMillis()
					+ "ms without heartbeats.");
		}
		this.snapshot = new RegistrySnapshot(null, this.snapshot.lastHeartbeat(), "deregistered on " + trigger);
	}

}
