package io.github.redisgovernor.server;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 * every instance may run it. In an application the registry's heartbeat script reads it
 * in the same call ({@link #offer}), and this sampler sends no command of its own while
 * such samples keep arriving; it samples on its own again when none arrived for a sample
 * interval plus a heartbeat interval (scripts refused, heartbeats failing).</li>
 * <li>While the budget is unsettled ({@link #sampleFasterWhile}: clients per instance over
 * the budget, saturation firing), it samples on its own every fast sample interval, so that
 * a leak window is judged on fresh figures while a calm fleet costs Redis one command per
 * instance per heartbeat.</li>
 * <li>Only when {@code INFO clients} has no {@code maxclients} (Redis 6 and older):
 * {@code CONFIG GET maxclients}, at most once a minute, which managed services often
 * forbid; then {@code maxclients} is reported as unreadable, with the reason.</li>
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

	private static final long CONFIG_MAXCLIENTS_MAX_AGE_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final SharedConnectionCommands commands;

	private final Duration sampleInterval;

	private final Duration fastSampleInterval;

	private volatile BooleanSupplier unsettled = () -> false;

	private final Duration clientListMaxAge;

	private final OutageLog outageLog;

	private final List<Consumer<ServerFigures>> listeners = new CopyOnWriteArrayList<>();

	private final Object lifecycleMonitor = new Object();

	private final Object clientListMonitor = new Object();

	private final Object sampleMonitor = new Object();

	private @Nullable ScheduledExecutorService scheduler;

	private @Nullable ScheduledFuture<?> nextOwnSample;

	// Set when the registry's heartbeat carries samples: how long to wait for one before
	// sampling on our own.
	private volatile @Nullable Duration carriedInterval;

	// Only touched while holding sampleMonitor.
	private @Nullable Long configMaxClients;

	private @Nullable String configMaxClientsUnreadable;

	private long configMaxClientsReadAt;

	private volatile boolean running;

	private volatile ServerFigures figures = ServerFigures.NONE;

	private volatile long lastSampleNanos;

	private @Nullable ClientListSummary clientList;

	private long clientListReadAt;

	/**
	 * Create a sampler that samples at one interval whatever the figures say.
	 * @param commands the shared connection
	 * @param identity this instance, for log lines
	 * @param sampleInterval time between two samples
	 * @param clientListMaxAge how long a {@code CLIENT LIST} summary is reused
	 */
	public ServerFiguresSampler(SharedConnectionCommands commands, InstanceIdentity identity,
			Duration sampleInterval, Duration clientListMaxAge) {
		this(commands, identity, sampleInterval, sampleInterval, clientListMaxAge);
	}

	/**
	 * Create a sampler.
	 * @param commands the shared connection
	 * @param identity this instance, for log lines
	 * @param sampleInterval time between two samples while the figures are settled
	 * @param fastSampleInterval time between two samples while {@link #sampleFasterWhile}
	 * says so; applied only when shorter than {@code sampleInterval}
	 * @param clientListMaxAge how long a {@code CLIENT LIST} summary is reused
	 */
	public ServerFiguresSampler(SharedConnectionCommands commands, InstanceIdentity identity,
			Duration sampleInterval, Duration fastSampleInterval, Duration clientListMaxAge) {
		this.commands = commands;
		this.sampleInterval = sampleInterval;
		this.fastSampleInterval = (fastSampleInterval.compareTo(sampleInterval) < 0) ? fastSampleInterval
				: sampleInterval;
		this.clientListMaxAge = clientListMaxAge;
		this.outageLog = new OutageLog(logger, "Redis Governor [" + identity + "] sampling of INFO clients");
	}

	/**
	 * Sample at the fast interval, with commands of its own, for as long as the
	 * condition holds after a sample (typically: the budget is unsettled, so that a leak
	 * window is judged on fresh figures). It is evaluated after the listeners have seen
	 * the sample.
	 * @param condition the condition; it must not block
	 */
	public void sampleFasterWhile(BooleanSupplier condition) {
		this.unsettled = condition;
	}

	/**
	 * Call a listener with every new sample, on the sampler's thread.
	 * @param listener the listener; it must not block
	 */
	public void addListener(Consumer<ServerFigures> listener) {
		this.listeners.add(listener);
	}

	/**
	 * Expect samples from another component's commands ({@link #offer}), sent every
	 * {@code interval} when {@link #isSampleDue} says so: sample on our own only when none
	 * arrived for a sample interval plus one such interval. A component slower than the
	 * sample interval cannot carry the samples: then nothing changes.
	 * @param interval the interval at which the other component asks {@link #isSampleDue}
	 * @return whether the samples are to be carried
	 */
	public boolean expectCarriedSamples(Duration interval) {
		if (interval.compareTo(this.sampleInterval) > 0) {
			return false;
		}
		this.carriedInterval = interval;
		return true;
	}

	/**
	 * Whether a component that runs every {@code interval} should read {@code INFO
	 * clients} for this sampler now: when the last sample is at least a sample interval
	 * old, less half of that component's interval (so that with both intervals equal,
	 * every run reads it, and with a faster component, about every sample interval).
	 * @param interval the caller's interval
	 * @return whether to read and {@link #offer} a sample now
	 */
	public boolean isSampleDue(Duration interval) {
		long last = this.lastSampleNanos;
		return last == 0 || System.nanoTime() - last >= this.sampleInterval.minus(interval.dividedBy(2)).toNanos();
	}

	@Override
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.running) {
				return;
			}
			ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, (task) -> {
				Thread thread = new Thread(task, "redis-governor-sampler");
				thread.setDaemon(true);
				return thread;
			});
			scheduler.setRemoveOnCancelPolicy(true);
			this.scheduler = scheduler;
			this.running = true;
			// Sample at once, unless the heartbeat (which also starts at once) carries it.
			Duration carried = this.carriedInterval;
			scheduleOwnSample((carried != null) ? this.sampleInterval.dividedBy(2).plus(carried) : Duration.ZERO);
		}
	}

	@Override
	public void stop() {
		synchronized (this.lifecycleMonitor) {
			if (this.scheduler != null) {
				this.scheduler.shutdownNow();
				this.scheduler = null;
			}
			this.nextOwnSample = null;
			this.running = false;
		}
	}

	private void scheduleOwnSample(Duration delay) {
		synchronized (this.lifecycleMonitor) {
			ScheduledExecutorService scheduler = this.scheduler;
			if (scheduler == null) {
				return;
			}
			if (this.nextOwnSample != null) {
				this.nextOwnSample.cancel(false);
			}
			this.nextOwnSample = scheduler.schedule(this::ownSample, delay.toNanos(), TimeUnit.NANOSECONDS);
		}
	}

	private void ownSample() {
		// Schedules the next sample itself (publish, then scheduleNext); sample() never
		// throws and listener failures are caught, so the schedule cannot end here.
		sampleAndPublish();
	}

	/**
	 * Take a sample from an {@code INFO clients} reply that another component read (the
	 * registry's heartbeat script), publish it, and put off this sampler's own next
	 * sample. Never throws.
	 * @param infoClients the reply
	 */
	public void offer(String infoClients) {
		publish(figuresFrom(infoClients, null), true);
	}

	/**
	 * Record that another component could not read {@code INFO clients} (for example
	 * NOPERM inside the heartbeat script), publish that, and put off this sampler's own
	 * next sample, which would be refused too. Never throws.
	 * @param failure why it could not be read
	 */
	public void offerFailure(Throwable failure) {
		publish(figuresFrom(null, failure), true);
	}

	/**
	 * Schedule this sampler's own next sample: at the fast interval while unsettled;
	 * otherwise a sample interval from now, plus one carrier interval of slack when the
	 * sample was carried (the next one is expected to be carried too).
	 */
	private void scheduleNext(boolean carried) {
		boolean fast;
		try {
			fast = this.unsettled.getAsBoolean();
		}
		catch (RuntimeException ex) {
			fast = false;
		}
		Duration carrier = this.carriedInterval;
		if (fast && this.fastSampleInterval.compareTo(this.sampleInterval) < 0) {
			scheduleOwnSample(this.fastSampleInterval);
		}
		else if (carried && carrier != null) {
			scheduleOwnSample(this.sampleInterval.plus(carrier));
		}
		else {
			scheduleOwnSample(this.sampleInterval);
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
		publish(sample(), false);
	}

	private void publish(ServerFigures sample, boolean carried) {
		// Samples come from this sampler's thread and from the registry's: publish them one
		// at a time, so that listeners see them in order.
		synchronized (this.sampleMonitor) {
			this.lastSampleNanos = System.nanoTime();
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
		scheduleNext(carried);
	}

	/**
	 * Take one sample now, with a command of its own. Never throws.
	 * @return the figures
	 */
	ServerFigures sample() {
		String reply = null;
		Throwable failure = null;
		try {
			reply = this.commands.execute((session) -> session.await(session.commands().info("clients")));
		}
		catch (Throwable ex) {
			failure = ex;
		}
		return figuresFrom(reply, failure);
	}

	private ServerFigures figuresFrom(@Nullable String reply, @Nullable Throwable failure) {
		Map<String, String> unreadable = new LinkedHashMap<>();
		Long connected = null;
		Long max = null;
		if (reply != null) {
			Map<String, String> info = InfoParser.parse(reply);
			connected = parseLong(info.get("connected_clients"));
			max = parseLong(info.get("maxclients"));
			if (connected == null) {
				unreadable.put(INFO_CLIENTS, "the reply has no connected_clients field");
			}
			this.outageLog.succeeded();
		}
		else {
			Throwable ex = (failure != null) ? failure : new IllegalStateException("no reply");
			unreadable.put(INFO_CLIENTS, SharedConnectionCommands.describe(ex));
			this.outageLog.failed(ex, () -> "Health and metrics report the server's client figures as "
					+ "unknown until it works again; grant the governor's user '+info' if the server says NOPERM.");
		}
		if (max == null && !unreadable.containsKey(INFO_CLIENTS)) {
			synchronized (this.sampleMonitor) {
				readConfigMaxClients();
				max = this.configMaxClients;
				if (this.configMaxClientsUnreadable != null) {
					unreadable.put(CONFIG_GET_MAXCLIENTS, this.configMaxClientsUnreadable);
				}
			}
		}
		return new ServerFigures(connected, max, Instant.now(), unreadable);
	}

	// Redis 6 and older: maxclients only through CONFIG GET. It rarely changes, and
	// managed services often forbid it: read it at most once a minute.
	private void readConfigMaxClients() {
		long now = System.nanoTime();
		if (this.configMaxClientsReadAt != 0 && now - this.configMaxClientsReadAt < CONFIG_MAXCLIENTS_MAX_AGE_NANOS) {
			return;
		}
		this.configMaxClientsReadAt = now;
		try {
			Map<String, String> config = this.commands
				.execute((session) -> session.await(session.commands().configGet("maxclients")));
			this.configMaxClients = parseLong(config.get("maxclients"));
			this.configMaxClientsUnreadable = (this.configMaxClients != null) ? null
					: "the reply has no maxclients value";
		}
		catch (Throwable ex) {
			this.configMaxClients = null;
			this.configMaxClientsUnreadable = SharedConnectionCommands.describe(ex);
		}
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
