package io.github.redisgovernor.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.client.InstanceIdentity;
import io.lettuce.core.Range;
import io.lettuce.core.Range.Boundary;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One heartbeat's commands: {@link RegistryScripts#HEARTBEAT}, or plain commands back to
 * back while the server refuses scripts. Only a refusal of scripts themselves
 * ({@link ScriptRefusal}) switches to plain commands; the script is tried again every
 * {@link #SCRIPT_RETRY_HEARTBEATS} heartbeats, so that an ACL fix takes effect without a
 * restart. Any other error reply (OOM, LOADING, BUSY, READONLY during a failover) fails
 * that one heartbeat only.
 * <p>
 * The plain commands cannot {@code SELECT} the registry's database without moving the
 * application's shared connection, so they use the database the application selected, and
 * elect no sampler: each instance then samples for itself, carrying {@code INFO clients}
 * beside them.
 * <p>
 * Sends without waiting. Heartbeats of one registry never overlap, so the refusal state
 * needs no lock.
 *
 * @author Redis Governor contributors
 */
final class Heartbeat {

	/**
	 * After a refusal, the script is tried again every this many heartbeats.
	 */
	static final int SCRIPT_RETRY_HEARTBEATS = 15;

	private static final Log logger = LogFactory.getLog(InstanceRegistry.class);

	private final InstanceIdentity identity;

	private final RegistryKeys keys;

	private final byte[] memberBytes;

	private final String member;

	private volatile boolean scriptRefused;

	private volatile int plainHeartbeatsBeforeScriptRetry;

	Heartbeat(InstanceIdentity identity, RegistryKeys keys, String member) {
		this.identity = identity;
		this.keys = keys;
		this.member = member;
		this.memberBytes = member.getBytes(StandardCharsets.UTF_8);
	}

	boolean isScriptRefused() {
		return this.scriptRefused;
	}

	/**
	 * Send one heartbeat.
	 * @param redis the shared connection's commands
	 * @param ttl this member's ttl
	 * @param lease the sampler lease to take when nobody holds it
	 * @param sample whether to carry {@code INFO clients}, for plain commands
	 * @param interval the heartbeat interval, for the log line of a refusal
	 * @return what the heartbeat learned
	 */
	CompletionStage<Outcome> send(RedisClusterAsyncCommands<byte[], byte[]> redis, Duration ttl, Duration lease,
			boolean sample, Duration interval, Cadence cadence) {
		if (this.plainHeartbeatsBeforeScriptRetry > 0) {
			this.plainHeartbeatsBeforeScriptRetry--;
			return sendCommands(redis, ttl, sample, cadence);
		}
		CompletionStage<List<Object>> sent = RegistryScripts.HEARTBEAT.run(redis, ScriptOutputType.MULTI,
				this.keys.all(), this.keys.database(), this.memberBytes, RegistryScripts.bytes(ttl.toMillis()),
				RegistryScripts.bytes(lease.toMillis()), RegistryScripts.bytes(cadence.baseInterval().toMillis()),
				RegistryScripts.bytes(cadence.fleetHeartbeatRate()));
		return sent.thenApply((reply) -> {
			if (this.scriptRefused) {
				this.scriptRefused = false;
				logger.info("Redis Governor [" + this.identity + "] runs the registry heartbeat as one script "
						+ "again: the server no longer refuses it.");
			}
			return Outcome.of(reply, ttl);
		}).handle((outcome, failure) -> {
			if (outcome != null) {
				return CompletableFuture.completedFuture(outcome);
			}
			Throwable cause = unwrap(failure);
			if (cause instanceof RedisCommandExecutionException refusal
					&& ScriptRefusal.isRefusal(refusal.getMessage())) {
				scriptRefused(refusal, interval);
				return sendCommands(redis, ttl, sample, cadence);
			}
			// OOM, LOADING, BUSY, READONLY...: the server's state fails this heartbeat,
			// and plain commands would get the same reply. The next one uses the script.
			return CompletableFuture.<Outcome>failedFuture(cause);
		}).thenCompose((stage) -> stage);
	}

	private void scriptRefused(RedisCommandExecutionException ex, Duration interval) {
		this.plainHeartbeatsBeforeScriptRetry = SCRIPT_RETRY_HEARTBEATS - 1;
		if (this.scriptRefused) {
			if (logger.isDebugEnabled()) {
				logger.debug("Redis Governor [" + this.identity + "] heartbeat script still refused: "
						+ Failures.describe(ex));
			}
			return;
		}
		this.scriptRefused = true;
		logger.info("Redis Governor [" + this.identity + "] sends the registry heartbeat as separate commands, "
				+ "because the heartbeat script was refused: " + Failures.describe(ex)
				+ ". This costs Redis about five times more commands per heartbeat, every instance then samples "
				+ "the server for itself, and the registry lives in the database the application selected; "
				+ "allow EVAL/EVALSHA for this user to avoid it. The script is tried again every "
				+ SCRIPT_RETRY_HEARTBEATS + " heartbeats (" + interval.multipliedBy(SCRIPT_RETRY_HEARTBEATS).toMillis()
				+ "ms), so a fix takes effect without a restart.");
	}

	private CompletionStage<Outcome> sendCommands(RedisClusterAsyncCommands<byte[], byte[]> redis, Duration ttl,
			boolean sample, Cadence cadence) {
		byte[] key = this.keys.registry();
		byte[] marker = RegistryScripts.MARKER.getBytes(StandardCharsets.UTF_8);
		RedisFuture<List<byte[]>> time = redis.time();
		RedisFuture<Double> markerScore = redis.zscore(key, marker);
		RedisFuture<Long> exists = redis.exists(key);
		RedisFuture<Long> pttl = redis.pttl(key);
		return CompletableFuture
			.allOf(time.toCompletableFuture(), markerScore.toCompletableFuture(), exists.toCompletableFuture(),
					pttl.toCompletableFuture())
			.thenCompose((ignored) -> {
				long now = serverTimeMillis(time.toCompletableFuture().join());
				Double score = markerScore.toCompletableFuture().join();
				if (score == null && exists.toCompletableFuture().join() > 0) {
					return CompletableFuture.<Outcome>failedFuture(
							new RedisCommandExecutionException(RegistryScripts.NOT_OWNED + " the registry key "
									+ this.keys.registryName() + " exists and was not created by Redis Governor"));
				}
				if (score == null) {
					redis.zadd(key, Double.NEGATIVE_INFINITY, marker);
				}
				// Sent back to back without waiting: one round trip on the shared
				// connection.
				RedisFuture<Long> added = redis.zadd(key, now + ttl.toMillis(), this.memberBytes);
				// From the lowest finite score: the marker's -inf stays.
				RedisFuture<Long> pruned = redis.zremrangebyscore(key,
						Range.from(Boundary.including(-Double.MAX_VALUE), Boundary.excluding(now)));
				CompletableFuture<Boolean> expiry = (pttl.toCompletableFuture().join() < ttl.toMillis() * 2)
						? redis.pexpire(key, ttl.toMillis() * 2).toCompletableFuture()
						: CompletableFuture.completedFuture(true);
				RedisFuture<Long> live = redis.zcount(key, Range.from(Boundary.including(now), Boundary.unbounded()));
				CompletableFuture<CarriedSample> info = sample ? CarriedSample.read(redis)
						: CompletableFuture.completedFuture(null);
				return CompletableFuture.allOf(added.toCompletableFuture(), pruned.toCompletableFuture(), expiry)
					.thenCompose((done) -> live)
					.thenCompose((count) -> {
						// As the script does: the entry outlives the next heartbeat when
						// the count stretches the interval.
						Duration longer = cadence.ttlFor(count, ttl);
						return longer.equals(ttl) ? CompletableFuture.completedFuture(count)
								: redis.zadd(key, now + longer.toMillis(), this.memberBytes)
									.toCompletableFuture()
									.thenCompose((readded) -> redis.pexpire(key, longer.toMillis() * 2))
									.thenApply((extended) -> count);
					})
					.thenCombine(info,
							(count, carried) -> new Outcome(count, Instant.ofEpochMilli(now), null, Map.of(), carried));
			});
	}

	static long serverTimeMillis(List<byte[]> time) {
		long seconds = Long.parseLong(new String(time.get(0), StandardCharsets.US_ASCII));
		long micros = Long.parseLong(new String(time.get(1), StandardCharsets.US_ASCII));
		return seconds * 1000 + micros / 1000;
	}

	static Throwable unwrap(@Nullable Throwable failure) {
		Throwable cause = failure;
		while (cause instanceof CompletionException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return (cause != null) ? cause : new IllegalStateException("no reply");
	}

	/**
	 * How the heartbeat interval follows the fleet: {@code max(baseInterval, live /
	 * fleetHeartbeatRate)}, and each entry lives for at least three of those intervals.
	 *
	 * @param baseInterval the shortest interval
	 * @param fleetHeartbeatRate the most heartbeats per second of the whole fleet
	 */
	record Cadence(Duration baseInterval, double fleetHeartbeatRate) {

		Duration intervalFor(long live) {
			long fleetMillis = (long) Math.ceil(live * 1000 / this.fleetHeartbeatRate);
			return (fleetMillis > this.baseInterval.toMillis()) ? Duration.ofMillis(fleetMillis) : this.baseInterval;
		}

		Duration ttlFor(long live, Duration ttl) {
			Duration threeIntervals = intervalFor(live).multipliedBy(3);
			return (threeIntervals.compareTo(ttl) > 0) ? threeIntervals : ttl;
		}

	}

	/**
	 * What a heartbeat learned.
	 *
	 * @param live the live members
	 * @param serverNow the server's time
	 * @param sampler the member that holds the sampler lease, or {@code null} when no
	 * sampler is elected (plain commands)
	 * @param published the figures the fleet's sampler published (empty when none)
	 * @param sample the {@code INFO clients} carried beside plain commands, or
	 * {@code null}
	 */
	record Outcome(long live, Instant serverNow, @Nullable String sampler, Map<String, String> published,
			@Nullable CarriedSample sample) {

		static Outcome of(List<Object> reply, Duration ttl) {
			long now = (Long) reply.get(0);
			long pruned = (Long) reply.get(1);
			long live = (Long) reply.get(2);
			String sampler = RegistryScripts.text(reply.get(3));
			List<Object> flat = RegistryScripts.list(reply.get(4));
			Map<String, String> published = new LinkedHashMap<>();
			for (int i = 0; i + 1 < flat.size(); i += 2) {
				published.put(RegistryScripts.text(flat.get(i)), RegistryScripts.text(flat.get(i + 1)));
			}
			if (pruned > 0 && logger.isDebugEnabled()) {
				logger.debug("Redis Governor pruned " + pruned + " instance(s) whose registry entry expired");
			}
			return new Outcome(live, Instant.ofEpochMilli(now), sampler, published, null);
		}

	}

}
