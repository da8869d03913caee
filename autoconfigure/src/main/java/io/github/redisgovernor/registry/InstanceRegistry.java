package io.github.redisgovernor.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.OutageLog;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.server.ServerFigures;
import io.github.redisgovernor.server.NodeFigures;
import io.github.redisgovernor.server.ServerFiguresSampler;
import io.lettuce.core.Range;
import io.lettuce.core.Range.Boundary;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
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
 * {@code <application>/<instance-id>}, score = the time the member expires (its last
 * heartbeat plus its own ttl), by the server's clock: an instance prunes only members
 * whose own ttl has run out, so instances with different ttls share one registry. The
 * scripts ({@link RegistryScripts}) {@code SELECT} database 0 for it (or the one
 * configured), so applications that select different databases share one registry, as
 * they share the server's {@code connected_clients}. The key holds a marker member; a key
 * of that name created by something else is never touched.
 * <p>
 * Every heartbeat is one script: refresh, prune, count, take the sampler lease when
 * nobody holds it, and read the figures the fleet's sampler published. The heartbeat
 * interval follows the fleet: each instance heartbeats every
 * {@code max(heartbeat-interval, live instances / fleet-heartbeat-rate)}, so the whole
 * fleet sends at most {@code fleet-heartbeat-rate} heartbeats a second to the server
 * whatever its size, and each member's ttl stretches to at least three of its intervals.
 * <p>
 * The instance that holds the lease samples the server for the fleet every sample
 * interval (one script: renew the lease, count, {@code INFO clients}), reads
 * {@code CLIENT LIST} now and then to classify the clients, and publishes the figures;
 * every other instance adopts them at its heartbeat. One sampler per server, whatever the
 * fleet's size.
 * <p>
 * When the server refuses scripts (ACL, scripts disabled), the heartbeat's commands go
 * out back to back in the application's database, no sampler is elected, and every
 * instance carries its own {@code INFO clients}; the script is tried again every
 * {@link Heartbeat#SCRIPT_RETRY_HEARTBEATS} heartbeats. Any other error reply (OOM,
 * LOADING, BUSY, READONLY during a failover) fails that one heartbeat only.
 * <p>
 * All of it runs on the {@link GovernorScheduler} without waiting: the commands are sent,
 * and the reply is handled when it arrives. A heartbeat still without a reply when the
 * next one is due is not doubled.
 * <p>
 * The instance removes itself (and gives up the lease) when it stops: through the drain
 * ({@link DrainParticipant}), its own {@link SmartLifecycle#stop()}, or on destroy,
 * whichever comes first; {@link #start()} registers it again. An instance that dies
 * without deregistering stops counting after its ttl.
 *
 * @author Redis Governor contributors
 */
public class InstanceRegistry implements SmartLifecycle, DrainParticipant, DisposableBean {

	/**
	 * Starts after the connection factory (phase 0) and the scheduler, and before the web
	 * server; stops after the web server's graceful shutdown and before the scheduler.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	/**
	 * The default of the most heartbeats per second a whole fleet sends to one server.
	 */
	public static final double DEFAULT_FLEET_HEARTBEAT_RATE = 10;

	private static final Log logger = LogFactory.getLog(InstanceRegistry.class);

	private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

	private static final Duration MIN_LEASE = Duration.ofSeconds(10);

	private final GovernedConnection connection;

	private final GovernorScheduler scheduler;

	private final InstanceIdentity identity;

	private final RegistryKeys keys;

	private final String member;

	private final byte[] memberBytes;

	private final Duration heartbeatInterval;

	private final Duration ttl;

	private final Heartbeat.Cadence cadence;

	private final OutageLog outageLog;

	private final Heartbeat heartbeat;

	private final Object lifecycleMonitor = new Object();

	private final AtomicBoolean registered = new AtomicBoolean();

	private @Nullable ScheduledFuture<?> task;

	private @Nullable ScheduledFuture<?> samplerTask;

	private volatile boolean running;

	private volatile @Nullable CompletableFuture<?> pending;

	private volatile @Nullable CompletableFuture<?> samplePending;

	private volatile Duration effectiveInterval;

	private volatile @Nullable String sampledBy;

	// Heartbeats failed in a row: while failing, the next one comes sooner (1 s, 2 s,
	// 4 s, at most 5 s), so that an application started without Redis registers and
	// connects within seconds of Redis appearing.
	private volatile int failuresInARow;

	private volatile RegistrySnapshot snapshot = RegistrySnapshot.NONE;

	private volatile @Nullable ServerFiguresSampler sampler;

	/**
	 * Create a registry for an application whose connection selects database 0, and whose
	 * fleet sends at most {@link #DEFAULT_FLEET_HEARTBEAT_RATE} heartbeats a second.
	 * @param connection the governed connection
	 * @param scheduler the scheduler the heartbeats run on
	 * @param identity this instance
	 * @param key the sorted set's key
	 * @param heartbeatInterval the shortest time between two heartbeats
	 * @param ttl the shortest time after which a member no longer counts
	 */
	public InstanceRegistry(GovernedConnection connection, GovernorScheduler scheduler, InstanceIdentity identity,
			String key, Duration heartbeatInterval, Duration ttl) {
		this(connection, scheduler, identity, key, heartbeatInterval, ttl, DEFAULT_FLEET_HEARTBEAT_RATE, 0);
	}

	/**
	 * Create a registry.
	 * @param connection the governed connection
	 * @param scheduler the scheduler the heartbeats run on
	 * @param identity this instance
	 * @param key the sorted set's key
	 * @param heartbeatInterval the shortest time between two heartbeats
	 * @param ttl the shortest time after which a member no longer counts
	 * @param fleetHeartbeatRate the most heartbeats per second the whole fleet sends
	 * @param connectionDatabase the database the application's connection selects; the
	 * registry itself lives in database 0
	 */
	public InstanceRegistry(GovernedConnection connection, GovernorScheduler scheduler, InstanceIdentity identity,
			String key, Duration heartbeatInterval, Duration ttl, double fleetHeartbeatRate, int connectionDatabase) {
		Assert.hasText(key, "'key' must not be empty");
		Assert.isTrue(ttl.compareTo(heartbeatInterval) > 0, "'ttl' must be longer than 'heartbeatInterval'");
		Assert.isTrue(fleetHeartbeatRate > 0, "'fleetHeartbeatRate' must be positive");
		this.connection = connection;
		this.scheduler = scheduler;
		this.identity = identity;
		this.keys = new RegistryKeys(key, connectionDatabase);
		this.member = identity.getApplication() + "/" + identity.getInstanceId();
		this.memberBytes = this.member.getBytes(StandardCharsets.UTF_8);
		this.heartbeatInterval = heartbeatInterval;
		this.ttl = ttl;
		this.cadence = new Heartbeat.Cadence(heartbeatInterval, fleetHeartbeatRate);
		this.effectiveInterval = heartbeatInterval;
		this.outageLog = new OutageLog(logger, "Redis Governor [" + identity + "] registry heartbeat");
		this.heartbeat = new Heartbeat(identity, this.keys, this.member);
	}

	/**
	 * Feed the sampler from this flow: the elected instance samples for the fleet, the
	 * others adopt its figures, and while scripts are refused each heartbeat carries a
	 * sample.
	 * @param sampler the sampler
	 */
	public void sampleFor(ServerFiguresSampler sampler) {
		this.sampler = sampler;
		sampler.countInstancesWith(() -> {
			Long live = this.snapshot.liveInstances();
			return (live != null) ? live : -1;
		});
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			this.running = true;
			// The first heartbeat runs at once but off the startup thread: an unreachable
			// Redis must not delay or fail the application's startup.
			scheduleNext(Duration.ZERO);
		}
	}

	private void scheduleNext(Duration delay) {
		synchronized (this.lifecycleMonitor) {
			if (!this.running || !this.scheduler.isAvailable()) {
				return;
			}
			this.task = this.scheduler.schedule(this::tickNow, delay);
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

	void tickNow() {
		if (!this.running) {
			return;
		}
		if (this.pending != null) {
			// A heartbeat without a reply yet (one sent by heartbeatNow) is not doubled;
			// its timeout ends it.
			scheduleNext(nextDelay(false));
			return;
		}
		Duration before = this.effectiveInterval;
		heartbeat().whenComplete((ignored, failure) -> {
			boolean changed = Math.abs(this.effectiveInterval.toMillis() - before.toMillis()) > before.toMillis() / 10;
			scheduleNext(nextDelay(changed));
		});
	}

	/**
	 * The time to the next heartbeat: sooner while heartbeats fail; a random point within
	 * the interval when the interval has just changed, so that a fleet that started
	 * together spreads its heartbeats evenly; otherwise the interval, give or take 10 %,
	 * so that they stay spread.
	 */
	private Duration nextDelay(boolean intervalChanged) {
		int failures = this.failuresInARow;
		long interval = this.effectiveInterval.toMillis();
		if (failures > 0) {
			long retry = Math.min(MAX_RETRY_DELAY.toMillis(), 1000L << Math.min(failures - 1, 10));
			return Duration.ofMillis(Math.min(retry, interval));
		}
		ThreadLocalRandom random = ThreadLocalRandom.current();
		double factor = intervalChanged ? random.nextDouble(0.1, 1.0) : random.nextDouble(0.9, 1.1);
		return Duration.ofMillis(Math.max(1, (long) (interval * factor)));
	}

	/**
	 * Send one heartbeat now and wait for it.
	 */
	void heartbeatNow() {
		heartbeat().join();
	}

	/**
	 * Send one heartbeat now, and act on what it learned. Never throws.
	 * @return the heartbeat's completion
	 */
	CompletableFuture<?> heartbeat() {
		// Set before the first attempt: a ZADD that reached the server but whose reply
		// was lost must still be removed on shutdown.
		this.registered.set(true);
		Duration memberTtl = getEffectiveTtl();
		CompletableFuture<Heartbeat.Outcome> sent = this.connection.submit((redis) -> this.heartbeat.send(redis,
				memberTtl, lease(), this.sampler != null, this.effectiveInterval, this.cadence));
		CompletableFuture<?> handled = sent.handle((outcome, failure) -> {
			handle(outcome, failure);
			return null;
		});
		this.pending = handled;
		handled.whenComplete((ignored, failure) -> this.pending = null);
		return handled;
	}

	private void handle(Heartbeat.@Nullable Outcome outcome, @Nullable Throwable failure) {
		ServerFiguresSampler sampler = this.sampler;
		if (outcome != null) {
			this.failuresInARow = 0;
			this.snapshot = new RegistrySnapshot(outcome.live(), Instant.now(), null);
			this.effectiveInterval = intervalFor(outcome.live());
			this.outageLog.succeeded();
			this.sampledBy = outcome.sampler();
			if (sampler == null || !this.running) {
				return;
			}
			if (outcome.sampler() == null) {
				// Scripts refused: each instance samples for itself.
				stopSampling();
				if (outcome.sample() != null) {
					outcome.sample().offerTo(sampler);
				}
			}
			else if (this.member.equals(outcome.sampler())) {
				startSampling(sampler);
			}
			else {
				stopSampling();
				sampler.adopt(outcome.published(), outcome.serverNow(), publishedMaxAge(sampler));
			}
			return;
		}
		Throwable cause = Heartbeat.unwrap(failure);
		this.failuresInARow++;
		RegistrySnapshot previous = this.snapshot;
		this.snapshot = new RegistrySnapshot(previous.liveInstances(), previous.lastHeartbeat(),
				"heartbeat failed: " + Failures.describe(cause));
		this.outageLog.failed(cause,
				() -> "This instance drops out of the fleet count after " + getEffectiveTtl().toMillis()
						+ "ms; the heartbeat is retried every " + this.effectiveInterval.toMillis() + "ms.");
		if (sampler != null && !isSampling()) {
			sampler.offerFailure(cause);
		}
	}

	private Duration intervalFor(long live) {
		return this.cadence.intervalFor(live);
	}

	private Duration lease() {
		ServerFiguresSampler sampler = this.sampler;
		Duration interval = (sampler != null) ? sampler.getSampleInterval() : this.heartbeatInterval;
		Duration lease = interval.multipliedBy(5);
		return (lease.compareTo(MIN_LEASE) > 0) ? lease : MIN_LEASE;
	}

	/**
	 * Published figures older than this are stale: the lease expired without a new
	 * sampler having sampled yet.
	 */
	private Duration publishedMaxAge(ServerFiguresSampler sampler) {
		return lease().plus(sampler.getSampleInterval().multipliedBy(2));
	}

	private void startSampling(ServerFiguresSampler sampler) {
		synchronized (this.lifecycleMonitor) {
			if (this.samplerTask != null || !this.running || !this.scheduler.isAvailable()) {
				return;
			}
			logger.info("Redis Governor [" + this.identity + "] samples the server for the fleet every "
					+ sampler.getSampleInterval().toMillis() + "ms.");
			this.samplerTask = this.scheduler.scheduleWithFixedDelay(() -> sampleForFleet(sampler), Duration.ZERO,
					sampler.getSampleInterval());
		}
	}

	private void stopSampling() {
		synchronized (this.lifecycleMonitor) {
			if (this.samplerTask == null) {
				return;
			}
			this.samplerTask.cancel(false);
			this.samplerTask = null;
		}
		ServerFiguresSampler sampler = this.sampler;
		if (sampler != null) {
			sampler.forgetFleet();
		}
	}

	/**
	 * Return whether this instance samples the server for the fleet.
	 * @return {@code true} while it holds the sampler lease and samples
	 */
	public boolean isSampling() {
		synchronized (this.lifecycleMonitor) {
			return this.samplerTask != null;
		}
	}

	@SuppressWarnings("unchecked")
	private void sampleForFleet(ServerFiguresSampler sampler) {
		if (!this.running || this.samplePending != null) {
			return;
		}
		CompletableFuture<?> mix = sampler.refreshMix(this::liveClientNames);
		// The first sample waits for the client mix, so that it is never judged on
		// connected_clients alone when CLIENT LIST can be read.
		CompletableFuture<?> ready = sampler.hasMix() ? CompletableFuture.completedFuture(null) : mix;
		Duration lease = lease();
		CompletableFuture<?> sampled = ready
			.thenCompose((ignored) -> this.connection.submit(
					(redis) -> RegistryScripts.SAMPLE.<List<Object>>run(redis, ScriptOutputType.MULTI, this.keys.all(),
							this.keys.database(), this.memberBytes, RegistryScripts.bytes(lease.toMillis()))))
			.handle((reply, failure) -> new Object[] { reply, failure })
			// On a Redis Cluster, every accounted node is sampled too: the script sees
			// only the node that holds the registry.
			.thenCompose((result) -> sampler
				.sampleNodes(this::liveClientNames, (result[0] != null) ? liveOf(result[0]) : null, Instant.now())
				.thenApply((nodes) -> {
					sampled(sampler, (List<Object>) result[0], (Throwable) result[1], nodes);
					return null;
				}));
		this.samplePending = sampled;
		sampled.whenComplete((ignored, failure) -> this.samplePending = null);
	}

	private static @Nullable Long liveOf(Object reply) {
		List<?> values = (List<?>) reply;
		return (values.size() > 2 && values.get(2) instanceof Long live) ? live : null;
	}

	private void sampled(ServerFiguresSampler sampler, @Nullable List<Object> reply, @Nullable Throwable failure,
			List<NodeFigures> nodes) {
		if (reply == null) {
			// No reply: the sample is unreadable; the lease runs out unless the next
			// one gets through.
			sampler.offerAsSampler(null, Heartbeat.unwrap(failure), null, Instant.now(), this.member, nodes);
			return;
		}
		Instant at = Instant.ofEpochMilli((Long) reply.get(1));
		if (Long.valueOf(0).equals(reply.get(0))) {
			logger.info("Redis Governor [" + this.identity + "] no longer samples the server for the fleet: "
					+ "another instance took the sampler lease.");
			stopSampling();
			return;
		}
		long live = (Long) reply.get(2);
		boolean read = Long.valueOf(1).equals(reply.get(3));
		String text = RegistryScripts.text(reply.get(4));
		ServerFigures figures = read ? sampler.offerAsSampler(text, null, live, at, this.member, nodes)
				: sampler.offerAsSampler(null, CarriedSample.refusal(text), live, at, this.member, nodes);
		publish(figures);
	}

	private void publish(ServerFigures figures) {
		Map<String, String> fields = figures.toFields();
		byte[][] args = new byte[3 + fields.size() * 2][];
		args[0] = this.keys.database();
		args[1] = this.memberBytes;
		args[2] = RegistryScripts.bytes(lease().multipliedBy(2).toMillis());
		int i = 3;
		for (Map.Entry<String, String> field : fields.entrySet()) {
			args[i++] = RegistryScripts.bytes(field.getKey());
			args[i++] = RegistryScripts.bytes(field.getValue());
		}
		this.connection.submit(
				(redis) -> RegistryScripts.PUBLISH.<Long>run(redis, ScriptOutputType.INTEGER, this.keys.all(), args))
			.whenComplete((published, failure) -> {
				if (failure != null && logger.isDebugEnabled()) {
					logger.debug("Redis Governor [" + this.identity + "] could not publish the fleet's figures: "
							+ Failures.describe(failure));
				}
			});
	}

	private CompletableFuture<Set<String>> liveClientNames() {
		return readMembers().thenApply((members) -> {
			Set<String> names = new HashSet<>();
			for (LiveInstance instance : members) {
				names.add(instance.clientName());
			}
			return names;
		});
	}

	/**
	 * Read the live instances of every application, on demand. This is O(N) in the fleet
	 * size, so only the endpoint and the fleet's sampler (when it reads the client mix)
	 * call it; heartbeats only count.
	 * @return the live instances, the latest to expire first
	 * @throws Exception when Redis cannot be read
	 */
	public List<LiveInstance> liveInstances() throws Exception {
		return readMembers().get(this.connection.getCommandTimeout().toMillis() * 2, TimeUnit.MILLISECONDS);
	}

	private CompletableFuture<List<LiveInstance>> readMembers() {
		if (this.heartbeat.isScriptRefused()) {
			return this.connection.submit((redis) -> redis.time().thenCompose((time) -> {
				long now = Heartbeat.serverTimeMillis(time);
				return redis
					.zrangebyscoreWithScores(this.keys.registry(),
							Range.from(Boundary.including(now), Boundary.unbounded()))
					.thenApply((members) -> {
						List<LiveInstance> instances = new ArrayList<>(members.size());
						for (ScoredValue<byte[]> scored : members) {
							instances.add(LiveInstance.of(new String(scored.getValue(), StandardCharsets.UTF_8),
									(long) scored.getScore(), now));
						}
						return sorted(instances);
					});
			}));
		}
		return this.connection
			.submit((redis) -> RegistryScripts.MEMBERS.<List<Object>>run(redis, ScriptOutputType.MULTI, this.keys.all(),
					this.keys.database()))
			.thenApply((reply) -> {
				long now = (Long) reply.get(0);
				List<Object> flat = RegistryScripts.list(reply.get(1));
				List<LiveInstance> instances = new ArrayList<>(flat.size() / 2);
				for (int i = 0; i + 1 < flat.size(); i += 2) {
					instances.add(LiveInstance.of(RegistryScripts.text(flat.get(i)),
							(long) Double.parseDouble(RegistryScripts.text(flat.get(i + 1))), now));
				}
				return sorted(instances);
			});
	}

	private static List<LiveInstance> sorted(List<LiveInstance> instances) {
		instances.sort(Comparator.comparing(LiveInstance::expiresInMillis).reversed());
		return instances;
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
	 * Return the member that samples the server for the fleet, as of the last heartbeat.
	 * @return the member, or {@code null} when none is elected (scripts refused, or no
	 * heartbeat yet)
	 */
	public @Nullable String getSampledBy() {
		return this.sampledBy;
	}

	/**
	 * Return the shortest time after which a member no longer counts.
	 * @return the configured ttl
	 */
	public Duration getTtl() {
		return this.ttl;
	}

	/**
	 * Return this instance's ttl now: the configured ttl, or three heartbeat intervals
	 * when the interval follows a large fleet.
	 * @return the ttl this instance's heartbeats set
	 */
	public Duration getEffectiveTtl() {
		Duration threeIntervals = this.effectiveInterval.multipliedBy(3);
		return (threeIntervals.compareTo(this.ttl) > 0) ? threeIntervals : this.ttl;
	}

	/**
	 * Return the shortest time between two heartbeats.
	 * @return the configured heartbeat interval
	 */
	public Duration getHeartbeatInterval() {
		return this.heartbeatInterval;
	}

	/**
	 * Return the time between two heartbeats now, which follows the fleet's size.
	 * @return {@code max(heartbeat-interval, live instances / fleet-heartbeat-rate)}
	 */
	public Duration getEffectiveHeartbeatInterval() {
		return this.effectiveInterval;
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
		stopSampling();
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
			if (this.heartbeat.isScriptRefused()) {
				this.connection.execute((redis) -> redis.zrem(this.keys.registry(), this.memberBytes));
			}
			else {
				this.connection.execute((redis) -> RegistryScripts.LEAVE.<Long>run(redis, ScriptOutputType.INTEGER,
						this.keys.all(), this.keys.database(), this.memberBytes));
			}
			logger.info("Redis Governor [" + this.identity + "] left the instance registry (" + trigger + ").");
		}
		catch (Exception ex) {
			logger.warn("Redis Governor [" + this.identity + "] could not leave the instance registry ("
					+ Failures.describe(ex) + "); it stops counting after " + getEffectiveTtl().toMillis()
					+ "ms without heartbeats.");
		}
		this.snapshot = new RegistrySnapshot(null, this.snapshot.lastHeartbeat(), "deregistered on " + trigger);
	}

}
