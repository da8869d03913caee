package io.github.redisgovernor.watchdog;

import java.time.Duration;

import org.springframework.util.Assert;

/**
 * The watchdog's timing, in nanoseconds.
 *
 * @param interval time without any reply after which a healthy, idle connection gets a
 * {@code PING}
 * @param fastInterval time between two checks, and between two failed checks
 * @param timeout time a {@code PING} may wait for its reply before the check fails
 * @param deadAfter time without any reply before a failed check counts: the longest a
 * command may legitimately run
 * @param failureThreshold failed checks in a row after which the connection is replaced
 * @author Redis Governor contributors
 */
record WatchdogSettings(long interval, long fastInterval, long timeout, long deadAfter, int failureThreshold) {

	static WatchdogSettings of(Duration interval, Duration fastInterval, Duration timeout, Duration commandTimeout,
			int failureThreshold) {
		Assert.isTrue(interval.compareTo(Duration.ZERO) > 0, "'interval' must be positive");
		Assert.isTrue(fastInterval.compareTo(Duration.ZERO) > 0, "'fastInterval' must be positive");
		Assert.isTrue(fastInterval.compareTo(interval) <= 0, "'fastInterval' must not be longer than 'interval'");
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
		Assert.isTrue(failureThreshold >= 1, "'failureThreshold' must be at least 1");
		Duration deadAfter = (commandTimeout.compareTo(timeout) > 0) ? commandTimeout : timeout;
		return new WatchdogSettings(interval.toNanos(), fastInterval.toNanos(), timeout.toNanos(), deadAfter.toNanos(),
				failureThreshold);
	}

}
