package io.github.redisgovernor.registry;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.client.InstanceIdentity;
import io.lettuce.core.Range;
import io.lettuce.core.Range.Boundary;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * One heartbeat's commands: the {@link HeartbeatScript}, or the same commands back to
 * back while the server refuses scripts. Only a refusal of scripts themselves
 * ({@link ScriptRefusal}) switches to plain commands; the script is tried again every
 * {@link #SCRIPT_RETRY_HEARTBEATS} heartbeats, so that an ACL fix takes effect without a
 * restart. Any other error reply (OOM, LOADING, BUSY, READONLY during a failover) fails
 * that one heartbeat only.
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

	private final byte[] key;

	private final byte[] memberBytes;

	private final Duration heartbeatInterval;

	private final Duration ttl;

	private volatile boolean scriptRefused;

	private volatile int plainHeartbeatsBeforeScriptRetry;

	Heartbeat(InstanceIdentity identity, byte[] key, byte[] memberBytes, Duration heartbeatInterval, Duration ttl) {
		this.identity = identity;
		this.key = key;
		this.memberBytes = memberBytes;
		this.heartbeatInterval = heartbeatInterval;
		this.ttl = ttl;
	}

	CompletionStage<Outcome> send(RedisClusterAsyncCommands<byte[], byte[]> redis, boolean sample) {
		if (this.plainHeartbeatsBeforeScriptRetry > 0) {
			this.plainHeartbeatsBeforeScriptRetry--;
			return sendCommands(redis, sample);
		}
		return HeartbeatScript.run(redis, this.key, this.memberBytes, this.ttl, sample).thenApply((reply) -> {
			if (this.scriptRefused) {
				this.scriptRefused = false;
				logger.info("Redis Governor [" + this.identity + "] runs the registry heartbeat as one script "
						+ "again: the server no longer refuses it.");
			}
			logPruned(reply.pruned());
			return new Outcome(reply.live(), sample ? CarriedSample.of(reply) : null);
		}).handle((outcome, failure) -> {
			if (outcome != null) {
				return CompletableFuture.completedFuture(outcome);
			}
			Throwable cause = unwrap(failure);
			if (cause instanceof RedisCommandExecutionException refusal
					&& ScriptRefusal.isRefusal(refusal.getMessage())) {
				scriptRefused(refusal);
				return sendCommands(redis, sample);
			}
			// OOM, LOADING, BUSY, READONLY...: the server's state fails this heartbeat,
			// and plain commands would get the same reply. The next one uses the script.
			return CompletableFuture.<Outcome>failedFuture(cause);
		}).thenCompose((stage) -> stage);
	}

	private void scriptRefused(RedisCommandExecutionException ex) {
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
				+ ". This costs Redis about five times more commands per heartbeat; allow EVAL/EVALSHA for this "
				+ "user to avoid it. The script is tried again every " + SCRIPT_RETRY_HEARTBEATS + " heartbeats ("
				+ this.heartbeatInterval.multipliedBy(SCRIPT_RETRY_HEARTBEATS).toMillis()
				+ "ms), so a fix takes effect without a restart.");
	}

	private CompletionStage<Outcome> sendCommands(RedisClusterAsyncCommands<byte[], byte[]> redis, boolean sample) {
		return redis.time().thenCompose((time) -> {
			long now = serverTimeMillis(time);
			long oldest = now - this.ttl.toMillis();
			// Sent back to back without waiting: one round trip on the shared connection.
			RedisFuture<Long> added = redis.zadd(this.key, now, this.memberBytes);
			RedisFuture<Long> pruned = redis.zremrangebyscore(this.key,
					Range.from(Boundary.unbounded(), Boundary.excluding(oldest)));
			RedisFuture<Boolean> expiry = redis.pexpire(this.key, this.ttl.toMillis() * 2);
			RedisFuture<Long> live = redis.zcount(this.key,
					Range.from(Boundary.including(oldest), Boundary.unbounded()));
			CompletableFuture<CarriedSample> info = sample ? CarriedSample.read(redis)
					: CompletableFuture.completedFuture(null);
			return CompletableFuture
				.allOf(added.toCompletableFuture(), pruned.toCompletableFuture(), expiry.toCompletableFuture())
				.thenCompose((ignored) -> live)
				.thenCombine(info, (count, carried) -> {
					logPruned(pruned.toCompletableFuture().join());
					return new Outcome(count, carried);
				});
		});
	}

	private void logPruned(long prunedCount) {
		if (prunedCount > 0 && logger.isDebugEnabled()) {
			logger.debug("Redis Governor [" + this.identity + "] pruned " + prunedCount
					+ " instance(s) whose last heartbeat is older than " + this.ttl.toMillis() + "ms");
		}
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
	 * What a heartbeat learned: the live count, and the sample it carries, if one was
	 * asked for.
	 */
	record Outcome(long live, @Nullable CarriedSample sample) {
	}

}
