package io.github.redisgovernor.autoconfigure;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.InitializingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for Redis Governor.
 * <p>
 * Connection settings (url, host, port, credentials, database, ssl, sentinel, cluster)
 * stay under {@code spring.data.redis.*}; these properties add governance on top of
 * them. Impossible values are rejected at startup with an
 * {@link InvalidGovernorPropertyException} that names the property and a valid example.
 *
 * @author Redis Governor contributors
 */
@ConfigurationProperties("redis.governor")
public class RedisGovernorProperties implements InitializingBean {

	static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

	static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

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

	private final Reconnect reconnect = new Reconnect();

	private final Tcp tcp = new Tcp();

	private final Shutdown shutdown = new Shutdown();

	private final Cache cache = new Cache();

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

	public Reconnect getReconnect() {
		return this.reconnect;
	}

	public Tcp getTcp() {
		return this.tcp;
	}

	public Shutdown getShutdown() {
		return this.shutdown;
	}

	public Cache getCache() {
		return this.cache;
	}

	@Override
	public void afterPropertiesSet() {
		if (!this.enabled) {
			return;
		}
		PropertyChecks checks = new PropertyChecks("redis.governor");
		checks.positive("connect-timeout", this.connectTimeout, "2s");
		checks.positive("command-timeout", this.commandTimeout, "2s");
		checks.atLeast("request-queue-size", this.requestQueueSize, 1, "10000");
		checks.clientNamePart("application", this.application, "orders-api");
		checks.clientNamePart("instance-id", this.instanceId, "orders-api-7f9c4");
		checks.positive("reconnect.min-delay", this.reconnect.minDelay, "100ms");
		checks.positive("reconnect.max-delay", this.reconnect.maxDelay, "5s");
		checks.notBefore("reconnect.max-delay", this.reconnect.maxDelay, "reconnect.min-delay",
				this.reconnect.minDelay, "5s");
		checks.positive("tcp.keep-alive-idle", this.tcp.keepAliveIdle, "30s");
		checks.positive("tcp.keep-alive-interval", this.tcp.keepAliveInterval, "10s");
		checks.atLeast("tcp.keep-alive-count", this.tcp.keepAliveCount, 1, "3");
		checks.positive("tcp.user-timeout", this.tcp.userTimeout, "30s");
		checks.positive("shutdown.drain-timeout", this.shutdown.drainTimeout, "10s");
		checks.notNegative("shutdown.quiet-period", this.shutdown.quietPeriod, "200ms");
		checks.notBefore("shutdown.drain-timeout", this.shutdown.drainTimeout, "shutdown.quiet-period",
				this.shutdown.quietPeriod, "10s");
		checks.positive("cache.log-interval", this.cache.logInterval, "30s");
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
		 * application stays disconnected after Redis is back.
		 */
		private Duration maxDelay = Duration.ofSeconds(5);

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
		 * Idle time before the first TCP keepalive probe is sent.
		 */
		private Duration keepAliveIdle = Duration.ofSeconds(30);

		/**
		 * Time between two TCP keepalive probes.
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
		 * another, with short gaps in between.
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

}
