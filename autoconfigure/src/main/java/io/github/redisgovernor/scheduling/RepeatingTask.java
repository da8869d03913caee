package io.github.redisgovernor.scheduling;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;

/**
 * A task that runs on the {@link GovernorScheduler} at a fixed delay between its
 * {@link #start} and its {@link #stop}: the lifecycle of the governor's periodic checks.
 * Thread-safe; starting a started task or stopping a stopped one does nothing.
 *
 * @author Redis Governor contributors
 */
public final class RepeatingTask {

	private final GovernorScheduler scheduler;

	private final Runnable task;

	private final Object monitor = new Object();

	private @Nullable ScheduledFuture<?> future;

	/**
	 * Create a task.
	 * @param scheduler the scheduler it runs on
	 * @param task what runs at each tick; it must not block
	 */
	public RepeatingTask(GovernorScheduler scheduler, Runnable task) {
		this.scheduler = scheduler;
		this.task = task;
	}

	/**
	 * Run the task every {@code tick}, the first time one tick from now.
	 * @param tick the delay between the end of one run and the start of the next
	 */
	public void start(Duration tick) {
		synchronized (this.monitor) {
			if (this.future == null) {
				this.future = this.scheduler.scheduleWithFixedDelay(this.task, tick, tick);
			}
		}
	}

	/**
	 * Stop running the task; a run in progress completes.
	 */
	public void stop() {
		synchronized (this.monitor) {
			if (this.future != null) {
				this.future.cancel(false);
				this.future = null;
			}
		}
	}

	/**
	 * Return whether the task is started.
	 * @return {@code true} between {@link #start} and {@link #stop}
	 */
	public boolean isRunning() {
		synchronized (this.monitor) {
			return this.future != null;
		}
	}

}
