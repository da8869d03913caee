package io.github.redisgovernor.registry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

/**
 * The registry's Lua scripts. Each one is a single command for Redis, whose cost is
 * mostly per command sent (docs/fleet-benchmark.md), and each one runs atomically.
 * <p>
 * Every script works on the same three keys, which share the registry key's hash tag:
 * {@code KEYS[1]} the sorted set of live members (score = the time the member expires, by
 * the server's clock, so that each member's own ttl is respected), {@code KEYS[2]} the
 * sampler lease (the member elected to sample the server for the fleet), {@code KEYS[3]}
 * the fleet's published figures (a hash). The registry lives in database 0: when
 * {@code ARGV[1]} is not empty (the application's connection selects another database)
 * the scripts {@code SELECT} it, which affects the script only, so the fleet shares one
 * registry whatever database each application selects.
 * <p>
 * The sorted set holds a marker member ({@link #MARKER}, score {@code -inf}) that says
 * the governor created it. A key that exists without the marker was not created by the
 * governor: the heartbeat refuses to touch it ({@link #NOT_OWNED}).
 *
 * @author Redis Governor contributors
 */
final class RegistryScripts {

	/**
	 * The member that marks the registry key as the governor's own; it never counts as an
	 * instance.
	 */
	static final String MARKER = "#redis-governor";

	/**
	 * The prefix of the error reply when the registry key exists and was not created by
	 * the governor.
	 */
	static final String NOT_OWNED = "REGISTRYKEY";

	private static final String PRELUDE = """
			if ARGV[1] ~= '' then redis.call('SELECT', tonumber(ARGV[1])) end
			local t = redis.call('TIME')
			local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
			""";

	/**
	 * Refresh this member, prune expired members, count the live members, keep the key
	 * alive for the longest ttl, take the sampler lease when nobody holds it, and return
	 * the fleet's published figures. The member's entry outlives the next heartbeat: when
	 * the count stretches the heartbeat interval ({@code max(interval, live / rate)}),
	 * its expiry moves to three of those intervals, as {@link InstanceRegistry} computes
	 * them from the same count. {@code ARGV}: db, member, ttl ms, lease ms, heartbeat
	 * interval ms, fleet heartbeat rate per second.
	 */
	static final Script HEARTBEAT = new Script(
			PRELUDE + """
					local marker = redis.pcall('ZSCORE', KEYS[1], '%1$s')
					if type(marker) == 'table' or (not marker and redis.call('EXISTS', KEYS[1]) == 1) then
						return redis.error_reply('%2$s the registry key ' .. KEYS[1] .. ' exists and was not created by Redis Governor')
					end
					if not marker then redis.call('ZADD', KEYS[1], '-inf', '%1$s') end
					local ttl = tonumber(ARGV[3])
					redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
					local pruned = redis.call('ZREMRANGEBYSCORE', KEYS[1], '(-inf', '(' .. now)
					local live = redis.call('ZCOUNT', KEYS[1], now, '+inf')
					local interval = math.max(tonumber(ARGV[5]), math.ceil(live * 1000 / tonumber(ARGV[6])))
					if 3 * interval > ttl then
						ttl = 3 * interval
						redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
					end
					if redis.call('PTTL', KEYS[1]) < 2 * ttl then redis.call('PEXPIRE', KEYS[1], 2 * ttl) end
					local sampler = redis.call('GET', KEYS[2])
					if not sampler then
						redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
						sampler = ARGV[2]
					end
					return {now, pruned, live, sampler, redis.call('HGETALL', KEYS[3])}
					"""
				.formatted(MARKER, NOT_OWNED));

	/**
	 * The sampler's sample: renew the lease if this member still holds it, count the live
	 * members and read {@code INFO clients} (through {@code pcall}: a refusal is
	 * returned, not raised). Returns {@code {0}} when the lease is lost. {@code ARGV}:
	 * db, member, lease ms.
	 */
	static final Script SAMPLE = new Script(PRELUDE + """
			if redis.call('GET', KEYS[2]) ~= ARGV[2] then return {0, now} end
			redis.call('PEXPIRE', KEYS[2], ARGV[3])
			local live = redis.call('ZCOUNT', KEYS[1], now, '+inf')
			local info = redis.pcall('INFO', 'clients')
			if type(info) == 'table' then return {1, now, live, 0, tostring(info.err)} end
			return {1, now, live, 1, info}
			""");

	/**
	 * Replace the fleet's published figures, if this member still holds the lease.
	 * {@code ARGV}: db, member, keep ms, then field and value pairs.
	 */
	static final Script PUBLISH = new Script(PRELUDE + """
			if redis.call('GET', KEYS[2]) ~= ARGV[2] then return 0 end
			redis.call('DEL', KEYS[3])
			redis.call('HSET', KEYS[3], unpack(ARGV, 4))
			redis.call('PEXPIRE', KEYS[3], ARGV[3])
			return 1
			""");

	/**
	 * The live members with their expiry. {@code ARGV}: db.
	 */
	static final Script MEMBERS = new Script(PRELUDE + """
			return {now, redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf', 'WITHSCORES')}
			""");

	/**
	 * Leave the registry, and give up the sampler lease if held. {@code ARGV}: db,
	 * member.
	 */
	static final Script LEAVE = new Script(PRELUDE + """
			redis.call('ZREM', KEYS[1], ARGV[2])
			if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
			return 1
			""");

	private RegistryScripts() {
	}

	/**
	 * A script and its SHA-1, run with {@code EVALSHA} and loaded with {@code EVAL} the
	 * first time a server sees it.
	 *
	 * @param source the Lua source
	 * @param sha its SHA-1
	 */
	record Script(String source, String sha) {

		Script(String source) {
			this(source, sha1(source));
		}

		/**
		 * Run the script; never waits.
		 * @param <T> the reply's type
		 * @param redis the shared connection's commands
		 * @param type how Lettuce decodes the reply
		 * @param keys the keys
		 * @param args the arguments
		 * @return the reply to come, or the server's error reply
		 */
		<T> CompletionStage<T> run(RedisClusterAsyncCommands<byte[], byte[]> redis, ScriptOutputType type,
				byte[][] keys, byte[]... args) {
			CompletionStage<T> sent = redis.evalsha(this.sha, type, keys, args);
			return sent.handle((result, failure) -> {
				Throwable cause = (failure instanceof CompletionException && failure.getCause() != null)
						? failure.getCause() : failure;
				if (cause instanceof RedisNoScriptException) {
					// First run on this server (or after SCRIPT FLUSH or a failover):
					// EVAL
					// loads it.
					return redis.<T>eval(this.source, type, keys, args);
				}
				return (failure != null) ? CompletableFuture.<T>failedFuture(cause)
						: CompletableFuture.completedFuture(result);
			}).thenCompose((stage) -> stage);
		}

	}

	static String text(Object value) {
		return (value instanceof byte[] bytes) ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
	}

	static byte[] bytes(Object value) {
		return String.valueOf(value).getBytes(StandardCharsets.UTF_8);
	}

	@SuppressWarnings("unchecked")
	static List<Object> list(Object value) {
		return (List<Object>) value;
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
