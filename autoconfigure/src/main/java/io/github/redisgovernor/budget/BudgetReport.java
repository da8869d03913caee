package io.github.redisgovernor.budget;

import java.time.Instant;
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
 * @author Redis Governor contributors
 */
public record BudgetReport(@Nullable Long connectedClients, @Nullable Long maxClients, @Nullable Long instances,
		@Nullable Double clientsPerInstance, @Nullable Double utilization, @Nullable Long maxSafeInstances,
		boolean leakSuspected, @Nullable Instant exceedingBudgetSince, @Nullable Long clientsGrowth,
		@Nullable Long clientsGrowthSeconds, Saturation saturation, BudgetPolicy policy, @Nullable Instant sampledAt,
		Map<String, String> unreadable, @Nullable Long fleetClients, @Nullable ClientMix mix,
		@Nullable String sampledBy) {

	public BudgetReport {
		unreadable = Map.copyOf(unreadable);
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

}
