package io.github.redisgovernor.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.budget.BudgetReport;
import io.github.redisgovernor.client.InstanceIdentity;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code redisGovernor} health component: does the fleet stay within its connection
 * budget? It reads the {@link BudgetMonitor}'s last report and never sends a command, so
 * any number of health polls adds nothing to Redis's load.
 * <ul>
 * <li>UP: within budget.</li>
 * <li>{@link #DEGRADED}: a leak is suspected, or saturation is WARN or CRITICAL. The
 * governor places DEGRADED between OUT_OF_SERVICE and UP in the status order and maps it
 * to HTTP 200, so {@code /actuator/health} keeps answering 200: a restart storm is the
 * wrong answer to a leak, it only resets the count until the leak grows back.</li>
 * <li>OUT_OF_SERVICE instead of DEGRADED when
 * {@code redis.governor.health.report-out-of-service=true}.</li>
 * <li>UNKNOWN: the figures could not be read yet (Redis down, or {@code INFO} forbidden);
 * the details say why. Connectivity is the {@code redis} component's job.</li>
 * </ul>
 *
 * @author Redis Governor contributors
 */
public class RedisGovernorHealthIndicator implements HealthIndicator {

	/** A leak is suspected or the server is close to {@code maxclients}. */
	public static final Status DEGRADED = new Status("DEGRADED");

	private final BudgetMonitor monitor;

	private final InstanceIdentity identity;

	private final Status firingStatus;

	/**
	 * Create an indicator.
	 * @param monitor the budget monitor
	 * @param identity this instance
	 * @param reportOutOfService whether to report OUT_OF_SERVICE instead of DEGRADED
	 */
	public RedisGovernorHealthIndicator(BudgetMonitor monitor, InstanceIdentity identity, boolean reportOutOfService) {
		this.monitor = monitor;
		this.identity = identity;
		this.firingStatus = reportOutOfService ? Status.OUT_OF_SERVICE : DEGRADED;
	}

	@Override
	public Health health() {
		BudgetReport report = this.monitor.current();
		Status status;
		if (report.isFiring()) {
			status = this.firingStatus;
		}
		else {
			status = report.isKnown() ? Status.UP : Status.UNKNOWN;
		}
		return Health.status(status).withDetails(details(report)).build();
	}

	/**
	 * Each accounted cluster node's figures, judged against the budget per node.
	 * @param report the fleet's report
	 * @return address to figures
	 */
	public static Map<String, Object> nodes(BudgetReport report) {
		Map<String, Object> nodes = new LinkedHashMap<>();
		for (BudgetReport.NodeReport node : report.nodes()) {
			BudgetReport figures = node.report();
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("role", node.role());
			details.put("connectedClients", figures.connectedClients());
			details.put("maxClients", figures.maxClients());
			details.put("fleetClients", figures.fleetClients());
			details.put("clientsPerInstance", figures.clientsPerInstance());
			details.put("connectionsPerInstance", figures.policy().connectionsPerInstance());
			details.put("utilization", figures.utilization());
			details.put("maxSafeInstances", figures.maxSafeInstances());
			details.put("leakSuspected", figures.leakSuspected());
			details.put("saturation", figures.saturation().name());
			if (figures.mix() != null) {
				details.put("clients", figures.mix().toDetails());
			}
			details.values().removeIf(Objects::isNull);
			nodes.put(node.address(), details);
		}
		return nodes;
	}

	/**
	 * The cluster's figures summed over the accounted nodes.
	 * @param report the fleet's report
	 * @return the totals
	 */
	public static Map<String, Object> total(BudgetReport report) {
		long connected = 0;
		long fleet = 0;
		long max = 0;
		for (BudgetReport.NodeReport node : report.nodes()) {
			BudgetReport figures = node.report();
			connected += (figures.connectedClients() != null) ? figures.connectedClients() : 0;
			fleet += (figures.fleetClients() != null) ? figures.fleetClients() : 0;
			max += (figures.maxClients() != null) ? figures.maxClients() : 0;
		}
		Map<String, Object> total = new LinkedHashMap<>();
		total.put("nodes", report.nodes().size());
		total.put("connectedClients", connected);
		total.put("fleetClients", fleet);
		total.put("maxClients", max);
		return total;
	}

	private Map<String, Object> details(BudgetReport report) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("application", this.identity.getApplication());
		details.put("instanceId", this.identity.getInstanceId());
		details.put("connectedClients", report.connectedClients());
		details.put("maxClients", report.maxClients());
		details.put("fleetClients", report.fleetClients());
		if (report.mix() != null) {
			Map<String, Object> mix = report.mix().toDetails();
			mix.put("readAt", String.valueOf(report.mix().readAt()));
			details.put("clients", mix);
		}
		details.put("instances", report.instances());
		details.put("clientsPerInstance", report.clientsPerInstance());
		details.put("connectionsPerInstance", report.policy().connectionsPerInstance());
		details.put("connectionsPerInstanceFrom", report.policy().connectionsPerInstanceFrom());
		details.put("reservedClients", report.policy().reservedClients());
		details.put("utilization", report.utilization());
		details.put("maxSafeInstances", report.maxSafeInstances());
		details.put("leakSuspected", report.leakSuspected());
		if (report.exceedingBudgetSince() != null) {
			details.put("exceedingBudgetSince", report.exceedingBudgetSince().toString());
		}
		if (report.clientsGrowth() != null) {
			details.put("clientsGrowth", report.clientsGrowth());
			details.put("clientsGrowthSeconds", report.clientsGrowthSeconds());
		}
		details.put("saturation", report.saturation().name());
		if (report.sampledAt() != null) {
			details.put("sampledAt", report.sampledAt().toString());
		}
		details.put("sampledBy", (report.sampledBy() != null) ? report.sampledBy() : "this instance");
		if (!report.nodes().isEmpty()) {
			details.put("worstNode", report.node());
			details.put("nodes", nodes(report));
			details.put("total", total(report));
		}
		if (!report.unreadable().isEmpty()) {
			details.put("unreadable", new LinkedHashMap<>(report.unreadable()));
		}
		// Null values (unknown figures) are left out rather than shown as null.
		details.values().removeIf(Objects::isNull);
		return details;
	}

}
