package io.github.redisgovernor.startup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.client.RedisEndpoint;
import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.RedisConfiguration;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.StringUtils;

/**
 * Fails startup when Redis cannot be reached ({@code redis.governor.fail-fast=true}). It
 * runs right after the connection factory has started, opens the shared connection
 * (bounded by the connect timeout) and sends one {@code PING}. On failure it throws a
 * {@link RedisUnavailableAtStartupException}, which names the endpoint and never the
 * password.
 *
 * @author Redis Governor contributors
 */
public class StartupConnectivityCheck implements SmartLifecycle {

	private final GovernedConnection connection;

	private final LettuceConnectionFactory connectionFactory;

	private final Duration connectTimeout;

	private volatile boolean running;

	/**
	 * Create the check.
	 * @param connection the governed connection
	 * @param connectTimeout the connect timeout, named in the failure
	 */
	public StartupConnectivityCheck(GovernedConnection connection, Duration connectTimeout) {
		this.connection = connection;
		this.connectionFactory = connection.getFactory();
		this.connectTimeout = connectTimeout;
	}

	@Override
	public void start() {
		long start = System.nanoTime();
		try {
			this.connection.execute((redis) -> redis.ping());
		}
		catch (Exception ex) {
			throw new RedisUnavailableAtStartupException(RedisEndpoint.describe(this.connectionFactory),
					this.connectTimeout, Duration.ofNanos(System.nanoTime() - start), reason(ex));
		}
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/**
	 * Run right after the connection factory has started.
	 */
	@Override
	public int getPhase() {
		return this.connectionFactory.getPhase() + 1;
	}

	private String reason(Throwable ex) {
		StringBuilder reason = new StringBuilder();
		for (Throwable current = ex; current != null; current = (current.getCause() != current) ? current.getCause()
				: null) {
			if (StringUtils.hasText(current.getMessage())) {
				if (!reason.isEmpty()) {
					reason.append("; ");
				}
				reason.append(current.getMessage());
			}
		}
		return withoutPassword(reason.isEmpty() ? ex.getClass().getName() : reason.toString());
	}

	/**
	 * Lettuce's messages do not carry the password, but a user-supplied URL may end up in
	 * one: mask every configured password for good measure.
	 */
	private String withoutPassword(String text) {
		String masked = text;
		for (RedisPassword password : passwords()) {
			if (password.isPresent() && password.get().length > 0) {
				masked = masked.replace(new String(password.get()), "******");
			}
		}
		return masked;
	}

	private List<RedisPassword> passwords() {
		List<RedisPassword> passwords = new ArrayList<>();
		Stream
			.of(this.connectionFactory.getStandaloneConfiguration(), this.connectionFactory.getSocketConfiguration(),
					this.connectionFactory.getSentinelConfiguration(), this.connectionFactory.getClusterConfiguration())
			.filter(RedisConfiguration.WithPassword.class::isInstance)
			.map((configuration) -> ((RedisConfiguration.WithPassword) configuration).getPassword())
			.forEach(passwords::add);
		RedisSentinelConfiguration sentinel = this.connectionFactory.getSentinelConfiguration();
		if (sentinel != null) {
			passwords.add(sentinel.getSentinelPassword());
		}
		return passwords;
	}

}
