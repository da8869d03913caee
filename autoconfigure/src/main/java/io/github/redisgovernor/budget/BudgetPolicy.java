package io.github.redisgovernor.budget;

import java.time.Duration;

/**
 * The fleet's connection budget, resolved from {@code redis.governor.budget.*} and, for
 * the connections per instance, from the application's connection set-up when the
 * property is not set ({@link ConnectionAllowance}).
 *
 * @param connectionsPerInstance connections one instance may hold, at least 1
 * @param reservedClients clients outside the fleet, left out of the ratio
 * @param headroom share of {@code maxclients} the fleet may plan to use, in (0, 1]
 * @param saturationWarn utilization from which saturation is WARN
 * @param saturationCritical utilization from which saturation is CRITICAL
 * @param leakWindow time clients per instance must stay above the budget before a leak is
 * suspected
 * @param connectionsPerInstanceFrom where {@code connectionsPerInstance} comes from
 * @author Redis Governor contributors
 */
public record BudgetPolicy(int connectionsPerInstance, int reservedClients, double headroom, double saturationWarn,
		double saturationCritical, Duration leakWindow, String connectionsPerInstanceFrom) {

	/**
	 * Create a policy whose connections per instance were set by the property.
	 * @param connectionsPerInstance connections one instance may hold, at least 1
	 * @param reservedClients clients outside the fleet, left out of the ratio
	 * @param headroom share of {@code maxclients} the fleet may plan to use, in (0, 1]
	 * @param saturationWarn utilization from which saturation is WARN
	 * @param saturationCritical utilization from which saturation is CRITICAL
	 * @param leakWindow time clients per instance must stay above the budget before a
	 * leak is suspected
	 */
	public BudgetPolicy(int connectionsPerInstance, int reservedClients, double headroom, double saturationWarn,
			double saturationCritical, Duration leakWindow) {
		this(connectionsPerInstance, reservedClients, headroom, saturationWarn, saturationCritical, leakWindow,
				ConnectionAllowance.PROPERTY);
	}

	/**
	 * Return the budget of one Redis Cluster node. A cluster client holds one connection
	 * to each node it routes commands to, and one more, its default connection, to one
	 * node it picks at start-up: a node may hold the connections per instance plus one of
	 * each instance.
	 * @return the policy per node
	 */
	public BudgetPolicy perClusterNode() {
		return new BudgetPolicy(this.connectionsPerInstance * 2, this.reservedClients, this.headroom,
				this.saturationWarn, this.saturationCritical, this.leakWindow, this.connectionsPerInstanceFrom
						+ ", twice on a cluster node: a cluster connection's default connection may sit on any node");
	}

}
