package io.github.redisgovernor.scheduling;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.util.Assert;

/**
 * The one thread that runs all of the governor's background work: heartbeats, samples,
 * watchdog checks. Like HikariCP's house-keeping executor, a user may pass an executor of
 * their own; the governor then creates no thread at all.
 * <p>
 * Work scheduled here never waits for Redis: commands are sent asynchronously and their
 * replies handled when they arrive, so a dead connection cannot hold the thread.
 * <p>
 * It starts before and stops after every component that schedules on it ({@link #PHASE}).
 * When it owns its thread, {@link #stop()} ends that thread, and {@link #start()} creates
 * a new one: after a {@code context.stop()} no governor thread runs.
 *
 * @author Redis Governor contributors
 */
public class GovernorScheduler implements SmartLifecycle {

	/**
	 * Phase of the scheduler: below every component that schedules on it, so that it
	 * starts first and stops last.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 8192;

	/**
	 * The name of the thread the scheduler owns.
	 */
	public static final String THREAD_NAME = "redis-governor";

	private static final Log logger = LogFactory.getLog(GovernorScheduler.class);

	private final @Nullable ScheduledExecutorService external;

	private final Object monitor = new Object();

	private volatile @Nullable ScheduledExecutorService executor;

	/**
	 * Create a scheduler that owns one daemon thread, created on {@link #start()}.
	 */
	public GovernorScheduler() {
		this.external = null;
	}

	/**
	 * Create a scheduler that runs its work on the given executor. The executor is the
	 * caller's: it is neither started nor shut down here.
	 * @param executor the executor
	 */
	public GovernorScheduler(ScheduledExecutorService executor) {
		Assert.notNull(executor, "'executor' must not be null");
		this.external = executor;
		this.executor = executor;
	}

	@Override
	public void start() {
		synchronized (this.monitor) {
			if (this.executor != null) {
				return;
			}
			ScheduledThreadPoolExecutor owned = new ScheduledThreadPoolExecutor(1, (task) -> {
				Thread thread = new Thread(task, THREAD_NAME);
				thread.setDaemon(true);
				return thread;
			});
			owned.setRemoveOnCancelPolicy(true);
			owned.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
			this.executor = owned;
		}
	}

	@Override
	public void stop() {
		ScheduledExecutorService owned;
		synchronized (this.monitor) {
			if (this.external != null) {
				return;
			}
			owned = this.executor;
			this.executor = null;
		}
		if (owned != null) {
			owned.shutdownNow();
			try {
				// Tasks never wait for Redis, so the thread ends promptly.
				if (!owned.awaitTermination(5, TimeUnit.SECONDS)) {
					logger.warn("Redis Governor scheduler thread did not end within 5s of stop.");
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.executor != null;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	/**
	 * Run a task repeatedly, with a fixed delay between the end of one run and the start
	 * of the next. A run that throws is logged and does not end the schedule.
	 * @param task the task
	 * @param initialDelay the delay before the first run
	 * @param delay the delay between runs
	 * @return the schedule, to cancel it
	 */
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration initialDelay, Duration delay) {
		return executor().scheduleWithFixedDelay(guarded(task), initialDelay.toNanos(), delay.toNanos(),
				TimeUnit.NANOSECONDS);
	}

	/**
	 * Run a task once after a delay.
	 * @param task the task
	 * @param delay the delay
	 * @return the schedule, to cancel it
	 */
	public ScheduledFuture<?> schedule(Runnable task, Duration delay) {
		return executor().schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
	}

	/**
	 * Return whether work can be scheduled now.
	 * @return {@code true} while started
	 */
	public boolean isAvailable() {
		ScheduledExecutorService current = this.executor;
		return current != null && !current.isShutdown();
	}

	private ScheduledExecutorService executor() {
		ScheduledExecutorService current = this.executor;
		Assert.state(current != null, "The Redis Governor scheduler is not running");
		return current;
	}

	private static Runnable guarded(Runnable task) {
		return () -> {
			try {
				task.run();
			}
			catch (RuntimeException ex) {
				// Never let one odd failure end a periodic task.
				logger.warn("Redis Governor background task failed; it runs again at its next interval.", ex);
			}
		};
	}

	@Override
	public String toString() {
		return (this.external != null) ? "GovernorScheduler[" + this.external + "]"
				: "GovernorScheduler[thread " + THREAD_NAME + "]";
	}

}
