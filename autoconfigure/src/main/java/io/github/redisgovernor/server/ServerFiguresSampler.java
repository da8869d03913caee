package io.github.redisgovernor.server;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.OutageLog;
import io.github.redisgovernor.client.SharedConnectionCommands;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Samples the server's client figures on a schedule and caches them, so that health
 * checks and metric scrapes never send a command of their own.
 * <ul>
 * <li>Every sample interval: {@code INFO clients}, for {@code connected_clients} and
 * {@code maxclients} (Redis 7 and later report both there). Cheap, constant time, so
 * every instance may run it.</li>
 * <li>Only when {@code INFO clients} has no {@code maxclients} (Redis 6 and older):
 * {@code CONFIG GET maxclients}, which managed services often forbid; then
 * {@code maxclients} is reported as unreadable, with the reason.</li>
 * <li>{@code CLIENT LIST} never runs on the schedule: it is O(clients) on Redis's single
 * thread and returns megabytes with 10,000 clients. It runs only when the
 * {@code redisgovernor} endpoint asks, and its summary is reused for a short time.</li>
 * </ul>
 * A forbidden or failing command never throws at the caller: the figures say what could
 * not be read and why, and the failure is logged once per outage.
 *
 * @author Redis Governor contributors
 */
public class ServerFiguresSampler implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ServerFiguresSampler.class);

	static final String INFO_CLIENTS = "INFO clients";

	static final String CONFIG_GET_MAXCLIENTS = "CONFIG GET maxclients";

	static final String CLIENT_LIST = "CLIENT LIST";

	private final SharedConnectionCommands commands;

	private final Duration sampleInterval;

	private final Duration clientListMaxAge;

	private final OutageLog outageLog;

	private final List<Consumer<ServerFigures>> listeners = new CopyOnWriteArrayList<>();

	private final Object lifecycleMonitor = new Object();

	private final Object clientListMonitor = new Object();

	private @Nullable ScheduledExecutorService scheduler;

	private volatile boolean running;

	private volatile ServerFigures figures = ServerFigures.NONE;

	private @Nullable ClientListSummary clientList;

	private long clientListReadAt;

	/**
	 * Create a sampler.
	 * @param commands the shared connection
	 * @param identity this instance, for log lines
	 * @param sampleInterval time between two samples
	 * @param clientListMaxAge how long a {@code CLIENT LIST} summary is reused
	 */
	public ServerFiguresSampler(SharedConnectionCommands commands, InstanceIdentity identity,
			Duration sampleInterval, Duration clientListMaxAge) {
		this.commands = commands;
		this.sampleInterval = sampleInterval;
		this.clientListMaxAge = clientListMaxAge;
		this.outageLog = new OutageLog(logger, "Redis Governor [" + identity + "] sampling of INFO clients");
	}

	/**
	 * Call a listener with every new sample, on the sampler's thread.
	 * @param listener the listener; it must not block
	 */
	public void addListener(Consumer<ServerFigures> listener) {
		this.listeners.add(listener);
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor((task) -> {
				Thread thread = new Thread(task, "redis-governor-sampler");
				thread.setDaemon(true);
				return thread;
			});
			// One sample at once, then every interval, half an interval out of step with the
			// registry's heartbeat (which starts at once too): with both at 10 s the shared
			// connection answers something every 5 s, which is all the watchdog's idle check
			// needs, so it sends no PING of its own.
			long interval = this.sampleInterval.toMillis();
			scheduler.execute(this::sampleAndPublish);
			scheduler.scheduleWithFixedDelay(this::sampleAndPublish, interval + interval / 2, interval,
					TimeUnit.MILLISECONDS);
			this.scheduler = scheduler;
			this.running = true;
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (this.scheduler != null) {
				this.scheduler.shutdownNow();
				this.scheduler = null;
			}
			this.running = false;
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		// Like the registry: runs while the shared connection is open.
		return SmartLifecycle.DEFAULT_PHASE - 4096;
	}

	/**
	 * Return the figures of the last sample. Never sends a command.
	 * @return the cached figures
	 */
	public ServerFigures current() {
		return this.figures;
	}

	void sampleAndPublish() {
		ServerFigures sample = sample();
		this.figures = sample;
		for (Consumer<ServerFigures> listener : this.listeners) {
			try {
				listener.accept(sample);
			}
			catch (RuntimeException ex) {
				logger.error("Redis Governor sample listener failed", ex);
			}
		}
	}

	/**
	 * Take one sample now. Never throws.
	 * @return the figures
	 */
	ServerFigures sample() {
		Map<String, String> unreadable = new LinkedHashMap<>();
		Long connected = null;
		Long max = null;
		try {
			Map<String, String> info = InfoParser.parse(this.commands
				.execute((session) -> session.await(session.commands().info("clients"))));
			connected = parseLong(info.get("connected_clients"));
			max = parseLong(info.get("maxclients"));
			if (connected == null) {
				unreadable.put(INFO_CLIENTS, "the reply has no connected_clients field");
			}
			this.outageLog.succeeded();
		}
		catch (Throwable ex) {
			unreadable.put(INFO_CLIENTS, SharedConnectionCommands.describe(ex));
			this.outageLog.failed(ex, () -> "Health and metrics report the server's client figures as "
					+ "unknown until it works again; grant the governor's user '+info' if the server says NOPERM.");
		}
		if (max == null && !unreadable.containsKey(INFO_CLIENTS)) {
			try {
				Map<String, String> config = this.commands
					.execute((session) -> session.await(session.commands().configGet("maxclients")));
				max = parseLong(config.get("maxclients"));
				if (max == null) {
					unreadable.put(CONFIG_GET_MAXCLIENTS, "the reply has no maxclients value");
				}
			}
			catch (Throwable ex) {
				unreadable.put(CONFIG_GET_MAXCLIENTS, SharedConnectionCommands.describe(ex));
			}
		}
		return new ServerFigures(connected, max, Instant.now(), unreadable);
	}

	/**
	 * Summarize {@code CLIENT LIST}, reusing a summary younger than the configured max
	 * age. Never throws: a forbidden or failed read is reported in the summary.
	 * @return the summary
	 */
	public ClientListSummary clientList() {
		synchronized (this.clientListMonitor) {
			long now = System.nanoTime();
			if (this.clientList != null && now - this.clientListReadAt < this.clientListMaxAge.toNanos()) {
				return this.clientList;
			}
			ClientListSummary summary;
			try {
				String reply = this.commands.execute((session) -> session.await(session.commands().clientList()));
				summary = ClientListSummary.parse(reply, Instant.now());
			}
			catch (Throwable ex) {
				summary = ClientListSummary.unreadable(SharedConnectionCommands.describe(ex));
			}
			this.clientList = summary;
			this.clientListReadAt = now;
			return summary;
		}
	}

	private static @Nullable Long parseLong(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
