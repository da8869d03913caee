package io.github.redisgovernor.autoconfigure;

import java.time.Duration;

import io.github.redisgovernor.connection.SharedConnectionStyle;
import io.github.redisgovernor.budget.BudgetPolicy;
import io.github.redisgovernor.budget.ConnectionAllowance;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for Redis Governor.
 * <p>
 * Connection settings (url, host, port, credentials, database, ssl, sentinel, cluster)
 * stay under {@code spring.data.redis.*}; these properties add governance on top of them.
 * Impossible values are rejected at startup with an
 * {@link InvalidGovernorPropertyException} that names the property and a valid example.
 * Durations are whole milliseconds and TCP keepalive times whole seconds: the units in
 * which Lettuce, the kernel and the governor apply them.
 *
 * @author Redis Governor contributors
 */
@ConfigurationProperties("redis.governor")
public class RedisGovernorProperties implements InitializingBean {

	private static final Log logger = LogFactory.getLog(RedisGovernorProperties.class);

	public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

	public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

	/**
	 * Whether the governor is active. When false, the application gets plain Spring Boot
	 * behaviour back.
	 */
	private boolean enabled = true;

	/**
	 * Fleet name: the first part of every connection's client name. Defaults to
	 * 'spring.application.name', or 'application' when that is not set either.
	 */
	private @Nullable String application;

	/**
	 * Unique id of this process within the fleet. Defaults to the host name and the
	 * process id, for example 'ip-10-0-1-17-4242'.
	 */
	private @Nullable String instanceId;

	/**
	 * Time allowed to open a connection, TLS handshake included. Defaults to
	 * 'spring.data.redis.connect-timeout' when that is set, otherwise 2 seconds.
	 */
	private @Nullable Duration connectTimeout;

	/**
	 * Time a command may take before it fails with a timeout. Defaults to
	 * 'spring.data.redis.timeout' when that is set, otherwise 2 seconds.
	 */
	private @Nullable Duration commandTimeout;

	/**
	 * Maximum number of commands queued on one connection while they wait for a reply.
	 * Commands beyond it fail at once instead of buffering without limit.
	 */
	private int requestQueueSize = 10_000;

	/**
	 * Time a connection taken from the connection factory may stay open before it is
	 * logged, with the stack that took it, as a possible leak. Unset or 0 disables leak
	 * detection.
	 */
	private @Nullable Duration leakDetectionThreshold;

	private final Reconnect reconnect = new Reconnect();

	private final Tcp tcp = new Tcp();

	/**
	 * Whether startup fails when Redis cannot be reached. When false, the application
	 * starts, the 'redis' health component is DOWN and the connection is opened as soon
	 * as Redis answers.
	 */
	private boolean failFast = false;

	/**
	 * Which of the factory's shared connections the governor's own commands (heartbeat,
	 * samples, health) use: 'auto' picks the reactive one in a reactive web application
	 * and the imperative one otherwise, so that the governor adds no connection. Set
	 * 'reactive' for a reactive application that is not a reactive web application.
	 */
	private SharedConnectionStyle sharedConnection = SharedConnectionStyle.AUTO;

	private final Watchdog watchdog = new Watchdog();

	private final Registry registry = new Registry();

	private final Server server = new Server();

	private final Budget budget = new Budget();

	private final Health health = new Health();

	private final Shutdown shutdown = new Shutdown();

	private final Cache cache = new Cache();

	private final Cluster cluster = new Cluster();

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public @Nullable String getApplication() {
		return this.application;
	}

	public void setApplication(@Nullable String application) {
		this.application = application;
	}

	public @Nullable String getInstanceId() {
		return this.instanceId;
	}

	public void setInstanceId(@Nullable String instanceId) {
		this.instanceId = instanceId;
	}

	public @Nullable Duration getConnectTimeout() {
		return this.connectTimeout;
	}

	public void setConnectTimeout(@Nullable Duration connectTimeout) {
		this.connectTimeout = connectTimeout;
	}

	public @Nullable Duration getCommandTimeout() {
		return this.commandTimeout;
	}

	public void setCommandTimeout(@Nullable Duration commandTimeout) {
		this.commandTimeout = commandTimeout;
	}

	public int getRequestQueueSize() {
		return this.requestQueueSize;
	}

	public void setRequestQueueSize(int requestQueueSize) {
		this.requestQueueSize = requestQueueSize;
	}

	public @Nullable Duration getLeakDetectionThreshold() {
		return this.leakDetectionThreshold;
	}

	public void setLeakDetectionThreshold(@Nullable Duration leakDetectionThreshold) {
		this.leakDetectionThreshold = leakDetectionThreshold;
	}

	public Reconnect getReconnect() {
		return this.reconnect;
	}

	public Tcp getTcp() {
		return this.tcp;
	}

	public boolean isFailFast() {
		return this.failFast;
	}

	public void setFailFast(boolean failFast) {
		this.failFast = failFast;
	}

	public SharedConnectionStyle getSharedConnection() {
		return this.sharedConnection;
	}

	public void setSharedConnection(SharedConnectionStyle sharedConnection) {
		this.sharedConnection = sharedConnection;
	}

	public Watchdog getWatchdog() {
		return this.watchdog;
	}

	public Registry getRegistry() {
		return this.registry;
	}

	public Server getServer() {
		return this.server;
	}

	public Budget getBudget() {
		return this.budget;
	}

	public Health getHealth() {
		return this.health;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Cache getCache() {
		return this.cache;
	}

	public Cluster getCluster() {
		return this.cluster;
	}

	@Override
	public void afterPropertiesSet() {
		if (!this.enabled) {
			return;
		}
		PropertyChecks checks = new PropertyChecks("redis.governor");
		checks.clientNamePart("application", this.application, "spring.application.name", "orders-api");
		checks.clientNamePart("instance-id", this.instanceId, "the host name and process id", "orders-api-7f9c4");
		checks.positive("connect-timeout", this.connectTimeout, "2s");
		checks.positive("command-timeout", this.commandTimeout, "2s");
		checks.atLeast("request-queue-size", this.requestQueueSize, 1, "10000");
		checks.notNegative("leak-detection-threshold", this.leakDetectionThreshold, "0 turns leak detection off",
				"30s");
		checks.positive("reconnect.min-delay", this.reconnect.minDelay, "100ms");
		checks.positive("reconnect.max-delay", this.reconnect.maxDelay, "3s");
		// Lettuce's jittered back-off needs a range to draw from: equal bounds fail in
		// Lettuce.
		checks.longerThan("reconnect.max-delay", this.reconnect.maxDelay, "reconnect.min-delay",
				this.reconnect.minDelay, "3s");
		checks.notNegative("reconnect.grace", this.reconnect.grace, "0 fails commands at once while disconnected",
				"1s");
		checks.keepAliveTime("tcp.keep-alive-idle", this.tcp.keepAliveIdle, "30s");
		checks.keepAliveTime("tcp.keep-alive-interval", this.tcp.keepAliveInterval, "10s");
		checks.atLeast("tcp.keep-alive-count", this.tcp.keepAliveCount, 1, "3");
		checks.atMost("tcp.keep-alive-count", this.tcp.keepAliveCount, PropertyChecks.MOST_KEEP_ALIVE_PROBES,
				"the most the Linux kernel accepts (TCP_KEEPCNT)", "3");
		checks.positive("tcp.user-timeout", this.tcp.userTimeout, "30s");
		checks.positive("watchdog.interval", this.watchdog.interval, "20s");
		checks.positive("watchdog.fast-interval", this.watchdog.fastInterval, "1s");
		checks.positive("watchdog.timeout", this.watchdog.timeout, "500ms");
		checks.notAfter("watchdog.fast-interval", this.watchdog.fastInterval, "watchdog.interval",
				this.watchdog.interval, "1s");
		checks.notAfter("watchdog.timeout", this.watchdog.timeout, "watchdog.fast-interval", this.watchdog.fastInterval,
				"500ms");
		checks.atLeast("watchdog.failure-threshold", this.watchdog.failureThreshold, 1, "3");
		checkAccounting(checks);
		checks.positive("shutdown.drain-timeout", this.shutdown.drainTimeout, "10s");
		checks.notNegative("shutdown.quiet-period", this.shutdown.quietPeriod, "200ms");
		checks.notBefore("shutdown.drain-timeout", this.shutdown.drainTimeout, "shutdown.quiet-period",
				this.shutdown.quietPeriod, "10s");
		checks.positive("cache.log-interval", this.cache.logInterval, "30s");
		checks.positive("cluster.refresh.period", this.cluster.refresh.period, "60s");
		checks.positive("cluster.refresh.while-node-down", this.cluster.refresh.whileNodeDown, "1s");
		checks.positive("cluster.refresh.adaptive-timeout", this.cluster.refresh.adaptiveTimeout, "5s");
	}

	private void checkAccounting(PropertyChecks checks) {
		checks.hashTagged("registry.key", this.registry.key, "{redis-governor}:instances");
		checks.positive("registry.heartbeat-interval", this.registry.heartbeatInterval, "10s");
		checks.atLeastRate("registry.fleet-heartbeat-rate", this.registry.fleetHeartbeatRate, "10");
		checks.positive("registry.ttl", this.registry.ttl, "60s");
		checks.longerThan("registry.ttl", this.registry.ttl, "registry.heartbeat-interval",
				this.registry.heartbeatInterval, "60s");
		checks.positive("server.sample-interval", this.server.sampleInterval, "2s");
		checks.positive("server.fast-sample-interval", this.server.fastSampleInterval, "5s");
		checks.positive("server.client-list-max-age", this.server.clientListMaxAge, "5s");
		checks.positive("server.client-list-interval", this.server.clientListInterval, "60s");
		if (this.budget.connectionsPerInstance != null) {
			checks.atLeast("budget.connections-per-instance", this.budget.connectionsPerInstance, 1, "2");
		}
		checks.atLeast("budget.reserved-clients", this.budget.reservedClients, 0, "5");
		checks.ratio("budget.headroom", this.budget.headroom, "0.8");
		checks.ratio("budget.saturation.warn", this.budget.saturation.warn, "0.8");
		checks.ratio("budget.saturation.critical", this.budget.saturation.critical, "0.95");
		checks.notBelow("budget.saturation.critical", this.budget.saturation.critical, "budget.saturation.warn",
				this.budget.saturation.warn, "0.95");
		checks.positive("budget.leak.window", this.budget.leak.window, "30s");
		if (this.registry.ttl.compareTo(this.registry.heartbeatInterval.multipliedBy(2)) < 0) {
			logger.warn("redis.governor.registry.ttl (" + PropertyChecks.format(this.registry.ttl)
					+ ") is less than twice redis.governor.registry.heartbeat-interval ("
					+ PropertyChecks.format(this.registry.heartbeatInterval) + "): one late heartbeat will make a "
					+ "live instance drop out of the count. Set the ttl to at least three heartbeat intervals.");
		}
		Duration judgedEvery = this.server.sampleInterval;
		if (this.budget.leak.window.compareTo(judgedEvery.multipliedBy(2)) < 0) {
			logger.warn("redis.governor.budget.leak.window (" + PropertyChecks.format(this.budget.leak.window)
					+ ") is shorter than two samples of the fleet's sampler (redis.governor.server.sample-interval: "
					+ PropertyChecks.format(judgedEvery) + "): a single sample above the budget will be reported "
					+ "as a leak. Set the window to several such intervals.");
		}
	}

	/**
	 * Reconnect back-off: exponential with jitter. The delay before attempt n is drawn at
	 * random between t/2 and t, where t = min(max-delay, min-delay * 2^n), and is never
	 * below min-delay. A fleet that lost Redis at the same moment therefore does not
	 * reconnect in lockstep.
	 */
	public static class Reconnect {

		/**
		 * Lower bound of the delay between two reconnect attempts.
		 */
		private Duration minDelay = Duration.ofMillis(100);

		/**
		 * Upper bound of the delay between two reconnect attempts. Bounds how long the
		 * application stays disconnected after Redis is back. Must be longer than the min
		 * delay.
		 */
		private Duration maxDelay = Duration.ofSeconds(3);

		/**
		 * How long a command waits for a connection that is being re-established (a
		 * planned failover, a restart) before it fails. Once a connection has been down
		 * longer, commands fail at once until it is back. 0 fails commands at once while
		 * a connection is down. Must be shorter than the command timeout. Defaults to
		 * half the command timeout, at most 1 second.
		 */
		private @Nullable Duration grace;

		public @Nullable Duration getGrace() {
			return this.grace;
		}

		public void setGrace(@Nullable Duration grace) {
			this.grace = grace;
		}

		public Duration getMinDelay() {
			return this.minDelay;
		}

		public void setMinDelay(Duration minDelay) {
			this.minDelay = minDelay;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

	}

	/**
	 * TCP socket options of every governed connection.
	 */
	public static class Tcp {

		/**
		 * Idle time before the first TCP keepalive probe is sent, in whole seconds.
		 */
		private Duration keepAliveIdle = Duration.ofSeconds(30);

		/**
		 * Time between two TCP keepalive probes, in whole seconds.
		 */
		private Duration keepAliveInterval = Duration.ofSeconds(10);

		/**
		 * Number of unanswered keepalive probes after which the kernel drops the
		 * connection.
		 */
		private int keepAliveCount = 3;

		/**
		 * Longest time sent data may stay unacknowledged before the kernel drops the
		 * connection (TCP_USER_TIMEOUT). Applied only when a native transport (epoll or
		 * io_uring) is on the class path.
		 */
		private Duration userTimeout = Duration.ofSeconds(30);

		public Duration getKeepAliveIdle() {
			return this.keepAliveIdle;
		}

		public void setKeepAliveIdle(Duration keepAliveIdle) {
			this.keepAliveIdle = keepAliveIdle;
		}

		public Duration getKeepAliveInterval() {
			return this.keepAliveInterval;
		}

		public void setKeepAliveInterval(Duration keepAliveInterval) {
			this.keepAliveInterval = keepAliveInterval;
		}

		public int getKeepAliveCount() {
			return this.keepAliveCount;
		}

		public void setKeepAliveCount(int keepAliveCount) {
			this.keepAliveCount = keepAliveCount;
		}

		public Duration getUserTimeout() {
			return this.userTimeout;
		}

		public void setUserTimeout(Duration userTimeout) {
			this.userTimeout = userTimeout;
		}

	}

	/**
	 * Dead-connection watchdog: checks the shared connection every interval, with a PING
	 * unless the connection answered other commands since the last check, and every
	 * fast-interval once a check or a command failed. After failure-threshold PINGs in a
	 * row got no reply within the timeout (or failed), the connection's channel is closed
	 * so that Lettuce reconnects. It detects within seconds a peer that stopped answering
	 * while the kernel still acknowledges bytes, which TCP alone detects only after many
	 * minutes.
	 */
	public static class Watchdog {

		/**
		 * Whether to watch the shared connections and replace one whose server stopped
		 * answering.
		 */
		private boolean enabled = true;

		/**
		 * Time without any reply after which an idle connection gets a PING. At the
		 * default, equal to the registry heartbeat interval, an idle healthy instance
		 * sends none.
		 */
		private Duration interval = Duration.ofSeconds(20);

		/**
		 * How often the watchdog looks at the connections' activity (it sends nothing
		 * while they answer), and the time between two failed checks. Must not be longer
		 * than the interval.
		 */
		private Duration fastInterval = Duration.ofSeconds(1);

		/**
		 * Time a watchdog PING may wait for its reply before it counts as a failure. Must
		 * not be longer than the fast interval.
		 */
		private Duration timeout = Duration.ofMillis(500);

		/**
		 * Number of failed checks in a row (a PING without a reply within the timeout)
		 * after which the connection is replaced, once nothing at all arrived on it for
		 * the command timeout.
		 */
		private int failureThreshold = 3;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getInterval() {
			return this.interval;
		}

		public void setInterval(Duration interval) {
			this.interval = interval;
		}

		public Duration getFastInterval() {
			return this.fastInterval;
		}

		public void setFastInterval(Duration fastInterval) {
			this.fastInterval = fastInterval;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public int getFailureThreshold() {
			return this.failureThreshold;
		}

		public void setFailureThreshold(int failureThreshold) {
			this.failureThreshold = failureThreshold;
		}

	}

	/**
	 * Instance registry: every instance heartbeats into one sorted set on the server, so
	 * that each of them knows how many instances share the server.
	 */
	public static class Registry {

		/**
		 * Key of the sorted set that holds one member per live instance. Keep a hash tag
		 * ('{...}') in it so that it maps to one slot on a cluster.
		 */
		private String key = "{redis-governor}:instances";

		/**
		 * Shortest time between two heartbeats of this instance. In a fleet larger than
		 * 'fleet-heartbeat-rate' times this interval, each instance heartbeats every
		 * (live instances / fleet-heartbeat-rate) instead, so that the fleet's cost stays
		 * flat.
		 */
		private Duration heartbeatInterval = Duration.ofSeconds(10);

		/**
		 * Most heartbeats per second the whole fleet sends to one server. Each instance
		 * stretches its heartbeat interval to (live instances / this rate) when that is
		 * longer than 'heartbeat-interval'.
		 */
		private double fleetHeartbeatRate = 10;

		/**
		 * Shortest time after which an instance that stopped heartbeating no longer
		 * counts and is pruned; stretched to three heartbeat intervals when the interval
		 * follows a large fleet. Must be longer than the heartbeat interval.
		 */
		private Duration ttl = Duration.ofSeconds(60);

		public double getFleetHeartbeatRate() {
			return this.fleetHeartbeatRate;
		}

		public void setFleetHeartbeatRate(double fleetHeartbeatRate) {
			this.fleetHeartbeatRate = fleetHeartbeatRate;
		}

		public String getKey() {
			return this.key;
		}

		public void setKey(String key) {
			this.key = key;
		}

		public Duration getHeartbeatInterval() {
			return this.heartbeatInterval;
		}

		public void setHeartbeatInterval(Duration heartbeatInterval) {
			this.heartbeatInterval = heartbeatInterval;
		}

		public Duration getTtl() {
			return this.ttl;
		}

		public void setTtl(Duration ttl) {
			this.ttl = ttl;
		}

	}

	/**
	 * Server figures: the server's client count and limit, sampled on a schedule and
	 * cached, so that health checks and metric scrapes never send commands of their own.
	 */
	public static class Server {

		/**
		 * Time between two samples of 'INFO clients' by the fleet's sampler, the one
		 * instance per server that the registry elects to sample for all of them. The
		 * other instances adopt its figures at their heartbeats.
		 */
		private Duration sampleInterval = Duration.ofSeconds(2);

		/**
		 * Time between two samples of 'INFO clients' while the budget is unsettled, when
		 * every instance samples for itself because the server refuses the registry's
		 * scripts. Settled, such an instance samples at each heartbeat.
		 */
		private Duration fastSampleInterval = Duration.ofSeconds(5);

		/**
		 * How long a 'CLIENT LIST' summary taken for the redisgovernor endpoint is reused
		 * before the next request reads it again; also the shortest time between two
		 * reads of the client mix by the fleet's sampler while the budget is unsettled.
		 */
		private Duration clientListMaxAge = Duration.ofSeconds(5);

		/**
		 * Time between two reads of 'CLIENT LIST' by the fleet's sampler while the budget
		 * is settled, to tell the fleet's clients from Sentinels, replication links,
		 * MONITOR and other hosts' applications.
		 */
		private Duration clientListInterval = Duration.ofSeconds(60);

		public Duration getClientListInterval() {
			return this.clientListInterval;
		}

		public void setClientListInterval(Duration clientListInterval) {
			this.clientListInterval = clientListInterval;
		}

		public Duration getSampleInterval() {
			return this.sampleInterval;
		}

		public void setSampleInterval(Duration sampleInterval) {
			this.sampleInterval = sampleInterval;
		}

		public Duration getFastSampleInterval() {
			return this.fastSampleInterval;
		}

		public void setFastSampleInterval(Duration fastSampleInterval) {
			this.fastSampleInterval = fastSampleInterval;
		}

		public Duration getClientListMaxAge() {
			return this.clientListMaxAge;
		}

		public void setClientListMaxAge(Duration clientListMaxAge) {
			this.clientListMaxAge = clientListMaxAge;
		}

	}

	/**
	 * Connection budget of the fleet: what one instance may hold, and when the server is
	 * close to its 'maxclients'.
	 */
	public static class Budget {

		/**
		 * Return the budget these properties describe, with the default allowance when
		 * {@code connections-per-instance} is not set.
		 * @return the policy
		 */
		public BudgetPolicy toPolicy() {
			return toPolicy(ConnectionAllowance.DEFAULT);
		}

		/**
		 * Return the budget these properties describe.
		 * @param derived the allowance that follows the application's connection set-up,
		 * used when {@code connections-per-instance} is not set
		 * @return the policy
		 */
		public BudgetPolicy toPolicy(ConnectionAllowance derived) {
			ConnectionAllowance allowance = (this.connectionsPerInstance != null)
					? ConnectionAllowance.configured(this.connectionsPerInstance) : derived;
			return new BudgetPolicy(allowance.connections(), this.reservedClients, this.headroom,
					this.saturation.getWarn(), this.saturation.getCritical(), this.leak.getWindow(), allowance.from());
		}

		/**
		 * Connections one instance may hold. Above this, on average over the fleet, a
		 * leak is suspected. When not set, it follows the application: the pool's
		 * max-active (or 1 for the shared connection without a pool), plus 1, plus 1 per
		 * listening RedisMessageListenerContainer; 2 for an application with neither.
		 */
		private @Nullable Integer connectionsPerInstance;

		/**
		 * Clients outside the governed fleet (monitoring agents, redis-cli, replicas)
		 * that are left out of the per-instance ratio.
		 */
		private int reservedClients = 0;

		/**
		 * Share of 'maxclients' the fleet may plan to use, between 0 (excluded) and 1.
		 */
		private double headroom = 0.8;

		private final Saturation saturation = new Saturation();

		private final Leak leak = new Leak();

		public @Nullable Integer getConnectionsPerInstance() {
			return this.connectionsPerInstance;
		}

		public void setConnectionsPerInstance(@Nullable Integer connectionsPerInstance) {
			this.connectionsPerInstance = connectionsPerInstance;
		}

		public int getReservedClients() {
			return this.reservedClients;
		}

		public void setReservedClients(int reservedClients) {
			this.reservedClients = reservedClients;
		}

		public double getHeadroom() {
			return this.headroom;
		}

		public void setHeadroom(double headroom) {
			this.headroom = headroom;
		}

		public Saturation getSaturation() {
			return this.saturation;
		}

		public Leak getLeak() {
			return this.leak;
		}

		/**
		 * Thresholds on utilization (connected clients divided by 'maxclients').
		 */
		public static class Saturation {

			/**
			 * Utilization from which saturation is reported as WARN.
			 */
			private double warn = 0.8;

			/**
			 * Utilization from which saturation is reported as CRITICAL. Must not be
			 * below the warn threshold.
			 */
			private double critical = 0.95;

			public double getWarn() {
				return this.warn;
			}

			public void setWarn(double warn) {
				this.warn = warn;
			}

			public double getCritical() {
				return this.critical;
			}

			public void setCritical(double critical) {
				this.critical = critical;
			}

		}

		/**
		 * Leak detection on the fleet's average clients per instance.
		 */
		public static class Leak {

			/**
			 * Time the clients per instance must stay above the budget, in every sample,
			 * before a leak is suspected. One spike is not enough.
			 */
			private Duration window = Duration.ofSeconds(30);

			public Duration getWindow() {
				return this.window;
			}

			public void setWindow(Duration window) {
				this.window = window;
			}

		}

	}

	/**
	 * How the redisGovernor health component reports a suspected leak or saturation.
	 */
	public static class Health {

		/**
		 * Whether to report OUT_OF_SERVICE instead of DEGRADED when a leak is suspected
		 * or the server is saturated. OUT_OF_SERVICE turns /actuator/health (and every
		 * group that includes redisGovernor) into HTTP 503.
		 */
		private boolean reportOutOfService;

		public boolean isReportOutOfService() {
			return this.reportOutOfService;
		}

		public void setReportOutOfService(boolean reportOutOfService) {
			this.reportOutOfService = reportOutOfService;
		}

	}

	/**
	 * Graceful drain of the governed connection on shutdown.
	 */
	public static class Shutdown {

		/**
		 * Longest time the drain waits, on shutdown, for Redis commands still in flight
		 * before it closes the connection.
		 */
		private Duration drainTimeout = Duration.ofSeconds(10);

		/**
		 * Time the connection must stay idle (no command in flight and none started) for
		 * the drain to count it as drained. Covers work that sends one command after
		 * another, with short gaps in between. Must not be longer than the drain timeout.
		 */
		private Duration quietPeriod = Duration.ofMillis(200);

		public Duration getDrainTimeout() {
			return this.drainTimeout;
		}

		public void setDrainTimeout(Duration drainTimeout) {
			this.drainTimeout = drainTimeout;
		}

		public Duration getQuietPeriod() {
			return this.quietPeriod;
		}

		public void setQuietPeriod(Duration quietPeriod) {
			this.quietPeriod = quietPeriod;
		}

	}

	/**
	 * Behaviour of Spring's cache abstraction when it is backed by Redis.
	 */
	public static class Cache {

		/**
		 * Whether a Redis fault in a cache operation is treated as a cache miss (the
		 * method runs and its result is returned) instead of failing the call.
		 */
		private boolean failOpen = false;

		/**
		 * Shortest time between two WARN lines about cache errors while failing open;
		 * errors in between are counted and reported with the next line.
		 */
		private Duration logInterval = Duration.ofSeconds(30);

		public boolean isFailOpen() {
			return this.failOpen;
		}

		public void setFailOpen(boolean failOpen) {
			this.failOpen = failOpen;
		}

		public Duration getLogInterval() {
			return this.logInterval;
		}

		public void setLogInterval(Duration logInterval) {
			this.logInterval = logInterval;
		}

	}

	/**
	 * Redis Cluster topology refresh ({@code spring.data.redis.cluster.nodes}). Lettuce
	 * refreshes the topology when a command is redirected or a slot is uncovered; the
	 * governor adds a refresh every second while a node is down, so that the client
	 * follows a promoted replica about a second after the cluster promotes it, and a
	 * periodic refresh paced by the fleet size.
	 */
	public static class Cluster {

		private final Refresh refresh = new Refresh();

		public Refresh getRefresh() {
			return this.refresh;
		}

		public static class Refresh {

			/**
			 * Shortest time between two periodic topology refreshes of one instance. Each
			 * refresh opens a short-lived connection to every node, so the period also
			 * grows with the fleet: never shorter than ten registry heartbeat intervals
			 * (the fleet refreshes at most fleet-heartbeat-rate / 10 times a second).
			 */
			private Duration period = Duration.ofSeconds(60);

			/**
			 * Time between two topology refreshes while a node the client routes to is
			 * flagged failed or its connection is down. Never shorter than a tenth of the
			 * registry heartbeat interval, so that a fleet of more than 100 instances
			 * refreshes at most 10 x fleet-heartbeat-rate times a second in all.
			 */
			private Duration whileNodeDown = Duration.ofSeconds(1);

			/**
			 * Shortest time between two refreshes that Lettuce's adaptive triggers (MOVED
			 * and ASK redirects, uncovered slots, unknown nodes, persistent reconnects)
			 * start, on one instance. In an outage every instance's reconnects fail at
			 * once, so the fleet refreshes this often per instance; Lettuce's default.
			 */
			private Duration adaptiveTimeout = Duration.ofSeconds(5);

			public Duration getPeriod() {
				return this.period;
			}

			public void setPeriod(Duration period) {
				this.period = period;
			}

			public Duration getWhileNodeDown() {
				return this.whileNodeDown;
			}

			public void setWhileNodeDown(Duration whileNodeDown) {
				this.whileNodeDown = whileNodeDown;
			}

			public Duration getAdaptiveTimeout() {
				return this.adaptiveTimeout;
			}

			public void setAdaptiveTimeout(Duration adaptiveTimeout) {
				this.adaptiveTimeout = adaptiveTimeout;
			}

		}

	}

}
