package io.github.redisgovernor.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

/**
 * The whole heartbeat as one Lua script: read the server's clock, refresh this instance's
 * member, prune members older than the ttl, keep the key from living forever and count
 * the live ones; and, when asked, read {@code INFO clients} for the server figures
 * sampler in the same call. One command instead of six: Redis's cost is mostly per
 * command sent, not per operation, so this cuts the governor's background load on Redis
 * by about two thirds (docs/fleet-benchmark.md).
 * <p>
 * {@code INFO clients} runs last, through {@code redis.pcall}: when the ACL forbids it,
 * the heartbeat itself still succeeds and the refusal is returned for the sampler to
 * report.
 *
 * @author Redis Governor contributors
 */
final class HeartbeatScript {

	static final String SOURCE = """
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
			local oldest = now - tonumber(ARGV[2])
			redis.call('ZADD', KEYS[1], now, ARGV[1])
			local pruned = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. oldest)
			redis.call('PEXPIRE', KEYS[1], ARGV[3])
			local live = redis.call('ZCOUNT', KEYS[1], oldest, '+inf')
			if ARGV[4] ~= '1' then
				return {now, pruned, live}
			end
			local info = redis.pcall('INFO', 'clients')
			if type(info) == 'table' then
				return {now, pruned, live, 0, tostring(info.err)}
			end
			return {now, pruned, live, 1, info}
			""";

	private static final String SHA = sha1(SOURCE);

	private static final byte[] ONE = { '1' };

	private static final byte[] ZERO = { '0' };

	private HeartbeatScript() {
	}

	/**
	 * Send the heartbeat; never waits.
	 * @param redis the shared connection's commands
	 * @param key the registry key
	 * @param member this instance's member
	 * @param ttl the registry ttl
	 * @param readInfoClients whether to read {@code INFO clients} in the same call
	 * @return the reply to come, or the server's error reply (for example NOPERM when the
	 * ACL forbids scripts)
	 */
	static CompletionStage<Reply> run(RedisClusterAsyncCommands<byte[], byte[]> redis, byte[] key, byte[] member,
			Duration ttl, boolean readInfoClients) {
		byte[][] keys = { key };
		byte[][] args = { member, Long.toString(ttl.toMillis()).getBytes(StandardCharsets.US_ASCII),
				Long.toString(ttl.toMillis() * 2).getBytes(StandardCharsets.US_ASCII), (readInfoClients ? ONE : ZERO) };
		CompletionStage<List<Object>> sent = redis.evalsha(SHA, ScriptOutputType.MULTI, keys, args);
		return sent.handle((result, failure) -> {
			Throwable cause = (failure instanceof CompletionException && failure.getCause() != null)
					? failure.getCause() : failure;
			if (cause instanceof RedisNoScriptException) {
				// First run on this server (or after SCRIPT FLUSH or a failover): EVAL
				// loads it.
				return redis.<List<Object>>eval(SOURCE, ScriptOutputType.MULTI, keys, args);
			}
			return (failure != null) ? CompletableFuture.<List<Object>>failedFuture(cause)
					: CompletableFuture.completedFuture(result);
		}).thenCompose((stage) -> stage).thenApply(Reply::of);
	}

	/**
	 * What one heartbeat returned.
	 *
	 * @param serverTimeMillis the server's clock, in epoch milliseconds
	 * @param pruned the members pruned because their last heartbeat is older than the ttl
	 * @param live the live members
	 * @param infoClients the {@code INFO clients} reply, or {@code null} when it was not
	 * asked for or was refused
	 * @param infoClientsError the server's error for {@code INFO clients}, or
	 * {@code null}
	 */
	record Reply(long serverTimeMillis, long pruned, long live, @Nullable String infoClients,
			@Nullable String infoClientsError) {

		static Reply of(List<Object> result) {
			long now = (Long) result.get(0);
			long pruned = (Long) result.get(1);
			long live = (Long) result.get(2);
			if (result.size() < 5) {
				return new Reply(now, pruned, live, null, null);
			}
			String text = text(result.get(4));
			return (Long.valueOf(1).equals(result.get(3))) ? new Reply(now, pruned, live, text, null)
					: new Reply(now, pruned, live, null, text);
		}

		private static String text(@Nullable Object value) {
			return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
		}

	}

	private static String sha1(String source) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is required of every Java platform", ex);
		}
	}

}
