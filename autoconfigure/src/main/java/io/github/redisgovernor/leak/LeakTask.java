package io.github.redisgovernor.leak;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Watches one dedicated connection from the moment it is taken, in the manner of
 * HikariCP's {@code ProxyLeakTask}: it captures the taking thread and its stack, and if
 * the connection is still out when the threshold passes, logs both once. Closing the
 * connection cancels the task; closing it after it was reported logs that it came back.
 *
 * @author Redis Governor contributors
 */
class LeakTask implements Runnable {

	private static final Log logger = LogFactory.getLog(DedicatedConnectionLeakDetector.class);

	/** Stands in when leak detection is off, so callers never branch on it. */
	static final LeakTask NO_LEAK = new LeakTask() {

		@Override
		public void run() {
		}

		@Override
		void returned() {
		}

	};

	private final String prefix;

	private final String threadName;

	private final @Nullable Exception taken;

	private final long takenAt;

	private final Duration threshold;

	private @Nullable ScheduledFuture<?> future;

	private volatile boolean reported;

	private LeakTask() {
		this.prefix = "";
		this.threadName = "";
		this.taken = null;
		this.takenAt = 0;
		this.threshold = Duration.ZERO;
	}

	LeakTask(String prefix, Duration threshold) {
		this.prefix = prefix;
		this.threshold = threshold;
		this.threadName = Thread.currentThread().getName();
		this.taken = new Exception("Apparent Redis connection leak: the dedicated connection was taken here");
		// Start the stack at the caller that took the connection, not inside the detector.
		StackTraceElement[] stack = this.taken.getStackTrace();
		int first = 0;
		while (first < stack.length - 1 && stack[first].getClassName().startsWith(LeakTask.class.getPackageName())) {
			first++;
		}
		this.taken.setStackTrace(Arrays.copyOfRange(stack, first, stack.length));
		this.takenAt = System.nanoTime();
	}

	LeakTask schedule(ScheduledExecutorService scheduler) {
		this.future = scheduler.schedule(this, this.threshold.toMillis(), TimeUnit.MILLISECONDS);
		return this;
	}

	@Override
	public void run() {
		this.reported = true;
		logger.warn(this.prefix + "a dedicated Redis connection taken by thread '" + this.threadName
				+ "' has not been closed after " + this.threshold.toMillis() + "ms (redis.governor.leak-detection-"
				+ "threshold): an apparent connection leak. Dedicated connections carry transactions, pipelines "
				+ "and blocking commands; close the RedisConnection (try-with-resources), or let RedisTemplate's "
				+ "execute(SessionCallback) do it. Where it was taken:", this.taken);
	}

	/**
	 * The connection was closed: cancel the task, and say so if it was reported.
	 */
	void returned() {
		ScheduledFuture<?> scheduled = this.future;
		if (scheduled != null) {
			scheduled.cancel(false);
		}
		if (this.reported) {
			logger.info(this.prefix + "the dedicated Redis connection taken by thread '" + this.threadName
					+ "' and reported as an apparent leak was closed after "
					+ Duration.ofNanos(System.nanoTime() - this.takenAt).toMillis() + "ms.");
		}
	}

}
