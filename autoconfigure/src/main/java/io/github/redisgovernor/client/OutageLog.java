package io.github.redisgovernor.client;

import java.time.Duration;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;

/**
 * Logs a background task's failures once per outage, not once per attempt: a WARN when
 * the first attempt fails, DEBUG for the attempts that follow, and an INFO when an
 * attempt succeeds again. A Redis that is down for an hour therefore costs two log lines
 * per task, not thousands.
 *
 * @author Redis Governor contributors
 */
public final class OutageLog {

	private final Log logger;

	private final String task;

	private long failedSince;

	private long failures;

	/**
	 * Create an outage log.
	 * @param logger where to log
	 * @param task what the task does, for example {@code "Redis Governor [orders:a] heartbeat"}
	 */
	public OutageLog(Log logger, String task) {
		this.logger = logger;
		this.task = task;
	}

	/**
	 * Record a failed attempt.
	 * @param ex the failure
	 * @param advice what the reader should do or expect, appended to the WARN
	 */
	public synchronized void failed(Throwable ex, Supplier<String> advice) {
		this.failures++;
		if (this.failures == 1) {
			this.failedSince = System.nanoTime();
			this.logger.warn(this.task + " failed: " + Failures.describe(ex) + ". " + advice.get()
					+ " Further failures are logged at DEBUG until it succeeds again.");
		}
		else if (this.logger.isDebugEnabled()) {
			this.logger.debug(this.task + " failed again (" + this.failures + " in a row): "
					+ Failures.describe(ex));
		}
	}

	/**
	 * Record a successful attempt.
	 */
	public synchronized void succeeded() {
		if (this.failures > 0) {
			Duration outage = Duration.ofNanos(System.nanoTime() - this.failedSince);
			this.logger.info(this.task + " works again after " + this.failures + " failed attempts over "
					+ outage.toMillis() + "ms.");
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

}
