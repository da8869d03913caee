package io.github.redisgovernor.budget;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.registry.RegistrySnapshot;
import io.github.redisgovernor.server.ClientMix;
import io.github.redisgovernor.server.NodeFigures;
import io.github.redisgovernor.server.ServerFigures;
import io.github.redisgovernor.server.ServerFiguresSampler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Turns each sample of the server's figures, together with the registry's live instance
 * count, into a {@link BudgetReport}, and logs when a leak becomes suspected or the
 * saturation level changes. It runs on the sampler's thread, once per sample, so the leak
 * window is judged whether or not anyone polls health.
 *
 * @author Redis Governor contributors
 */
public class BudgetMonitor implements Consumer<ServerFigures> {

	private static final Log logger = LogFactory.getLog(BudgetMonitor.class);

	private final Supplier<BudgetPolicy> policies;

	private volatile BudgetPolicy policy;

	private final Supplier<RegistrySnapshot> registry;

	private final InstanceIdentity identity;

	private final LeakWatch leakWatch;

	private volatile BudgetReport report;

	private LeakWatch.State state = LeakWatch.State.NONE;

	private @Nullable Instant lastPoint;

	private final @Nullable String scope;

	private final Map<String, BudgetMonitor> nodes = new LinkedHashMap<>();

	private final List<Consumer<BudgetReport>> listeners = new CopyOnWriteArrayList<>();

	/**
	 * Create a monitor.
	 * @param policy the budget
	 * @param registry the registry's latest snapshot
	 * @param identity this instance, for log lines
	 */
	public BudgetMonitor(BudgetPolicy policy, Supplier<RegistrySnapshot> registry, InstanceIdentity identity) {
		this(() -> policy, registry, identity);
	}

	/**
	 * Create a monitor whose budget may change while the application runs: the
	 * connections per instance follow the listener containers that listen
	 * ({@link FollowedAllowance}). It is read at every sample.
	 * @param policies the budget, read at every sample
	 * @param registry the registry's latest snapshot
	 * @param identity this instance, for log lines
	 */
	public BudgetMonitor(Supplier<BudgetPolicy> policies, Supplier<RegistrySnapshot> registry,
			InstanceIdentity identity) {
		this(policies, registry, identity, null);
	}

	private BudgetMonitor(Supplier<BudgetPolicy> policies, Supplier<RegistrySnapshot> registry,
			InstanceIdentity identity, @Nullable String scope) {
		this.scope = scope;
		this.policies = policies;
		BudgetPolicy policy = policies.get();
		this.policy = policy;
		this.registry = registry;
		this.identity = identity;
		this.leakWatch = new LeakWatch(policy.connectionsPerInstance(), policy.leakWindow());
		this.report = evaluate(ServerFigures.NONE, registry.get(), LeakWatch.State.NONE, Instant.now());
	}

	@Override
	public synchronized void accept(ServerFigures figures) {
		RegistrySnapshot snapshot = this.registry.get();
		BudgetPolicy next = this.policies.get();
		if (next.connectionsPerInstance() != this.policy.connectionsPerInstance()) {
			this.leakWatch.setBudget(next.connectionsPerInstance());
		}
		this.policy = next;
		Instant at = (figures.sampledAt() != null) ? figures.sampledAt() : Instant.now();
		if (!figures.nodes().isEmpty()) {
			this.report = evaluate(figures, snapshot, LeakWatch.State.NONE, at).withNodes(judgeNodes(figures));
			notifyListeners();
			return;
		}
		this.nodes.clear();
		this.state = judge(figures);
		BudgetReport previous = this.report;
		BudgetReport report = evaluate(figures, snapshot, this.state, at);
		this.report = report;
		logTransitions(previous, report);
		notifyListeners();
	}

	/**
	 * Call a listener with every new report, on the thread that judged it.
	 * @param listener the listener; it must not block
	 */
	public void addListener(Consumer<BudgetReport> listener) {
		this.listeners.add(listener);
	}

	private void notifyListeners() {
		BudgetReport current = this.report;
		for (Consumer<BudgetReport> listener : this.listeners) {
			try {
				listener.accept(current);
			}
			catch (RuntimeException ex) {
				logger.error("Redis Governor budget listener failed", ex);
			}
		}
	}

	/**
	 * Feed the leak rule every sample of the figures' history it has not seen yet. The
	 * history is what the fleet's sampler published (or this instance's own samples):
	 * judging it here, against this instance's own budget, gives every instance the same
	 * verdict as the sampler when they share a budget. A history that does not reach back
	 * to the last sample seen (a new sampler, or a heartbeat interval longer than the
	 * history) starts the rule again.
	 */
	/**
	 * A Redis Cluster is judged node by node, each node against the budget per node and
	 * with its own leak rule, since each node has its own {@code maxclients}.
	 */
	private List<BudgetReport.NodeReport> judgeNodes(ServerFigures figures) {
		List<BudgetReport.NodeReport> reports = new ArrayList<>();
		Set<String> seen = new HashSet<>();
		for (NodeFigures node : figures.nodes()) {
			seen.add(node.address());
			BudgetMonitor monitor = this.nodes.computeIfAbsent(node.address(),
					(address) -> new BudgetMonitor(() -> this.policies.get().perClusterNode(), this.registry,
							this.identity, "cluster " + node.role() + " " + address));
			monitor.accept(node.figures());
			reports.add(new BudgetReport.NodeReport(node.address(), node.role(), monitor.current()));
		}
		this.nodes.keySet().retainAll(seen);
		return reports;
	}

	private LeakWatch.State judge(ServerFigures figures) {
		List<ServerFigures.Point> history = figures.history();
		if (history.isEmpty()) {
			this.leakWatch.reset();
			this.lastPoint = null;
			return LeakWatch.State.NONE;
		}
		Instant seen = this.lastPoint;
		if (seen == null || history.get(0).at().isAfter(seen)) {
			this.leakWatch.reset();
			seen = null;
		}
		LeakWatch.State judged = this.state;
		for (ServerFigures.Point point : history) {
			if (seen != null && !point.at().isAfter(seen)) {
				continue;
			}
			OptionalDouble perInstance = BudgetMath.clientsPerInstance(point.fleetClients(),
					this.policy.reservedClients(), point.instances());
			judged = this.leakWatch.update(point.at(), perInstance, point.fleetClients(), point.instances());
			this.lastPoint = point.at();
		}
		return judged;
	}

	/**
	 * Judge every sample this sampler takes or adopts, and, while the server refuses the
	 * registry's scripts and this instance samples for itself, have it sample at its fast
	 * interval while the budget is unsettled ({@link BudgetReport#isUnsettled()}), so
	 * that the leak is judged on fresh figures.
	 * @param sampler the sampler
	 */
	public void listenTo(ServerFiguresSampler sampler) {
		sampler.addListener(this);
		sampler.sampleFasterWhile(() -> current().isUnsettled());
	}

	/**
	 * Return the report of the last sample. Never sends a command.
	 * @return the report
	 */
	public BudgetReport current() {
		return this.report;
	}

	/**
	 * Return the budget this monitor judges against.
	 * @return the policy
	 */
	public BudgetPolicy getPolicy() {
		return this.policy;
	}

	private static @Nullable Long instances(ServerFigures figures, RegistrySnapshot snapshot) {
		return (figures.instances() != null) ? figures.instances() : snapshot.liveInstances();
	}

	private OptionalDouble clientsPerInstance(ServerFigures figures, RegistrySnapshot snapshot) {
		Long instances = instances(figures, snapshot);
		if (figures.fleetClients() == null || instances == null) {
			return OptionalDouble.empty();
		}
		return BudgetMath.clientsPerInstance(figures.fleetClients(), this.policy.reservedClients(), instances);
	}

	private BudgetReport evaluate(ServerFigures figures, RegistrySnapshot snapshot, LeakWatch.State state, Instant at) {
		Long connected = figures.connectedClients();
		Long max = figures.maxClients();
		OptionalDouble perInstance = clientsPerInstance(figures, snapshot);
		OptionalDouble utilization = (connected != null && max != null) ? BudgetMath.utilization(connected, max)
				: OptionalDouble.empty();
		ClientMix mix = figures.mix();
		long excluded = (mix != null && mix.isKnown()) ? mix.excluded() : 0;
		OptionalLong maxSafe = BudgetMath.maxSafeInstances(max, this.policy, excluded);
		Saturation saturation = BudgetMath.saturation(utilization, this.policy.saturationWarn(),
				this.policy.saturationCritical());
		Map<String, String> unreadable = new LinkedHashMap<>(figures.unreadable());
		if (snapshot.problem() != null) {
			unreadable.put("registry", snapshot.problem());
		}
		if (mix != null && mix.problem() != null) {
			unreadable.put("CLIENT LIST",
					mix.problem() + " (the fleet is charged every connected client less " + "reserved-clients)");
		}
		LeakWatch.Growth growth = state.growth();
		return new BudgetReport(connected, max, instances(figures, snapshot), round(perInstance), round(utilization),
				maxSafe.isPresent() ? maxSafe.getAsLong() : null, state.leakSuspected(), state.exceedingSince(),
				(growth != null) ? growth.clients() : null, (growth != null) ? growth.over().toSeconds() : null,
				saturation, this.policy, figures.sampledAt(), unreadable, figures.fleetClients(),
				(mix != null && mix.isKnown()) ? mix : null, figures.sampledBy(), null, List.of());
	}

	private void logTransitions(BudgetReport previous, BudgetReport next) {
		String prefix = "Redis Governor [" + this.identity + "] "
				+ ((this.scope != null) ? "on " + this.scope + ": " : "");
		if (next.leakSuspected() && !previous.leakSuspected()) {
			logger.warn(prefix + "suspects a connection leak: the server has " + next.connectedClients() + " clients ("
					+ next.fleetClients() + " charged to the fleet) for " + next.instances() + " live instance(s), "
					+ next.clientsPerInstance() + " per instance against a budget of " + budget() + ", growing sample "
					+ "after sample or above it for more than " + this.policy.leakWindow().toSeconds()
					+ "s. Open /actuator/redisgovernor to see who holds the "
					+ "connections: unnamed ones usually come from code that builds its own Redis client or "
					+ "connection factory. Restarting instances only hides the leak until it grows back.");
		}
		else if (!next.leakSuspected() && previous.leakSuspected()) {
			logger.info(prefix + "no longer suspects a connection leak: " + next.clientsPerInstance()
					+ " clients per instance against a budget of " + budget() + ".");
		}
		if (next.saturation() != previous.saturation()
				&& (next.saturation().isFiring() || previous.saturation().isFiring())) {
			String message = prefix + "saturation is " + next.saturation() + ": the server has "
					+ next.connectedClients() + " of its maxclients " + next.maxClients() + " connections ("
					+ next.utilization() + "). The largest fleet that fits the budget is " + next.maxSafeInstances()
					+ " instances; cap the fleet there, or raise maxclients.";
			if (next.saturation().isFiring()) {
				logger.warn(message);
			}
			else {
				logger.info(message);
			}
		}
	}

	private String budget() {
		BudgetPolicy policy = this.policy;
		return policy.connectionsPerInstance() + " (" + policy.connectionsPerInstanceFrom() + ")";
	}

	private static Double round(OptionalDouble value) {
		return value.isPresent() ? Math.round(value.getAsDouble() * 1000) / 1000.0 : null;
	}

}
