package io.github.redisgovernor.budget;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The budget formulas, as pure functions. See {@code docs/budget.md} for their meaning.
 * <pre>
 * clientsPerInstance = (connected_clients - reserved-clients) / instances
 * utilization        = connected_clients / maxclients
 * maxSafeInstances   = floor((maxclients * headroom - reserved-clients) / connections-per-instance)
 * </pre>
 *
 * @author Redis Governor contributors
 */
public final class BudgetMath {

	private BudgetMath() {
	}

	/**
	 * The fleet's average connections per live instance, after leaving out the reserved
	 * clients. Never negative: more reserved clients than connected ones gives 0.
	 * @param connectedClients the server's {@code connected_clients}
	 * @param reservedClients clients outside the fleet
	 * @param instances live instances in the registry
	 * @return the ratio, or empty when there is no live instance to divide by
	 */
	public static OptionalDouble clientsPerInstance(long connectedClients, long reservedClients, long instances) {
		if (instances <= 0) {
			return OptionalDouble.empty();
		}
		return OptionalDouble.of(Math.max(0, connectedClients - reservedClients) / (double) instances);
	}

	/**
	 * The share of the server's client limit in use.
	 * @param connectedClients the server's {@code connected_clients}
	 * @param maxClients the server's {@code maxclients}
	 * @return the ratio (above 1 when the limit was lowered below the current count), or
	 * empty when {@code maxclients} is not positive
	 */
	public static OptionalDouble utilization(long connectedClients, long maxClients) {
		if (maxClients <= 0) {
			return OptionalDouble.empty();
		}
		return OptionalDouble.of(connectedClients / (double) maxClients);
	}

	/**
	 * The largest fleet the server can hold with headroom: the number to use as Lambda
	 * reserved concurrency, or as the ECS or HPA maximum.
	 * @param maxClients the server's {@code maxclients}
	 * @param headroom the share of {@code maxclients} the fleet may plan to use, in (0,
	 * 1]
	 * @param reservedClients clients outside the fleet
	 * @param connectionsPerInstance connections one instance may hold, at least 1
	 * @return the number of instances, never negative
	 */
	public static long maxSafeInstances(long maxClients, double headroom, long reservedClients,
			long connectionsPerInstance) {
		if (connectionsPerInstance < 1) {
			throw new IllegalArgumentException(
					"connectionsPerInstance must be at least 1, was " + connectionsPerInstance);
		}
		if (!(headroom > 0 && headroom <= 1)) {
			throw new IllegalArgumentException("headroom must be in (0, 1], was " + headroom);
		}
		double usable = maxClients * headroom - reservedClients;
		return Math.max(0, (long) Math.floor(usable / connectionsPerInstance));
	}

	/**
	 * {@link #maxSafeInstances(long, double, long, long)} when {@code maxclients} may be
	 * unknown; the clients outside the fleet (Sentinels, other hosts) take their share of
	 * {@code maxclients} too.
	 * @param maxClients the server's {@code maxclients}, or {@code null}
	 * @param policy the budget
	 * @param excludedClients clients known to be outside the fleet, beside the reserved
	 * ones
	 * @return the number of instances, or empty when {@code maxclients} is unknown
	 */
	static OptionalLong maxSafeInstances(Long maxClients, BudgetPolicy policy, long excludedClients) {
		if (maxClients == null) {
			return OptionalLong.empty();
		}
		return OptionalLong.of(maxSafeInstances(maxClients, policy.headroom(),
				policy.reservedClients() + excludedClients, policy.connectionsPerInstance()));
	}

	/**
	 * Grade a utilization against the saturation thresholds.
	 * @param utilization the utilization, or empty when unknown
	 * @param warn the WARN threshold
	 * @param critical the CRITICAL threshold, not below {@code warn}
	 * @return the saturation level
	 */
	public static Saturation saturation(OptionalDouble utilization, double warn, double critical) {
		if (utilization.isEmpty()) {
			return Saturation.UNKNOWN;
		}
		double value = utilization.getAsDouble();
		if (value >= critical) {
			return Saturation.CRITICAL;
		}
		return (value >= warn) ? Saturation.WARN : Saturation.OK;
	}

}
