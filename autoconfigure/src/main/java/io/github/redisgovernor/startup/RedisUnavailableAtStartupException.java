package io.github.redisgovernor.startup;

import java.time.Duration;

/**
 * Thrown at startup, when {@code redis.governor.fail-fast=true}, because Redis could not
 * be reached. Its message names the endpoint but never a user name or password.
 *
 * @author Redis Governor contributors
 */
public class RedisUnavailableAtStartupException extends IllegalStateException {

	private final String endpoint;

	private final Duration connectTimeout;

	private final Duration elapsed;

	private final String reason;

	public RedisUnavailableAtStartupException(String endpoint, Duration connectTimeout, Duration elapsed,
			String reason) {
		super("Redis at " + endpoint + " is not reachable (gave up after " + elapsed.toMillis() + "ms, connect timeout "
				+ connectTimeout.toMillis() + "ms): " + reason);
		this.endpoint = endpoint;
		this.connectTimeout = connectTimeout;
		this.elapsed = elapsed;
		this.reason = reason;
	}

	/**
	 * Return the endpoint that could not be reached.
	 * @return the endpoint, for example {@code 10.0.1.5:6379}
	 */
	public String getEndpoint() {
		return this.endpoint;
	}

	/**
	 * Return the connect timeout that applied.
	 * @return the connect timeout
	 */
	public Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	/**
	 * Return how long the startup check tried before it gave up.
	 * @return the elapsed time
	 */
	public Duration getElapsed() {
		return this.elapsed;
	}

	/**
	 * Return why the connection failed, free of credentials.
	 * @return the reason
	 */
	public String getReason() {
		return this.reason;
	}

}
