package io.github.redisgovernor.drain;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.ConnectionActivity.Activity;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.scheduling.concurrent.ExecutorConfigurationSupport;
import org.springframework.util.Assert;

/**
 * Drains the governed connection on shutdown (SIGTERM, {@code context.close()}).
 * <ol>
 * <li>Every {@link DrainParticipant} stops its own Redis traffic (the registry
 * deregisters this instance while the connection is still open).</li>
 * <li>The drain waits until the connection is quiet: no command in flight and none
 * started for the quiet period, at most until the drain timeout.</li>
 * <li>The connection is closed, one summary line is logged and the {@link DrainObserver}
 * records it.</li>
 * </ol>
 * <p>
 * <b>Phase.</b> {@link #PHASE} is below
 * {@link ExecutorConfigurationSupport#DEFAULT_PHASE} ({@code Integer.MAX_VALUE / 2}), so
 * the drain stops after the web server's graceful shutdown
 * ({@code DEFAULT_PHASE - 1024}), after the web server itself
 * ({@code DEFAULT_PHASE - 2048}) and after Spring's task executors and schedulers, which
 * wait for their running tasks when they stop. It is above {@code 0}, the phase of
 * {@code LettuceConnectionFactory}, so it stops before the factory. The
 * auto-configuration also makes the drain depend on the factory bean, and Spring always
 * stops dependents first: a factory moved to another phase still cannot stop before the
 * drain.
 * <p>
 * <b>Close.</b> When the factory was wrapped by {@link ConnectionFactoryShutdown}, its
 * lifecycle stop is skipped and the connection is closed when the factory bean is
 * destroyed, after every bean that depends on it (a {@code @PreDestroy} method that still
 * uses Redis) has been destroyed; {@link #close(Runnable)} then waits for the quiet
 * connection again within the same deadline. Otherwise the factory's own stop, right
 * after this drain, closes the connection.
 *
 * @author Redis Governor contributors
 */
public class GracefulDrain implements SmartLifecycle, ApplicationListener<ContextClosedEvent> {

	/**
	 * Shutdown phase: after the web server and Spring's executors, before the connection
	 * factory (phase 0).
	 */
	public static final int PHASE = ExecutorConfigurationSupport.DEFAULT_PHASE - 1024;

	private static final Log logger = LogFactory.getLog(GracefulDrain.class);

	private static final long POLL_MILLIS = 5;

	private final InstanceIdentity identity;

	private final Supplier<Activity> activity;

	private final Supplier<List<DrainParticipant>> participants;

	private final Duration timeout;

	private final Duration quietPeriod;

	private final DrainObserver observer;

	private final AtomicBoolean closed = new AtomicBoolean();

	private volatile boolean running;

	private volatile boolean closeDeferred;

	// Set when the context closes: only then is the factory's close deferred to its
	// destruction. A context.stop() stops the factory at once, and start() opens it
	// again.
	private volatile boolean closing;

	private volatile boolean drained;

	private volatile long startNanos;

	private volatile long finishedAtStart;

	private volatile long startedWhenDrained;

	private volatile boolean quietWhenDrained;

	/**
	 * Create a drain.
	 * @param identity the identity named in the summary line
	 * @param activity the activity of the governed shared connections
	 * @param participants supplies the participants, in order, when the drain starts
	 * @param timeout the longest the drain waits
	 * @param quietPeriod how long the connection must stay idle to count as drained
	 * @param observer told about the completed drain
	 */
	public GracefulDrain(InstanceIdentity identity, Supplier<Activity> activity,
			Supplier<List<DrainParticipant>> participants, Duration timeout, Duration quietPeriod,
			DrainObserver observer) {
		Assert.isTrue(timeout.compareTo(Duration.ZERO) > 0, "'timeout' must be positive");
		Assert.isTrue(!quietPeriod.isNegative(), "'quietPeriod' must not be negative");
		this.identity = identity;
		this.activity = activity;
		this.participants = participants;
		this.timeout = timeout;
		this.quietPeriod = quietPeriod;
		this.observer = observer;
	}

	/**
	 * Let the connection factory's destruction close the connection through
	 * {@link #close(Runnable)}, instead of the factory's lifecycle stop.
	 */
	public void deferCloseToFactoryDestruction() {
		this.closeDeferred = true;
	}

	/**
	 * Return whether the context is closing and the drain has waited, so that the
	 * connection factory's close waits for its destruction.
	 * @return {@code true} once {@link #stop()} has completed during the context's close
	 */
	public boolean hasDrained() {
		return this.drained && this.closing;
	}

	@Override
	public void start() {
		this.drained = false;
		this.closed.set(false);
		this.running = true;
	}

	@Override
	public void onApplicationEvent(ContextClosedEvent event) {
		this.closing = true;
	}

	@Override
	public void stop() {
		if (!this.running) {
			return;
		}
		this.running = false;
		this.startNanos = System.nanoTime();
		this.finishedAtStart = finished();
		for (DrainParticipant participant : this.participants.get()) {
			try {
				participant.stopBeforeDrain();
			}
			catch (RuntimeException ex) {
				logger.warn("Redis Governor [" + this.identity + "] drain participant " + participant
						+ " failed to stop; the drain goes on without it.", ex);
			}
		}
		boolean quiet = awaitQuiet();
		this.startedWhenDrained = started();
		this.quietWhenDrained = quiet;
		this.drained = true;
		if ((!this.closeDeferred || !this.closing) && this.closed.compareAndSet(false, true)) {
			// The factory's own stop closes the connection right after this phase.
			report(quiet, current(), finished());
		}
	}

	/**
	 * Close the governed connection: wait (within what is left of the drain timeout) for
	 * work that started after {@link #stop()}, such as {@code @PreDestroy} methods, then
	 * run the close and report.
	 * @param closeConnection closes the connection factory
	 */
	public void close(Runnable closeConnection) {
		if (!this.drained || !this.closed.compareAndSet(false, true)) {
			closeConnection.run();
			return;
		}
		// A drain that already gave up has no time left. One that ended quiet, with
		// nothing
		// sent since, is still quiet. Otherwise wait again within the same deadline.
		boolean idleSinceDrained = started() == this.startedWhenDrained && current() == 0;
		boolean quiet = this.quietWhenDrained && (idleSinceDrained || awaitQuiet());
		// Read before the close: a closed connection counts nothing.
		long abandoned = current();
		long finished = finished();
		try {
			closeConnection.run();
		}
		finally {
			report(quiet, abandoned, finished);
		}
	}

	private long started() {
		return this.activity.get().written();
	}

	private long current() {
		return this.activity.get().waiting();
	}

	private long finished() {
		Activity now = this.activity.get();
		return now.written() - now.waiting();
	}

	private boolean awaitQuiet() {
		long deadline = this.startNanos + this.timeout.toNanos();
		long quietNanos = this.quietPeriod.toNanos();
		long lastStarted = started();
		long quietSince = System.nanoTime();
		while (true) {
			long now = System.nanoTime();
			long started = started();
			if (current() > 0 || started != lastStarted) {
				lastStarted = started;
				quietSince = now;
			}
			else if (now - quietSince >= quietNanos) {
				return true;
			}
			if (now - deadline >= 0) {
				return false;
			}
			try {
				TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
	}

	private void report(boolean quiet, long abandoned, long finished) {
		Duration duration = Duration.ofNanos(System.nanoTime() - this.startNanos);
		// Commands answered since the drain began; the abandoned ones are still waiting.
		long drainedCommands = Math.max(0, finished - this.finishedAtStart);
		DrainSummary summary = new DrainSummary(drainedCommands, abandoned, duration, !quiet);
		String line = "Redis Governor [" + this.identity + "] drained the Redis connection in " + duration.toMillis()
				+ "ms: " + drainedCommands + " commands completed during the drain, " + abandoned + " abandoned";
		if (quiet) {
			logger.info(line + ".");
		}
		else {
			logger.warn(line + "; Redis work was still running after redis.governor.shutdown.drain-timeout ("
					+ this.timeout.toMillis() + "ms). Stop that work earlier on shutdown or raise the drain timeout.");
		}
		try {
			this.observer.drained(summary);
		}
		catch (RuntimeException ex) {
			logger.debug("Redis Governor [" + this.identity + "] could not record the drain", ex);
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
