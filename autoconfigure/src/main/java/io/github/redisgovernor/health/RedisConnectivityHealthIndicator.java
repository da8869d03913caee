package io.github.redisgovernor.health;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.connection.GovernedConnection.Node;
import io.github.redisgovernor.server.InfoParser;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulConnection;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.data.redis.connection.NamedNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.util.Assert;

/**
 * The {@code redis} health component: can this instance talk to Redis right now?
 * <p>
 * Unlike Spring Boot's own Redis indicators it reuses the governed, shared connection and
 * never opens one of its own (Boot's reactive indicator opens a second connection per
 * instance). It sends one {@code PING} per check and waits at most the timeout for the
 * reply. The server's version, mode and role are read with {@code INFO} at most once a
 * minute, and again as soon as the connection goes to another server, so frequent probes
 * add one cheap command each and nothing more. It names the server the connection talks
 * to ({@code address}) and, behind Sentinel, the master it follows ({@code master}).
 *
 * @author Redis Governor contributors
 */
public class RedisConnectivityHealthIndicator implements HealthIndicator {

	static final Duration SERVER_DETAILS_MAX_AGE = Duration.ofMinutes(1);

	private final GovernedConnection connection;

	private final LongSupplier nanoClock;

	private volatile @Nullable ServerDetails serverDetails;

	/**
	 * Create an indicator.
	 * @param connection the governed connection
	 */
	public RedisConnectivityHealthIndicator(GovernedConnection connection) {
		this(connection, System::nanoTime);
	}

	RedisConnectivityHealthIndicator(GovernedConnection connection, LongSupplier nanoClock) {
		Assert.notNull(connection, "'connection' must not be null");
		this.connection = connection;
		this.nanoClock = nanoClock;
	}

	@Override
	public Health health() {
		long start = this.nanoClock.getAsLong();
		boolean cluster = this.connection.isCluster();
		// One command per health request, as Spring Boot's: on a cluster CLUSTER INFO
		// proves the connection and gives the cluster's state, elsewhere a PING.
		String clusterInfo = null;
		try {
			if (cluster) {
				clusterInfo = clusterInfo();
			}
			else {
				this.connection.execute((redis) -> redis.ping());
			}
		}
		catch (TimeoutException ex) {
			this.serverDetails = null;
			return Health.down()
				.withDetail("error",
						(cluster ? "CLUSTER INFO" : "PING") + " got no reply within "
								+ this.connection.getCommandTimeout().toMillis() + "ms")
				.build();
		}
		catch (Exception ex) {
			this.serverDetails = null;
			return Health.down(ex).build();
		}
		double latencyMillis = elapsedMillis(start);
		Health.Builder health = Health.up().withDetail("latencyMillis", latencyMillis);
		String address = this.connection.remoteAddress();
		if (address != null) {
			health.withDetail("address", address);
		}
		String sentinelMaster = sentinelMaster();
		if (sentinelMaster != null) {
			Map<String, Object> master = new LinkedHashMap<>();
			master.put("name", sentinelMaster);
			if (address != null) {
				master.put("address", address);
			}
			health.withDetail("master", master);
		}
		if (cluster) {
			clusterDetails(health, clusterInfo);
		}
		health.withDetails(serverDetails(address).asMap());
		return health.build();
	}

	/**
	 * {@code CLUSTER INFO}, or the server's error reply (an ACL without
	 * {@code +cluster|info}) as {@code "!" + message}: an error reply still proves the
	 * connection.
	 */
	private String clusterInfo() throws Exception {
		try {
			return this.connection.execute((redis) -> redis.clusterInfo());
		}
		catch (RedisCommandExecutionException ex) {
			return "!" + Failures.describe(ex);
		}
	}

	/**
	 * What Spring Boot reports on a cluster ({@code cluster_size}, {@code slots_up},
	 * {@code slots_fail}, and DOWN when {@code cluster_state} is {@code fail}), and for
	 * each accounted node whether the client's connection to it is open (the watchdog
	 * closes one whose node stopped answering). No command beyond {@code CLUSTER INFO}.
	 */
	private void clusterDetails(Health.Builder health, String clusterInfo) {
		if (clusterInfo.startsWith("!")) {
			health.withDetail("clusterInfo", "CLUSTER INFO not readable: " + clusterInfo.substring(1));
		}
		else {
			Map<String, String> info = InfoParser.parse(clusterInfo);
			Map<String, Object> cluster = new LinkedHashMap<>();
			cluster.put("cluster_size", number(info.get("cluster_size")));
			cluster.put("slots_up", number(info.get("cluster_slots_ok")));
			cluster.put("slots_fail", number(info.get("cluster_slots_fail")));
			cluster.values().removeIf(Objects::isNull);
			health.withDetails(cluster);
			if ("fail".equalsIgnoreCase(info.get("cluster_state"))) {
				health.down();
			}
		}
		Map<Node, StatefulConnection<?, ?>> connections = this.connection.nodeConnections();
		Map<String, Object> nodes = new LinkedHashMap<>();
		for (Node node : this.connection.clusterNodes()) {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("role", node.role());
			StatefulConnection<?, ?> connection = connections.get(node);
			details.put("reachable", connection != null && connection.isOpen());
			if (connection == null) {
				details.put("error", "no connection to it yet");
			}
			else if (!connection.isOpen()) {
				details.put("error", "its connection is down; Lettuce reconnects");
			}
			if (node.failing()) {
				details.put("flagged", "fail");
			}
			nodes.put(node.address(), details);
		}
		health.withDetail("nodes", nodes);
	}

	private static @Nullable Long number(@Nullable String value) {
		try {
			return (value != null) ? Long.valueOf(value.trim()) : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private @Nullable String sentinelMaster() {
		RedisSentinelConfiguration sentinel = this.connection.getFactory().getSentinelConfiguration();
		NamedNode master = (sentinel != null) ? sentinel.getMaster() : null;
		return (master != null) ? master.getName() : null;
	}

	private ServerDetails serverDetails(@Nullable String address) {
		ServerDetails current = this.serverDetails;
		long now = this.nanoClock.getAsLong();
		// Read again when the connection now goes to another server (a failover).
		if (current != null && now - current.readAt() < SERVER_DETAILS_MAX_AGE.toNanos()
				&& Objects.equals(current.address(), address)) {
			return current;
		}
		ServerDetails fresh;
		try {
			Map<String, String> info = InfoParser.parse(this.connection.execute((redis) -> redis.info("server")));
			Map<String, String> replication = InfoParser
				.parse(this.connection.execute((redis) -> redis.info("replication")));
			fresh = new ServerDetails(info.get("redis_version"), info.get("redis_mode"), replication.get("role"), null,
					address, now);
		}
		catch (Exception ex) {
			// INFO may be forbidden by ACL: connectivity is still fine, say what is
			// missing.
			fresh = new ServerDetails(null, null, null, "INFO not readable: " + Failures.describe(ex), address, now);
		}
		this.serverDetails = fresh;
		return fresh;
	}

	private double elapsedMillis(long start) {
		return Math.round((this.nanoClock.getAsLong() - start) / 10_000.0) / 100.0;
	}

	private record ServerDetails(@Nullable String version, @Nullable String mode, @Nullable String role,
			@Nullable String problem, @Nullable String address, long readAt) {

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
