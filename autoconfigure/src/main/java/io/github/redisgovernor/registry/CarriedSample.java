package io.github.redisgovernor.registry;

import java.util.concurrent.CompletableFuture;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.server.ServerFiguresSampler;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

/**
 * The {@code INFO clients} reply a heartbeat carries for the sampler, or the server's
 * refusal of it: a heartbeat whose {@code INFO} is refused (ACL) still counts.
 *
 * @param infoClients the reply, or {@code null} when refused
 * @param error the refusal, or {@code null}
 * @author Redis Governor contributors
 */
record CarriedSample(@Nullable String infoClients, @Nullable String error) {

	/**
	 * Read {@code INFO clients} beside the heartbeat's own commands; never fails.
	 */
	static CompletableFuture<CarriedSample> read(RedisClusterAsyncCommands<byte[], byte[]> redis) {
		return redis.info("clients")
			.toCompletableFuture()
			.handle((info, failure) -> (info != null) ? new CarriedSample(info, null)
					: new CarriedSample(null, Failures.describe(failure)));
	}

	void offerTo(ServerFiguresSampler sampler) {
		if (this.infoClients != null) {
			sampler.offer(this.infoClients);
			return;
		}
		sampler.offerFailure(refusal(String.valueOf(this.error)));
	}

	/**
	 * The server's refusal of {@code INFO clients}, as an exception to report.
	 * @param text the error reply
	 * @return the exception
	 */
	static RedisCommandExecutionException refusal(String text) {
		// Redis 7.0 words an ACL refusal inside a script as "ERR The user executing the
		// script can't run this command"; later versions say NOPERM.
		String reason = (text.startsWith("NOPERM") || !text.contains("can't run this command")) ? text
				: "NOPERM " + text.replaceFirst("^ERR ", "");
		return new RedisCommandExecutionException(reason);
	}

}
