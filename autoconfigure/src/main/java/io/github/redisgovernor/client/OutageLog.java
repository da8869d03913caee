package io.github.redisgovernor.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;

/**
 * Logs a background task's failures per outage, not per attempt: a WARN when the first
 * attempt fails, at most one WARN a minute while the outage lasts (how long it has
 * lasted, how many attempts failed, the last reason), DEBUG for the other attempts, and
 * an INFO when an attempt succeeds again. A Redis that is down for an hour therefore
 * costs at most 62 log lines per task, not thousands.
 *
 * @author Redis Governor contributors
 */
public final class OutageLog {

	/**
	 * How often a lasting outage is summarized.
	 */
	static final Duration SUMMARY_INTERVAL = Duration.ofMinutes(1);

	private final Log logger;

	private final String task;

	private final Clock clock;

	private Instant failedSince = Instant.MIN;

	private Instant summarizedAt = Instant.MIN;

	private long failures;

	/**
	 * Create an outage log.
	 * @param logger where to log
	 * @param task what the task does, for example
	 * {@code "Redis Governor [orders:a] heartbeat"}
	 */
	public OutageLog(Log logger, String task) {
		this(logger, task, Clock.systemUTC());
	}

	/**
	 * Create an outage log that reads the time from the given clock.
	 * @param logger where to log
	 * @param task what the task does, for example
	 * {@code "Redis Governor [orders:a] heartbeat"}
	 * @param clock the clock that times the outage and its summaries
	 */
	public OutageLog(Log logger, String task, Clock clock) {
		this.logger = logger;
		this.task = task;
		this.clock = clock;
	}

	/**
	 * Record a failed attempt.
	 * @param ex the failure
	 * @param advice what the reader should do or expect, appended to the first WARN
	 */
	public void failed(Throwable ex, Supplier<String> advice) {
		String reason = Failures.describe(ex);
		failed(reason, () -> this.task + " failed: " + reason + ". " + advice.get());
	}

	/**
	 * Record a failed attempt, the first WARN of an outage worded by the caller.
	 * @param reason why the attempt failed, repeated in the summaries
	 * @param firstWarning the WARN that opens an outage, with the reason and what to do
	 */
	public synchronized void failed(String reason, Supplier<String> firstWarning) {
		Instant now = this.clock.instant();
		this.failures++;
		if (this.failures == 1) {
			this.failedSince = now;
			this.summarizedAt = now;
			this.logger.warn(firstWarning.get() + " Until it works again, a summary is logged at most once a minute.");
		}
		else if (!now.isBefore(this.summarizedAt.plus(SUMMARY_INTERVAL))) {
			this.summarizedAt = now;
			this.logger.warn(this.task + " still failing after " + format(Duration.between(this.failedSince, now))
					+ ": " + this.failures + " attempts failed so far, the last with: " + reason + ".");
		}
		else if (this.logger.isDebugEnabled()) {
			this.logger.debug(this.task + " failed again (" + this.failures + " in a row): " + reason);
		}
	}

	/**
	 * Record a successful attempt.
	 */
	public synchronized void succeeded() {
		if (this.failures > 0) {
			Duration outage = Duration.between(this.failedSince, this.clock.instant());
			this.logger.info(this.task + " works again after " + this.failures
					+ ((this.failures != 1) ? " failed attempts" : " failed attempt") + " over " + format(outage)
					+ ".");
			this.failures = 0;
		}
	}

	/**
	 * Return whether the last attempt failed.
	 * @return {@code true} during an outage
	 */
	public synchronized boolean isFailing() {
		return this.failures > 0;
	}

	/**
	 * An outage's length for a reader: milliseconds up to ten seconds, then seconds,
	 * minutes and hours.
	 */
	static String format(Duration duration) {
		if (duration.toMillis() < 10_000) {
			return Math.max(0, duration.toMillis()) + "ms";
		}
		long seconds = duration.toSeconds();
		if (seconds < 60) {
			return seconds + "s";
		}
		if (seconds < 3600) {
			return (seconds / 60) + "min " + (seconds % 60) + "s";
		}
		return (seconds / 3600) + "h " + (seconds % 3600 / 60) + "min";
	}

}
