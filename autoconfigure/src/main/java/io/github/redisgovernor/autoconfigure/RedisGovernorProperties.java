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

	private final Watchdog watchdog = new Watchdog();

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

	public Watchdog getWatchdog() {
		return this.watchdog;
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
		checks.notNegative("leak-detection-threshold", this.leakDetectionThreshold, "30s");
		checks.clientNamePart("application", this.application, "orders-api");
		checks.clientNamePart("instance-id", this.instanceId, "orders-api-7f9c4");
		checks.positive("reconnect.min-delay", this.reconnect.minDelay, "100ms");
		checks.positive("reconnect.max-delay", this.reconnect.maxDelay, "3s");
		checks.notBefore("reconnect.max-delay", this.reconnect.maxDelay, "reconnect.min-delay",
				this.reconnect.minDelay, "3s");
		checks.positive("tcp.keep-alive-idle", this.tcp.keepAliveIdle, "30s");
		checks.positive("tcp.keep-alive-interval", this.tcp.keepAliveInterval, "10s");
		checks.atLeast("tcp.keep-alive-count", this.tcp.keepAliveCount, 1, "3");
		checks.positive("tcp.user-timeout", this.tcp.userTimeout, "30s");
		checks.positive("watchdog.interval", this.watchdog.interval, "1s");
		checks.positive("watchdog.timeout", this.watchdog.timeout, "500ms");
		checks.notAfter("watchdog.timeout", this.watchdog.timeout, "watchdog.interval", this.watchdog.interval,
				"500ms");
		checks.atLeast("watchdog.failure-threshold", this.watchdog.failureThreshold, 1, "3");
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
		private Duration maxDelay = Duration.ofSeconds(3);

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
	 * Dead-connection watchdog: a PING on the shared connection every interval. After
	 * failure-threshold PINGs in a row got no reply within the timeout (or failed), the
	 * connection's channel is closed so that Lettuce reconnects. It detects within
	 * seconds a peer that stopped answering while the kernel still acknowledges bytes,
	 * which TCP alone detects only after many minutes.
	 */
	public static class Watchdog {

		/**
		 * Whether to watch the shared connection with a periodic PING.
		 */
		private boolean enabled = true;

		/**
		 * Time between two watchdog PINGs, measured from the end of one check to the
		 * start of the next.
		 */
		private Duration interval = Duration.ofSeconds(1);

		/**
		 * Time a watchdog PING may wait for its reply before it counts as a failure. Must
		 * not be longer than the interval.
		 */
		private Duration timeout = Duration.ofMillis(500);

		/**
		 * Number of failed PINGs in a row after which the connection is replaced.
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

}
