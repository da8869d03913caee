package io.github.redisgovernor.budget;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.redisgovernor.server.ClientMix;
import org.jspecify.annotations.Nullable;

/**
 * The fleet's connection budget as of the last sample: the figures, the formulas' results
 * and the verdicts. Health, metrics and the endpoint all read this one snapshot; none of
 * them sends a command.
 *
 * @param connectedClients the server's {@code connected_clients}, or {@code null}
 * @param maxClients the server's {@code maxclients}, or {@code null}
 * @param instances live instances of every application in the registry, or {@code null}
 * @param clientsPerInstance {@code (connectedClients - reservedClients) / instances}, or
 * {@code null}
 * @param utilization {@code connectedClients / maxClients}, or {@code null}
 * @param maxSafeInstances the largest fleet that fits the budget, or {@code null}
 * @param leakSuspected whether clients per instance stayed above the budget for the whole
 * leak window
 * @param exceedingBudgetSince since when clients per instance is above the budget, or
 * {@code null}
 * @param clientsGrowth connected clients added over (at most) the leak window while the
 * instance count stayed the same, or {@code null}
 * @param clientsGrowthSeconds the time {@code clientsGrowth} took, or {@code null}
 * @param saturation how close the server is to {@code maxclients}
 * @param policy the budget
 * @param sampledAt when the server figures were sampled, or {@code null}
 * @param unreadable what could not be read, and why
 * @param fleetClients the clients charged to the governed fleet
 * ({@code connected_clients} less Sentinels, replication links, {@code MONITOR} and other
 * hosts' clients), or {@code null}
 * @param mix who the server's clients are, from the fleet sampler's last
 * {@code CLIENT LIST}, or {@code null} when it was not read
 * @param sampledBy the registry member that sampled the figures, or {@code null} when
 * this instance sampled them for itself
 * @param node on a Redis Cluster, the node these figures are for: the worst node in the
 * fleet's report, each node in its own; {@code null} on a single server
 * @param nodes on a Redis Cluster, the report of every accounted node; empty otherwise
 * @author Redis Governor contributors
 */
public record BudgetReport(@Nullable Long connectedClients, @Nullable Long maxClients, @Nullable Long instances,
		@Nullable Double clientsPerInstance, @Nullable Double utilization, @Nullable Long maxSafeInstances,
		boolean leakSuspected, @Nullable Instant exceedingBudgetSince, @Nullable Long clientsGrowth,
		@Nullable Long clientsGrowthSeconds, Saturation saturation, BudgetPolicy policy, @Nullable Instant sampledAt,
		Map<String, String> unreadable, @Nullable Long fleetClients, @Nullable ClientMix mix,
		@Nullable String sampledBy, @Nullable String node, List<NodeReport> nodes) {

	public BudgetReport {
		unreadable = Map.copyOf(unreadable);
		nodes = List.copyOf(nodes);
	}

	/**
	 * Return whether the figures call for a closer look: clients per instance above the
	 * budget (a leak window running, or a leak suspected), or saturation at warn or
	 * above. The sampler samples at its fast interval meanwhile. Growth below the budget
	 * is reported but does not count: a fleet's client count moves all the time, and a
	 * leak that matters crosses the budget.
	 * @return whether the budget is unsettled
	 */
	public boolean isUnsettled() {
		return this.exceedingBudgetSince != null || this.leakSuspected || this.saturation.isFiring();
	}

	/**
	 * Return whether a leak is suspected or the server is saturated.
	 * @return {@code true} when the health component should not be UP
	 */
	public boolean isFiring() {
		return this.leakSuspected || this.saturation.isFiring();
	}

	/**
	 * Return whether the server figures and the instance count are known, so that the
	 * verdicts mean something.
	 * @return {@code true} when the figures were read
	 */
	public boolean isKnown() {
		return this.connectedClients != null && this.instances != null;
	}

	/**
	 * Return this report for the fleet: a Redis Cluster is judged node by node, and the
	 * fleet's figures are those of its worst node (a leak suspected first, then the
	 * highest saturation, then the highest utilization), with every node's report beside
	 * them. The budget stays the instance's; each node's report has the budget per node.
	 * @param nodes the nodes' reports
	 * @return the fleet's report, or this one when there are no nodes
	 */
	BudgetReport withNodes(List<NodeReport> nodes) {
		if (nodes.isEmpty()) {
			return this;
		}
		NodeReport worst = nodes.get(0);
		for (NodeReport each : nodes) {
			if (worse(each.report(), worst.report())) {
				worst = each;
			}
		}
		BudgetReport w = worst.report();
		Long maxSafe = null;
		for (NodeReport each : nodes) {
			Long nodeSafe = each.report().maxSafeInstances();
			if (nodeSafe != null && (maxSafe == null || nodeSafe < maxSafe)) {
				maxSafe = nodeSafe;
			}
		}
		Map<String, String> unreadable = new LinkedHashMap<>(this.unreadable);
		for (NodeReport each : nodes) {
			each.report().unreadable().forEach((what, why) -> unreadable.put(each.address() + " " + what, why));
		}
		return new BudgetReport(w.connectedClients(), w.maxClients(), w.instances(), w.clientsPerInstance(),
				w.utilization(), maxSafe, nodes.stream().anyMatch((each) -> each.report().leakSuspected()),
				w.exceedingBudgetSince(), w.clientsGrowth(), w.clientsGrowthSeconds(), w.saturation(), this.policy,
				this.sampledAt, unreadable, w.fleetClients(), w.mix(), this.sampledBy, worst.address(), nodes);
	}

	private static int rank(Saturation saturation) {
		return (saturation == Saturation.UNKNOWN) ? -1 : saturation.ordinal();
	}

	private static boolean worse(BudgetReport a, BudgetReport b) {
		if (a.leakSuspected() != b.leakSuspected()) {
			return a.leakSuspected();
		}
		if (rank(a.saturation()) != rank(b.saturation())) {
			return rank(a.saturation()) > rank(b.saturation());
		}
		double ua = (a.utilization() != null) ? a.utilization() : -1;
		double ub = (b.utilization() != null) ? b.utilization() : -1;
		return ua > ub;
	}

	/**
	 * One Redis Cluster node's report.
	 *
	 * @param address the node's {@code host:port}
	 * @param role {@code master} or {@code replica}
	 * @param report the node's figures judged against the budget per node
	 */
	public record NodeReport(String address, String role, BudgetReport report) {

	}

}
