package io.github.redisgovernor.budget;

import java.time.Duration;

/**
 * The fleet's connection budget, resolved from {@code redis.governor.budget.*}.
 *
 * @param connectionsPerInstance connections one instance may hold, at least 1
 * @param reservedClients clients outside the fleet, left out of the ratio
 * @param headroom share of {@code maxclients} the fleet may plan to use, in (0, 1]
 * @param saturationWarn utilization from which saturation is WARN
 * @param saturationCritical utilization from which saturation is CRITICAL
 * @param leakWindow time clients per instance must stay above the budget before a leak is
 * suspected
 * @author Redis Governor contributors
 */
public record BudgetPolicy(int connectionsPerInstance, int reservedClients, double headroom, double saturationWarn,
		double saturationCritical, Duration leakWindow) {

}
