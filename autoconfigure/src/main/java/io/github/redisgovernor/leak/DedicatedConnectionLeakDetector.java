package io.github.redisgovernor.leak;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.github.redisgovernor.client.InstanceIdentity;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionProvider;
import org.springframework.util.ReflectionUtils;

/**
 * Dedicated-connection leak detection, in the manner of HikariCP's
 * {@code leakDetectionThreshold}. The shared connection cannot leak, but a
 * {@code RedisConnection} that starts a transaction, a pipeline or a blocking command
 * takes a dedicated native connection of its own, and keeps it until the
 * {@code RedisConnection} is closed. A dedicated connection still out after
 * {@code redis.governor.leak-detection-threshold} is logged once, with the thread that
 * took it and the stack where it was taken; closing it later logs that it came back.
 * <p>
 * Spring Data Redis offers no hook on the connections a factory hands out, so the
 * detector wraps the factory's connection provider once the factory has started (phase
 * 1, after the factory's phase 0). It reaches the provider by reflection; when that
 * fails (another Spring Data Redis version, a cluster factory) it logs a WARN and the
 * application runs without leak detection, never with a broken factory.
 *
 * @author Redis Governor contributors
 */
public class DedicatedConnectionLeakDetector implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(DedicatedConnectionLeakDetector.class);

	private static final int PHASE = 1;

	private final List<LettuceConnectionFactory> factories;

	private final Duration threshold;

	private final String prefix;

	private @Nullable ScheduledExecutorService scheduler;

	private volatile boolean running;

	/**
	 * Create a detector.
	 * @param factories the factories to watch
	 * @param threshold how long a dedicated connection may stay out before it is reported
	 * @param identity this instance, for log lines
	 */
	public DedicatedConnectionLeakDetector(List<LettuceConnectionFactory> factories, Duration threshold,
			InstanceIdentity identity) {
		this.factories = factories;
		this.threshold = threshold;
		this.prefix = "Redis Governor [" + identity + "] ";
	}

	@Override
	public synchronized void start() {
		if (this.running) {
			return;
		}
		this.scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "redis-governor-leak-detection");
			thread.setDaemon(true);
			return thread;
		});
		for (LettuceConnectionFactory factory : this.factories) {
			install(factory);
		}
		this.running = true;
	}

	@Override
	public synchronized void stop() {
		if (this.scheduler != null) {
			this.scheduler.shutdownNow();
			this.scheduler = null;
		}
		this.running = false;
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

	LeakTask newTask() {
		ScheduledExecutorService scheduler = this.scheduler;
		return (scheduler != null) ? new LeakTask(this.prefix, this.threshold).schedule(scheduler) : LeakTask.NO_LEAK;
	}

	private void install(LettuceConnectionFactory factory) {
		if (factory.isClusterAware()) {
			logger.warn(this.prefix + "does not detect dedicated-connection leaks on a cluster connection factory; "
					+ "redis.governor.leak-detection-threshold is ignored.");
			return;
		}
		Field field = ReflectionUtils.findField(LettuceConnectionFactory.class, "connectionProvider",
				LettuceConnectionProvider.class);
		if (field == null) {
			unavailable("this Spring Data Redis version has no LettuceConnectionFactory.connectionProvider field");
			return;
		}
		try {
			ReflectionUtils.makeAccessible(field);
			Object current = field.get(factory);
			if (current instanceof TrackingConnectionProvider) {
				return;
			}
			if (!(current instanceof LettuceConnectionProvider provider)) {
				unavailable("the connection factory has not started");
				return;
			}
			field.set(factory, new TrackingConnectionProvider(provider, this));
			logger.info(this.prefix + "reports dedicated Redis connections that stay out longer than "
					+ this.threshold.toMillis() + "ms (redis.governor.leak-detection-threshold).");
		}
		catch (ReflectiveOperationException | RuntimeException ex) {
			unavailable(ex.toString());
		}
	}

	private void unavailable(String reason) {
		logger.warn(this.prefix + "cannot detect dedicated-connection leaks (" + reason
				+ "); redis.governor.leak-detection-threshold is ignored.");
	}

}
