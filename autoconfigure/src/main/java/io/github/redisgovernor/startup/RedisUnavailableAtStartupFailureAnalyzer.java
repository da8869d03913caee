package io.github.redisgovernor.startup;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link RedisUnavailableAtStartupException} with the endpoint and the fix.
 *
 * @author Redis Governor contributors
 */
class RedisUnavailableAtStartupFailureAnalyzer extends AbstractFailureAnalyzer<RedisUnavailableAtStartupException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, RedisUnavailableAtStartupException cause) {
		String description = "Redis Governor could not start: Redis at " + cause.getEndpoint()
				+ " could not be reached (gave up after " + cause.getElapsed().toMillis() + "ms; connect timeout "
				+ cause.getConnectTimeout().toMillis() + "ms), and redis.governor.fail-fast is true.\n\nReason: "
				+ cause.getReason();
		String action = "Start Redis at " + cause.getEndpoint() + " or correct the connection settings "
				+ "(spring.data.redis.url, host, port, sentinel or cluster nodes, credentials). If the application "
				+ "should start without Redis, remove redis.governor.fail-fast (or set it to false): it then starts "
				+ "with the 'redis' health component DOWN and connects as soon as Redis answers.";
		return new FailureAnalysis(description, action, cause);
	}

}
