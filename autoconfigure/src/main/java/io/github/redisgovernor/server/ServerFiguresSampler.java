package io.github.redisgovernor.server;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.OutageLog;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.connection.GovernedConnection.Node;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.context.SmartLifecycle;

/**
 * Holds the server's client figures and takes them when told to, so that health checks
 * and metric scrapes never send a command of their own.
 * <p>
 * One instance of the fleet samples the server for all of them: the registry elects it (a
 * lease), sends its samples ({@link #offerAsSampler}) and publishes the figures, and
 * every other instance adopts them from its heartbeat ({@link #adopt}). The sampler also
 * reads {@code CLIENT LIST} now and then ({@link #refreshMix}) to tell the fleet's
 * clients from Sentinels, replication links, {@code MONITOR} and other hosts'
 * applications ({@link ClientMix}). While the server refuses the registry's scripts, each
 * instance samples for itself.
 * <ul>
 * <li>{@code INFO clients}, for {@code connected_clients} and {@code maxclients} (Redis 7
 * and later report both there): read by the sampler's script every sample interval, or,
 * while scripts are refused, carried beside each heartbeat's commands ({@link #offer})
 * and sent on its own every fast sample interval while the budget is unsettled
 * ({@link #sampleFasterWhile}), so that the leak is judged on fresh figures.</li>
 * <li>Only when {@code INFO clients} has no {@code maxclients} (Redis 6 and older):
 * {@code CONFIG GET maxclients}, at most once a minute, which managed services often
 * forbid; then {@code maxclients} is reported as unreadable, with the reason.</li>
 * <li>{@code CLIENT LIST} is O(clients) on Redis's single thread and returns megabytes
 * with 10,000 clients: only the fleet's sampler reads it on a schedule, every client list
 * interval (more often while the budget is unsettled), and the {@code redisgovernor}
 * endpoint when asked, reusing its summary for a short time.</li>
 * </ul>
 * A forbidden or failing command never throws at the caller: the figures say what could
 * not be read and why, and the failure is logged once per outage. Nothing here waits for
 * Redis on the governor's scheduler.
 *
 * @author Redis Governor contributors
 */
public class ServerFiguresSampler implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ServerFiguresSampler.class);

	static final String INFO_CLIENTS = "INFO clients";

	static final String CONFIG_GET_MAXCLIENTS = "CONFIG GET maxclients";

	static final String CLIENT_LIST = "CLIENT LIST";

	private static final long CONFIG_MAXCLIENTS_MAX_AGE_NANOS = TimeUnit.MINUTES.toNanos(1);

	private final GovernedConnection connection;

	private final GovernorScheduler scheduler;

	private final Duration sampleInterval;

	private final Duration fastSampleInterval;

	private volatile BooleanSupplier unsettled = () -> false;

	private final Duration clientListMaxAge;

	private final OutageLog outageLog;

	private final List<Consumer<ServerFigures>> listeners = new CopyOnWriteArrayList<>();

	private final Object clientListMonitor = new Object();

	private final Object sampleMonitor = new Object();

	private final Object fastMonitor = new Object();

	private @Nullable ScheduledFuture<?> fastSample;

	private volatile boolean running;

	private volatile @Nullable Long configMaxClients;

	private volatile @Nullable String configMaxClientsUnreadable;

	private volatile long configMaxClientsReadAt;

	private volatile ServerFigures figures = ServerFigures.NONE;

	private volatile long lastSampleNanos;

	private final Duration clientListInterval;

	private final Deque<ServerFigures.Point> history = new ArrayDeque<>();

	private volatile LongSupplier instances = () -> -1;

	private volatile @Nullable ClientMix mix;

	private volatile long mixReadNanos;

	private volatile @Nullable CompletableFuture<ClientMix> mixPending;

	private @Nullable ClientListSummary clientList;

	private final Map<String, Deque<ServerFigures.Point>> nodeHistory = new HashMap<>();

	private final Map<String, ClientMix> nodeMix = new ConcurrentHashMap<>();

	private volatile long nodeMixReadNanos;

	private long clientListReadAt;

	private @Nullable Map<String, ClientListSummary> nodeClientLists;

	private long nodeClientListsReadAt;

	/**
	 * Create a sampler.
	 * @param connection the governed connection
	 * @param scheduler the scheduler that runs the fast samples
	 * @param identity this instance, for log lines
	 * @param sampleInterval time between two samples while the figures are settled
	 * @param fastSampleInterval time between two samples while {@link #sampleFasterWhile}
	 * says so, when this instance samples for itself (the server refuses the registry's
	 * scripts)
	 * @param clientListMaxAge how long a {@code CLIENT LIST} summary is reused, and the
	 * shortest time between two reads of the client mix while the budget is unsettled
	 * @param clientListInterval time between two reads of the client mix while the budget
	 * is settled, when this instance samples for the fleet
	 */
	public ServerFiguresSampler(GovernedConnection connection, GovernorScheduler scheduler, InstanceIdentity identity,
			Duration sampleInterval, Duration fastSampleInterval, Duration clientListMaxAge,
			Duration clientListInterval) {
		this.connection = connection;
		this.scheduler = scheduler;
		this.sampleInterval = sampleInterval;
		this.fastSampleInterval = fastSampleInterval;
		this.clientListMaxAge = clientListMaxAge;
		this.clientListInterval = clientListInterval;
		this.outageLog = new OutageLog(logger, "Redis Governor [" + identity + "] sampling of INFO clients");
	}

	/**
	 * Sample at the fast interval, with commands of its own, for as long as the condition
	 * holds after a sample (typically: the budget is unsettled, so that a leak window is
	 * judged on fresh figures). It is evaluated after the listeners have seen the sample.
	 * @param condition the condition; it must not block
	 */
	public void sampleFasterWhile(BooleanSupplier condition) {
		this.unsettled = condition;
	}

	/**
	 * Call a listener with every new sample.
	 * @param listener the listener; it must not block
	 */
	public void addListener(Consumer<ServerFigures> listener) {
		this.listeners.add(listener);
	}

	/**
	 * Return the time between two samples while the figures are settled.
	 * @return the sample interval
	 */
	public Duration getSampleInterval() {
		return this.sampleInterval;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		synchronized (this.fastMonitor) {
			if (this.fastSample != null) {
				this.fastSample.cancel(false);
				this.fastSample = null;
			}
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
	 * Take a sample from an {@code INFO clients} reply that the registry's heartbeat
	 * read, and publish it. Never throws.
	 * @param infoClients the reply
	 */
	public void offer(String infoClients) {
		publish(local(figuresFrom(infoClients, null)));
	}

	/**
	 * Record that the heartbeat could not read {@code INFO clients} (for example NOPERM
	 * inside the script, or no reply), and publish that. Never throws.
	 * @param failure why it could not be read
	 */
	public void offerFailure(Throwable failure) {
		publish(local(figuresFrom(null, failure)));
	}

	/**
	 * Count the live instances for samples this instance takes for itself.
	 * @param instances the registry's last count, or a negative number when unknown
	 */
	public void countInstancesWith(LongSupplier instances) {
		this.instances = instances;
	}

	/**
	 * Take the fleet's sample from the sampler script's reply, as the fleet's elected
	 * sampler, and publish it to this instance's listeners. Never throws.
	 * @param infoClients the {@code INFO clients} reply, or {@code null}
	 * @param failure why it could not be read, or {@code null}
	 * @param liveInstances the live instances at the sample, or {@code null} when the
	 * sample got no reply
	 * @param at the server's time of the sample
	 * @param sampledBy this instance's registry member
	 * @return the figures, to publish to the fleet
	 */
	public ServerFigures offerAsSampler(@Nullable String infoClients, @Nullable Throwable failure,
			@Nullable Long liveInstances, Instant at, String sampledBy) {
		return offerAsSampler(infoClients, failure, liveInstances, at, sampledBy, List.of());
	}

	/**
	 * Take the fleet's sample as
	 * {@link #offerAsSampler(String, Throwable, Long, Instant, String)} does, with the
	 * figures of every accounted Redis Cluster node ({@link #sampleNodes}).
	 * @param infoClients the {@code INFO clients} reply, or {@code null}
	 * @param failure why it could not be read, or {@code null}
	 * @param liveInstances the live instances at the sample, or {@code null}
	 * @param at the server's time of the sample
	 * @param sampledBy this instance's registry member
	 * @param nodes the nodes' figures, empty when not on a cluster
	 * @return the figures, to publish to the fleet
	 */
	public ServerFigures offerAsSampler(@Nullable String infoClients, @Nullable Throwable failure,
			@Nullable Long liveInstances, Instant at, String sampledBy, List<NodeFigures> nodes) {
		ServerFigures base = figuresFrom(infoClients, failure);
		ServerFigures sample = withFleet(base, liveInstances, at, sampledBy).withNodes(nodes);
		publish(sample);
		return sample;
	}

	/**
	 * On a Redis Cluster, read {@code INFO clients} from every accounted node (masters,
	 * and replicas when the application reads from them), on the client's own connection
	 * to each node, and {@code CLIENT LIST} from each when the client mix is due (as
	 * {@link #refreshMix}). Never throws: a node that cannot be read says why in its
	 * figures.
	 * @param governedNames the client names of the live instances, to come
	 * @param liveInstances the live instances at the sample, or {@code null}
	 * @param at the server's time of the sample
	 * @return the nodes' figures, to come; empty when not on a cluster
	 */
	public CompletableFuture<List<NodeFigures>> sampleNodes(Supplier<CompletableFuture<Set<String>>> governedNames,
			@Nullable Long liveInstances, Instant at) {
		List<Node> nodes = this.connection.clusterNodes();
		if (nodes.isEmpty()) {
			return CompletableFuture.completedFuture(List.of());
		}
		Duration due = isUnsettled() ? this.clientListMaxAge : this.clientListInterval;
		boolean mixDue = this.nodeMixReadNanos == 0 || System.nanoTime() - this.nodeMixReadNanos >= due.toNanos();
		CompletableFuture<@Nullable Set<String>> names = mixDue
				? governedNames.get().thenApply((read) -> (@Nullable Set<String>) read).exceptionally((failure) -> null)
				: CompletableFuture.completedFuture(null);
		if (mixDue) {
			this.nodeMixReadNanos = System.nanoTime();
		}
		List<CompletableFuture<NodeFigures>> sampled = new ArrayList<>();
		for (Node node : nodes) {
			CompletableFuture<@Nullable String> info = this.connection.submitTo(node, (redis) -> redis.info("clients"))
				.thenApply((reply) -> (@Nullable String) reply);
			CompletableFuture<@Nullable ClientMix> mix = names.thenCompose(
					(known) -> (known == null) ? CompletableFuture.completedFuture(this.nodeMix.get(node.address()))
							: this.connection.submitTo(node, (redis) -> redis.clientList())
								.thenApplyAsync((list) -> ClientMix.classify(list, known, Instant.now()),
										this::onGovernorThread)
								.exceptionally((failure) -> ClientMix.unreadable(Failures.describe(failure)))
								.thenApply((classified) -> {
									this.nodeMix.put(node.address(), classified);
									return classified;
								}));
			sampled.add(info.handle((reply, failure) -> new Object[] { reply, failure })
				.thenCombine(mix, (read, classified) -> nodeFigures(node, (String) read[0], (Throwable) read[1],
						classified, liveInstances, at)));
		}
		return CompletableFuture.allOf(sampled.toArray(CompletableFuture[]::new)).thenApply((ignored) -> {
			List<NodeFigures> figures = new ArrayList<>();
			for (CompletableFuture<NodeFigures> each : sampled) {
				figures.add(each.join());
			}
			synchronized (this.sampleMonitor) {
				this.nodeHistory.keySet().retainAll(figures.stream().map(NodeFigures::address).toList());
			}
			return figures;
		});
	}

	private NodeFigures nodeFigures(Node node, @Nullable String reply, @Nullable Throwable failure,
			@Nullable ClientMix mix, @Nullable Long liveInstances, Instant at) {
		Map<String, String> unreadable = new LinkedHashMap<>();
		ClientFigures read = ClientFigures.of(reply, unreadable);
		Long connected = read.connected();
		Long max = read.max();
		if (reply == null) {
			unreadable.put(INFO_CLIENTS,
					Failures.describe((failure != null) ? failure : new IllegalStateException("no reply")));
		}
		if (mix != null && mix.problem() != null) {
			unreadable.put(CLIENT_LIST, mix.problem());
		}
		Long fleet = null;
		if (connected != null) {
			fleet = (mix != null && mix.isKnown()) ? Math.max(0, connected - mix.excluded()) : connected;
		}
		List<ServerFigures.Point> points;
		synchronized (this.sampleMonitor) {
			Deque<ServerFigures.Point> history = this.nodeHistory.computeIfAbsent(node.address(),
					(address) -> new ArrayDeque<>());
			if (fleet == null || liveInstances == null) {
				history.clear();
			}
			else {
				history.addLast(new ServerFigures.Point(at, fleet, liveInstances));
				while (history.size() > ServerFigures.HISTORY) {
					history.removeFirst();
				}
			}
			points = new ArrayList<>(history);
		}
		return new NodeFigures(node.address(), node.role(), new ServerFigures(connected, max, at, unreadable,
				liveInstances, fleet, (mix != null && mix.isKnown()) ? mix : null, points, null));
	}

	/**
	 * Adopt the figures the fleet's sampler published, when they are newer than the last
	 * ones. Never throws.
	 * @param fields the published fields
	 * @param serverNow the server's time, to judge their age
	 * @param maxAge the age after which they no longer count
	 */
	public void adopt(Map<String, String> fields, Instant serverNow, Duration maxAge) {
		ServerFigures published = ServerFigures.fromFields(fields);
		if (published == null || published.sampledAt() == null) {
			publish(stale("no sample has been published yet"));
			return;
		}
		if (Duration.between(published.sampledAt(), serverNow).compareTo(maxAge) > 0) {
			publish(stale("the last sample was published at " + published.sampledAt() + " by " + published.sampledBy()
					+ ", more than " + maxAge.toMillis() + "ms ago"));
			return;
		}
		ServerFigures last = this.figures;
		if (last.sampledAt() == null || published.sampledAt().isAfter(last.sampledAt())) {
			publish(published);
		}
	}

	private ServerFigures stale(String why) {
		ServerFigures last = this.figures;
		Map<String, String> unreadable = new LinkedHashMap<>();
		unreadable.put("fleet sample", why);
		return new ServerFigures(null, last.maxClients(), Instant.now(), unreadable, null, null, last.mix(), List.of(),
				last.sampledBy());
	}

	/**
	 * Read {@code CLIENT LIST} and classify it, when the last mix is older than the
	 * client list interval (or the shorter max age while the budget is unsettled). Never
	 * throws; a refusal (ACL) is kept as the mix's problem, and the fleet's figures fall
	 * back to {@code connected_clients}.
	 * @param governedNames the client names of the live instances, to come
	 * @return the mix to use, once read (at once when it is fresh)
	 */
	public CompletableFuture<ClientMix> refreshMix(Supplier<CompletableFuture<Set<String>>> governedNames) {
		ClientMix current = this.mix;
		long age = System.nanoTime() - this.mixReadNanos;
		boolean unsettled = isUnsettled();
		Duration due = unsettled ? this.clientListMaxAge : this.clientListInterval;
		if (current != null && age < due.toNanos()) {
			return CompletableFuture.completedFuture(current);
		}
		CompletableFuture<ClientMix> pending = this.mixPending;
		if (pending != null && !pending.isDone()) {
			return pending;
		}
		CompletableFuture<ClientMix> read = governedNames.get()
			.thenCompose((names) -> this.connection.submit((redis) -> redis.clientList())
				// Megabytes with 10,000 clients: parsed on the governor's thread, not on
				// the connection's event loop.
				.thenApplyAsync((list) -> ClientMix.classify(list, names, Instant.now()), this::onGovernorThread))
			.exceptionally((failure) -> ClientMix.unreadable(Failures.describe(failure)))
			.thenApply((classified) -> {
				this.mix = classified;
				this.mixReadNanos = System.nanoTime();
				return classified;
			});
		this.mixPending = read;
		return read;
	}

	/**
	 * Return whether a client mix was read (or found unreadable) since this instance
	 * began sampling for the fleet.
	 * @return {@code true} once a mix is known
	 */
	public boolean hasMix() {
		return this.mix != null;
	}

	/**
	 * Forget the fleet's history and client mix: another instance samples now, or this
	 * one samples again after a pause.
	 */
	public void forgetFleet() {
		synchronized (this.sampleMonitor) {
			this.history.clear();
			this.mix = null;
			this.nodeHistory.clear();
			this.nodeMix.clear();
			this.nodeMixReadNanos = 0;
		}
	}

	private ServerFigures local(ServerFigures base) {
		long live = this.instances.getAsLong();
		Map<String, String> unreadable = new LinkedHashMap<>(base.unreadable());
		unreadable.put(CLIENT_LIST, "not read: the server refuses the registry's scripts, so no instance samples "
				+ "for the fleet (the fleet is charged every connected client less reserved-clients)");
		ServerFigures noted = new ServerFigures(base.connectedClients(), base.maxClients(), base.sampledAt(),
				unreadable);
		return withFleet(noted, (live >= 0) ? live : null, Instant.now(), null);
	}

	private ServerFigures withFleet(ServerFigures base, @Nullable Long liveInstances, Instant at,
			@Nullable String sampledBy) {
		ClientMix mix = this.mix;
		Long connected = base.connectedClients();
		Long fleet = null;
		if (connected != null) {
			fleet = (mix != null && mix.isKnown()) ? Math.max(0, connected - mix.excluded()) : connected;
		}
		List<ServerFigures.Point> points;
		synchronized (this.sampleMonitor) {
			if (fleet == null || liveInstances == null) {
				this.history.clear();
			}
			else {
				this.history.addLast(new ServerFigures.Point(at, fleet, liveInstances));
				while (this.history.size() > ServerFigures.HISTORY) {
					this.history.removeFirst();
				}
			}
			points = new ArrayList<>(this.history);
		}
		return new ServerFigures(connected, base.maxClients(), at, base.unreadable(), liveInstances, fleet, mix, points,
				sampledBy);
	}

	private void onGovernorThread(Runnable task) {
		if (this.scheduler.isAvailable()) {
			try {
				this.scheduler.schedule(task, Duration.ZERO);
				return;
			}
			catch (RuntimeException ex) {
				// Stopping: run it here rather than lose it.
			}
		}
		task.run();
	}

	private boolean isUnsettled() {
		try {
			return this.unsettled.getAsBoolean();
		}
		catch (RuntimeException ex) {
			return false;
		}
	}

	/**
	 * Send {@code INFO clients} now and publish the sample when the reply arrives. Never
	 * waits and never throws.
	 * @return the sample to come
	 */
	public CompletableFuture<ServerFigures> sampleNow() {
		return this.connection.submit((redis) -> redis.info("clients")).handle((reply, failure) -> {
			ServerFigures sample = local(figuresFrom(reply, failure));
			publish(sample);
			return sample;
		});
	}

	/**
	 * Return the figures of the last sample. Never sends a command.
	 * @return the cached figures
	 */
	public ServerFigures current() {
		return this.figures;
	}

	private void publish(ServerFigures sample) {
		// Samples come from the heartbeat's replies and from fast samples: publish them
		// one
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
		scheduleFastSample();
	}

	/**
	 * Sample at the fast interval while unsettled, in the local mode only: a fleet's
	 * sampler samples at the sample interval anyway.
	 */
	private void scheduleFastSample() {
		scheduleFastSample(this.fastSampleInterval.toNanos());
	}

	private void scheduleFastSample(long delayNanos) {
		if (this.figures.sampledBy() != null || !isUnsettled() || !this.running || !this.scheduler.isAvailable()) {
			return;
		}
		synchronized (this.fastMonitor) {
			if (this.fastSample != null) {
				return;
			}
			this.fastSample = this.scheduler.schedule(this::fastSample, Duration.ofNanos(delayNanos));
		}
	}

	private void fastSample() {
		// Cleared before the sample is sent: its reply may arrive (and schedule the next
		// one) before this task returns.
		synchronized (this.fastMonitor) {
			this.fastSample = null;
		}
		if (!this.running) {
			return;
		}
		long interval = this.fastSampleInterval.toNanos();
		long since = System.nanoTime() - this.lastSampleNanos;
		if (since >= interval / 2) {
			sampleNow();
		}
		else {
			// A heartbeat's sample came in meanwhile: the next fast one follows it.
			scheduleFastSample(interval - since);
		}
	}

	private ServerFigures figuresFrom(@Nullable String reply, @Nullable Throwable failure) {
		Map<String, String> unreadable = new LinkedHashMap<>();
		ClientFigures read = ClientFigures.of(reply, unreadable);
		Long connected = read.connected();
		Long max = read.max();
		if (reply != null) {
			this.outageLog.succeeded();
		}
		else {
			Throwable ex = (failure != null) ? failure : new IllegalStateException("no reply");
			unreadable.put(INFO_CLIENTS, Failures.describe(ex));
			this.outageLog.failed(ex, () -> "Health and metrics report the server's client figures as "
					+ "unknown until it works again; grant the governor's user '+info' if the server says NOPERM.");
		}
		if (max == null && !unreadable.containsKey(INFO_CLIENTS)) {
			refreshConfigMaxClients();
			max = this.configMaxClients;
			String problem = this.configMaxClientsUnreadable;
			if (problem != null) {
				unreadable.put(CONFIG_GET_MAXCLIENTS, problem);
			}
		}
		return new ServerFigures(connected, max, Instant.now(), unreadable);
	}

	// Redis 6 and older: maxclients only through CONFIG GET. It rarely changes, and
	// managed services often forbid it: read it at most once a minute, without waiting
	// (the next sample uses the reply).
	private void refreshConfigMaxClients() {
		long now = System.nanoTime();
		long readAt = this.configMaxClientsReadAt;
		if (readAt != 0 && now - readAt < CONFIG_MAXCLIENTS_MAX_AGE_NANOS) {
			return;
		}
		this.configMaxClientsReadAt = now;
		if (readAt == 0) {
			this.configMaxClientsUnreadable = "not read yet";
		}
		this.connection.submit((redis) -> redis.configGet("maxclients")).whenComplete((config, failure) -> {
			Long max = (config != null) ? ServerFigures.number(config.get("maxclients")) : null;
			this.configMaxClients = max;
			this.configMaxClientsUnreadable = (max != null) ? null
					: (failure != null) ? Failures.describe(failure) : "the reply has no maxclients value";
		});
	}

	/**
	 * Summarize {@code CLIENT LIST}, reusing a summary younger than the configured max
	 * age. Waits at most the command timeout; never throws: a forbidden or failed read is
	 * reported in the summary.
	 * @param governedNames the client names of the live governed instances, to sort the
	 * connections by kind
	 * @return the summary
	 */
	public ClientListSummary clientList(Set<String> governedNames) {
		synchronized (this.clientListMonitor) {
			long now = System.nanoTime();
			if (this.clientList != null && now - this.clientListReadAt < this.clientListMaxAge.toNanos()) {
				return this.clientList;
			}
			ClientListSummary summary;
			try {
				String reply = this.connection.execute((redis) -> redis.clientList());
				summary = ClientListSummary.parse(reply, Instant.now(), governedNames);
			}
			catch (Exception ex) {
				summary = ClientListSummary.unreadable(Failures.describe(ex));
			}
			this.clientList = summary;
			this.clientListReadAt = now;
			return summary;
		}
	}

	/**
	 * On a Redis Cluster, summarize each accounted node's {@code CLIENT LIST}, read on
	 * the client's own connection to each node, reusing summaries younger than the
	 * configured max age. Waits at most twice the command timeout; never throws: a node
	 * that cannot be read says why in its summary.
	 * @param governedNames the client names of the live governed instances
	 * @return node address to summary; empty when not on a cluster
	 */
	public Map<String, ClientListSummary> clientListByNode(Set<String> governedNames) {
		synchronized (this.clientListMonitor) {
			long now = System.nanoTime();
			if (this.nodeClientLists != null && now - this.nodeClientListsReadAt < this.clientListMaxAge.toNanos()) {
				return this.nodeClientLists;
			}
			Map<String, CompletableFuture<String>> replies = new LinkedHashMap<>();
			for (Node node : this.connection.clusterNodes()) {
				replies.put(node.address(), this.connection.submitTo(node, (redis) -> redis.clientList()));
			}
			long deadline = now + this.connection.getCommandTimeout().multipliedBy(2).toNanos();
			Map<String, ClientListSummary> summaries = new LinkedHashMap<>();
			replies.forEach((address, reply) -> {
				ClientListSummary summary;
				try {
					long wait = Math.max(0, deadline - System.nanoTime());
					summary = ClientListSummary.parse(reply.get(wait, TimeUnit.NANOSECONDS), Instant.now(),
							governedNames);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					summary = ClientListSummary.unreadable("interrupted");
				}
				catch (Exception ex) {
					summary = ClientListSummary.unreadable(Failures.describe(ex));
				}
				summaries.put(address, summary);
			});
			this.nodeClientLists = summaries;
			this.nodeClientListsReadAt = now;
			return summaries;
		}
	}

	/**
	 * {@code connected_clients} and {@code maxclients} of an {@code INFO clients} reply.
	 */
	private record ClientFigures(@Nullable Long connected, @Nullable Long max) {

		/**
		 * Read the figures; a reply without {@code connected_clients} is noted as
		 * unreadable.
		 */
		static ClientFigures of(@Nullable String reply, Map<String, String> unreadable) {
			if (reply == null) {
				return new ClientFigures(null, null);
			}
			Map<String, String> info = InfoParser.parse(reply);
			Long connected = ServerFigures.number(info.get("connected_clients"));
			if (connected == null) {
				unreadable.put(INFO_CLIENTS, "the reply has no connected_clients field");
			}
			return new ClientFigures(connected, ServerFigures.number(info.get("maxclients")));
		}

	}

}
