package io.github.redisgovernor.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.OutageLog;
import io.github.redisgovernor.client.SharedConnectionCommands;
import io.github.redisgovernor.client.SharedConnectionCommands.Session;
import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.server.ServerFiguresSampler;
import io.lettuce.core.Range;
import io.lettuce.core.Range.Boundary;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * The fleet's instance registry: one sorted set on the server, member
 * {@code <application>/<instance-id>}, score = the time of the member's last heartbeat
 * in epoch milliseconds.
 * <p>
 * Every heartbeat interval this instance runs one script ({@link HeartbeatScript}) on the
 * shared connection: {@code TIME}, {@code ZADD} (its own heartbeat),
 * {@code ZREMRANGEBYSCORE} (prunes members older than the ttl), {@code PEXPIRE} (the key
 * vanishes when the whole fleet is gone) and {@code ZCOUNT} (the number of live
 * instances). All of them are O(log N), so the traffic stays flat as the fleet grows.
 * Scores come from the server's {@code TIME}, so a host whose clock is off cannot prune
 * its peers or drop out itself.
 * <p>
 * When the server refuses the script itself ({@link ScriptRefusal}: the ACL forbids
 * {@code EVAL}/{@code EVALSHA}, scripting is unknown or disabled, the server is too old),
 * the heartbeat sends the same commands back to back instead, and tries the script again
 * at every {@value #SCRIPT_RETRY_HEARTBEATS}th heartbeat (every 5 minutes at the default
 * 20 s interval): an ACL fix then takes effect without a restart, for one or two refused
 * commands per {@value #SCRIPT_RETRY_HEARTBEATS} heartbeats while it is not fixed. The
 * retry counts heartbeats rather than time so that it costs the same share of the
 * heartbeat traffic whatever the interval. Any other error reply ({@code OOM},
 * {@code LOADING}, {@code BUSY}, {@code READONLY} during a failover...) fails that one
 * heartbeat like a timeout would, and the next heartbeat uses the script again: the plain
 * commands would get the same reply.
 * <p>
 * When a {@link ServerFiguresSampler} is attached ({@link #carrySamplesTo}), the same
 * script also reads {@code INFO clients} and hands the reply to it, so that the sampler
 * sends no command of its own while heartbeats succeed.
 * <p>
 * The instance removes itself ({@code ZREM}) when it stops: through the drain
 * ({@link DrainParticipant}), through its own {@link SmartLifecycle#stop()}, or on
 * destroy, whichever comes first. An instance that dies without deregistering stops
 * counting after the ttl.
 * <p>
 * A failing heartbeat never throws: it is logged once per outage and retried at the next
 * interval.
 *
 * @author Redis Governor contributors
 */
public class InstanceRegistry implements SmartLifecycle, DrainParticipant, DisposableBean {

	/**
	 * Starts after the connection factory (phase 0) and before the web server; stops
	 * after the web server's graceful shutdown and before the connection factory.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	/**
	 * After the server refused the heartbeat script, every this-many-th heartbeat tries
	 * it again; the others send plain commands.
	 */
	static final int SCRIPT_RETRY_HEARTBEATS = 15;

	private static final Log logger = LogFactory.getLog(InstanceRegistry.class);

	private final SharedConnectionCommands commands;

	private final InstanceIdentity identity;

	private final byte[] key;

	private final String member;

	private final byte[] memberBytes;

	private final Duration heartbeatInterval;

	private final Duration ttl;

	private final OutageLog outageLog;

	private final Object lifecycleMonitor = new Object();

	private final AtomicBoolean registered = new AtomicBoolean();

	private @Nullable ScheduledExecutorService scheduler;

	private volatile boolean running;

	private volatile boolean deregistered;

	private volatile boolean scriptRefused;

	private volatile int plainHeartbeatsBeforeScriptRetry;

	private volatile RegistrySnapshot snapshot = RegistrySnapshot.NONE;

	private volatile @Nullable ServerFiguresSampler sampler;

	/**
	 * Create a registry.
	 * @param commands the shared connection
	 * @param identity this instance
	 * @param key the sorted set's key
	 * @param heartbeatInterval time between two heartbeats
	 * @param ttl age after which a member no longer counts
	 */
	public InstanceRegistry(SharedConnectionCommands commands, InstanceIdentity identity, String key,
			Duration heartbeatInterval, Duration ttl) {
		Assert.hasText(key, "'key' must not be empty");
		Assert.isTrue(ttl.compareTo(heartbeatInterval) > 0, "'ttl' must be longer than 'heartbeatInterval'");
		this.commands = commands;
		this.identity = identity;
		this.key = key.getBytes(StandardCharsets.UTF_8);
		this.member = identity.getApplication() + "/" + identity.getInstanceId();
		this.memberBytes = this.member.getBytes(StandardCharsets.UTF_8);
		this.heartbeatInterval = heartbeatInterval;
		this.ttl = ttl;
		this.outageLog = new OutageLog(logger, "Redis Governor [" + identity + "] registry heartbeat");
	}

	/**
	 * Read {@code INFO clients} in the heartbeat script whenever the sampler has a
	 * sample due, and hand it to the sampler: one command per interval for both instead
	 * of two. While heartbeats carry samples,
	 * the sampler sends nothing of its own; when they stop (scripts refused, Redis
	 * unreachable), it samples on its own schedule again.
	 * Nothing changes when the heartbeat is less frequent than the sampling.
	 * @param sampler the sampler to feed
	 * @return whether the heartbeat carries the sampler's samples
	 */
	public boolean carrySamplesTo(ServerFiguresSampler sampler) {
		if (!sampler.expectCarriedSamples(this.heartbeatInterval)) {
			return false;
		}
		this.sampler = sampler;
		return true;
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running || this.deregistered) {
				return;
			}
			ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "redis-governor-registry");
				thread.setDaemon(true);
				return thread;
			});
			// The first heartbeat runs at once but off the startup thread: an unreachable
			// Redis must not delay or fail the application's startup.
			scheduler.scheduleWithFixedDelay(this::heartbeat, 0, this.heartbeatInterval.toMillis(),
					TimeUnit.MILLISECONDS);
			this.scheduler = scheduler;
			this.running = true;
		}
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

	/**
	 * Send one heartbeat now. Called by the schedule; never throws.
	 */
	void heartbeat() {
		if (this.deregistered) {
			return;
		}
		// Set before the first attempt: a ZADD that reached the server but whose reply was
		// lost must still be removed on shutdown.
		this.registered.set(true);
		try {
			Outcome outcome = this.commands.execute(this::sendHeartbeat);
			this.snapshot = new RegistrySnapshot(outcome.live(), Instant.now(), null);
			this.outageLog.succeeded();
			// After the snapshot: the sampler's listeners judge the sample against this count.
			ServerFiguresSampler sampler = this.sampler;
			if (outcome.sample() != null && sampler != null) {
				carry(sampler, outcome.sample());
			}
		}
		catch (Throwable ex) {
			RegistrySnapshot previous = this.snapshot;
			this.snapshot = new RegistrySnapshot(previous.liveInstances(), previous.lastHeartbeat(),
					"heartbeat failed: " + SharedConnectionCommands.describe(ex));
			this.outageLog.failed(ex, () -> "This instance drops out of the fleet count after "
					+ this.ttl.toMillis() + "ms; the heartbeat is retried every "
					+ this.heartbeatInterval.toMillis() + "ms.");
		}
	}

	private Outcome sendHeartbeat(Session session) throws Exception {
		if (this.plainHeartbeatsBeforeScriptRetry > 0) {
			this.plainHeartbeatsBeforeScriptRetry--;
			return new Outcome(sendHeartbeatCommands(session), null);
		}
		try {
			ServerFiguresSampler sampler = this.sampler;
			boolean sample = sampler != null && sampler.isSampleDue(this.heartbeatInterval);
			HeartbeatScript.Reply reply = HeartbeatScript.run(session, this.key, this.memberBytes, this.ttl, sample);
			if (this.scriptRefused) {
				this.scriptRefused = false;
				logger.info("Redis Governor [" + this.identity + "] runs the registry heartbeat as one script "
						+ "again: the server no longer refuses it.");
			}
			logPruned(reply.pruned());
			return new Outcome(reply.live(), sample ? reply : null);
		}
		catch (RedisCommandExecutionException ex) {
			if (!ScriptRefusal.isRefusal(ex.getMessage())) {
				// OOM, LOADING, BUSY, READONLY...: the server's state fails this heartbeat,
				// and plain commands would get the same reply. The next one uses the script.
				throw ex;
			}
			scriptRefused(ex);
		}
		return new Outcome(sendHeartbeatCommands(session), null);
	}

	private void scriptRefused(RedisCommandExecutionException ex) {
		this.plainHeartbeatsBeforeScriptRetry = SCRIPT_RETRY_HEARTBEATS - 1;
		if (this.scriptRefused) {
			if (logger.isDebugEnabled()) {
				logger.debug("Redis Governor [" + this.identity + "] heartbeat script still refused: "
						+ SharedConnectionCommands.describe(ex));
			}
			return;
		}
		this.scriptRefused = true;
		logger.info("Redis Governor [" + this.identity + "] sends the registry heartbeat as separate commands, "
				+ "because the heartbeat script was refused: " + SharedConnectionCommands.describe(ex)
				+ ". This costs Redis about five times more commands per heartbeat; allow EVAL/EVALSHA for this "
				+ "user to avoid it. The script is tried again every " + SCRIPT_RETRY_HEARTBEATS + " heartbeats ("
				+ this.heartbeatInterval.multipliedBy(SCRIPT_RETRY_HEARTBEATS).toMillis()
				+ "ms), so a fix takes effect without a restart.");
	}

	/**
	 * What a heartbeat learned: the live count, and the reply that carries a sample for
	 * the sampler, if one was asked for.
	 */
	private record Outcome(long live, HeartbeatScript.@Nullable Reply sample) {
	}

	private void carry(ServerFiguresSampler sampler, HeartbeatScript.Reply reply) {
		if (reply.infoClients() != null) {
			sampler.offer(reply.infoClients());
		}
		else {
			String error = String.valueOf(reply.infoClientsError());
			// Redis 7.0 words an ACL refusal inside a script as "ERR The user executing the
			// script can't run this command"; later versions say NOPERM.
			String reason = (error.startsWith("NOPERM") || !error.contains("can't run this command")) ? error
					: "NOPERM " + error.replaceFirst("^ERR ", "");
			sampler.offerFailure(new RedisCommandExecutionException(reason));
		}
	}

	private long sendHeartbeatCommands(Session session) throws Exception {
		RedisClusterAsyncCommands<byte[], byte[]> redis = session.commands();
		long now = serverTimeMillis(session);
		long oldest = now - this.ttl.toMillis();
		// Sent back to back without waiting: one round trip on the shared connection.
		RedisFuture<Long> added = redis.zadd(this.key, now, this.memberBytes);
		RedisFuture<Long> pruned = redis.zremrangebyscore(this.key,
				Range.from(Boundary.unbounded(), Boundary.excluding(oldest)));
		RedisFuture<Boolean> expiry = redis.pexpire(this.key, this.ttl.toMillis() * 2);
		RedisFuture<Long> live = redis.zcount(this.key, Range.from(Boundary.including(oldest), Boundary.unbounded()));
		session.await(added);
		long prunedCount = session.await(pruned);
		session.await(expiry);
		long liveCount = session.await(live);
		logPruned(prunedCount);
		return liveCount;
	}

	private void logPruned(long prunedCount) {
		if (prunedCount > 0 && logger.isDebugEnabled()) {
			logger.debug("Redis Governor [" + this.identity + "] pruned " + prunedCount
					+ " instance(s) whose last heartbeat is older than " + this.ttl.toMillis() + "ms");
		}
	}

	private static long serverTimeMillis(Session session) throws Exception {
		List<byte[]> time = session.await(session.commands().time());
		long seconds = Long.parseLong(new String(time.get(0), StandardCharsets.US_ASCII));
		long micros = Long.parseLong(new String(time.get(1), StandardCharsets.US_ASCII));
		return seconds * 1000 + micros / 1000;
	}

	/**
	 * Read the live instances of every application, on demand. This is O(N) in the fleet
	 * size, so only the endpoint calls it; heartbeats only count.
	 * @return the live instances, most recent heartbeat first
	 * @throws Exception when Redis cannot be read
	 */
	public List<LiveInstance> liveInstances() throws Exception {
		return this.commands.execute((session) -> {
			long now = serverTimeMillis(session);
			List<ScoredValue<byte[]>> members = session.await(session.commands()
				.zrangebyscoreWithScores(this.key,
						Range.from(Boundary.including(now - this.ttl.toMillis()), Boundary.unbounded())));
			List<LiveInstance> instances = new ArrayList<>(members.size());
			for (ScoredValue<byte[]> scored : members) {
				instances.add(LiveInstance.of(new String(scored.getValue(), StandardCharsets.UTF_8),
						(long) scored.getScore(), now));
			}
			instances.sort(Comparator.comparing(LiveInstance::ageMillis));
			return instances;
		});
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

	private void deregister(String trigger) {
		ScheduledExecutorService scheduler;
		synchronized (this.lifecycleMonitor) {
			if (this.deregistered) {
				this.running = false;
				return;
			}
			this.deregistered = true;
			this.running = false;
			scheduler = this.scheduler;
			this.scheduler = null;
		}
		if (scheduler != null) {
			scheduler.shutdown();
			try {
				// A heartbeat in flight would add the member back after ZREM.
				scheduler.awaitTermination(this.commands.getTimeout().toMillis() * 3, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		if (!this.registered.get()) {
			return;
		}
		try {
			this.commands.execute((session) -> session.await(session.commands().zrem(this.key, this.memberBytes)));
			logger.info("Redis Governor [" + this.identity + "] left the instance registry (" + trigger + ").");
		}
		catch (Throwable ex) {
			logger.warn("Redis Governor [" + this.identity + "] could not leave the instance registry ("
					+ SharedConnectionCommands.describe(ex) + "); it stops counting after " + this.ttl.toMillis()
					+ "ms without heartbeats.");
		}
		this.snapshot = new RegistrySnapshot(null, this.snapshot.lastHeartbeat(), "deregistered on " + trigger);
	}

}
