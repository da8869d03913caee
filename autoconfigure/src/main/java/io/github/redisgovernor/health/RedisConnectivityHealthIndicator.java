package io.github.redisgovernor.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.github.redisgovernor.server.InfoParser;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.util.Assert;

/**
 * The {@code redis} health component: can this instance talk to Redis right now?
 * <p>
 * Unlike Spring Boot's own Redis indicators it reuses the governed, shared connection
 * and never opens one of its own (Boot's reactive indicator opens a second connection
 * per instance). It sends one {@code PING} per check and waits at most the timeout for
 * the reply. The server's version, mode and role are read with {@code INFO} at most
 * once a minute, so frequent probes add one cheap command each and nothing more.
 *
 * @author Redis Governor contributors
 */
public class RedisConnectivityHealthIndicator implements HealthIndicator {

	static final Duration SERVER_DETAILS_MAX_AGE = Duration.ofMinutes(1);

	private final RedisConnectionFactory connectionFactory;

	private final Duration timeout;

	private final LongSupplier nanoClock;

	private volatile @Nullable ServerDetails serverDetails;

	/**
	 * Create an indicator.
	 * @param connectionFactory the governed connection factory
	 * @param timeout the longest a check waits for {@code PING}
	 */
	public RedisConnectivityHealthIndicator(RedisConnectionFactory connectionFactory, Duration timeout) {
		this(connectionFactory, timeout, System::nanoTime);
	}

	RedisConnectivityHealthIndicator(RedisConnectionFactory connectionFactory, Duration timeout,
			LongSupplier nanoClock) {
		Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
		Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "'timeout' must be positive");
		this.connectionFactory = connectionFactory;
		this.timeout = timeout;
		this.nanoClock = nanoClock;
	}

	@Override
	public Health health() {
		long start = this.nanoClock.getAsLong();
		RedisConnection connection;
		try {
			// With a shared native connection this opens nothing: it hands out the shared one.
			connection = this.connectionFactory.getConnection();
		}
		catch (RuntimeException ex) {
			this.serverDetails = null;
			return Health.down(ex).build();
		}
		try {
			return check(connection, start);
		}
		finally {
			connection.close();
		}
	}

	private Health check(RedisConnection connection, long start) {
		Object nativeConnection = connection.getNativeConnection();
		if (!(nativeConnection instanceof RedisClusterAsyncCommands<?, ?> commands)) {
			// Not Lettuce: fall back to the client's own, command-timeout bounded PING.
			connection.ping();
			return Health.up().withDetail("latencyMillis", elapsedMillis(start)).build();
		}
		try {
			await(commands.ping());
		}
		catch (TimeoutException ex) {
			this.serverDetails = null;
			return Health.down()
				.withDetail("error", "PING got no reply within " + this.timeout.toMillis() + "ms")
				.build();
		}
		catch (Exception ex) {
			this.serverDetails = null;
			return Health.down(unwrap(ex)).build();
		}
		double latencyMillis = elapsedMillis(start);
		Health.Builder health = Health.up().withDetail("latencyMillis", latencyMillis);
		health.withDetails(serverDetails(commands).asMap());
		return health.build();
	}

	private ServerDetails serverDetails(RedisClusterAsyncCommands<?, ?> commands) {
		ServerDetails current = this.serverDetails;
		long now = this.nanoClock.getAsLong();
		if (current != null && now - current.readAt() < SERVER_DETAILS_MAX_AGE.toNanos()) {
			return current;
		}
		ServerDetails fresh;
		try {
			Map<String, String> info = InfoParser.parse(await(commands.info("server")));
			Map<String, String> replication = InfoParser.parse(await(commands.info("replication")));
			fresh = new ServerDetails(info.get("redis_version"), info.get("redis_mode"), replication.get("role"),
					null, now);
		}
		catch (Exception ex) {
			// INFO may be forbidden by ACL: connectivity is still fine, say what is missing.
			fresh = new ServerDetails(null, null, null, "INFO not readable: " + unwrap(ex).getMessage(), now);
		}
		this.serverDetails = fresh;
		return fresh;
	}

	private <T> T await(RedisFuture<T> future) throws Exception {
		try {
			return future.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			throw ex;
		}
	}

	private double elapsedMillis(long start) {
		return Math.round((this.nanoClock.getAsLong() - start) / 10_000.0) / 100.0;
	}

	private static Throwable unwrap(Throwable ex) {
		return (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
	}

	private record ServerDetails(@Nullable String version, @Nullable String mode, @Nullable String role,
			@Nullable String problem, long readAt) {

		Map<String, Object> asMap() {
			Map<String, Object> details = new LinkedHashMap<>();
			putIfPresent(details, "version", this.version);
			putIfPresent(details, "mode", this.mode);
			putIfPresent(details, "role", this.role);
			putIfPresent(details, "serverDetails", this.problem);
			return details;
		}

		private static void putIfPresent(Map<String, Object> details, String key, @Nullable String value) {
			if (value != null) {
				details.put(key, value);
			}
		}

	}

}
