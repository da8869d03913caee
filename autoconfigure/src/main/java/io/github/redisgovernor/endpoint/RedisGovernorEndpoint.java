package io.github.redisgovernor.endpoint;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import io.github.redisgovernor.client.Failures;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.budget.BudgetReport;
import io.github.redisgovernor.health.RedisGovernorHealthIndicator;
import io.github.redisgovernor.client.ConnectionTracker;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.registry.LiveInstance;
import io.github.redisgovernor.server.ClientListSummary;
import io.github.redisgovernor.server.ServerFiguresSampler;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;

/**
 * {@code /actuator/redisgovernor}: the incident view that answers "who holds the
 * connections?".
 * <ul>
 * <li>the live instances of the registry, with when each one's entry expires;</li>
 * <li>the server's clients grouped by client name and by address (IP without port), and
 * the unnamed connections, which usually come from code that bypasses the governor;</li>
 * <li>the budget figures, as in the {@code redisGovernor} health component;</li>
 * <li>what could not be read, and why.</li>
 * </ul>
 * Read-only. It shows client names, addresses and counts, never a password or a command.
 * A request reads the registry ({@code ZRANGEBYSCORE}, O(fleet)) and {@code CLIENT LIST}
 * (O(clients), reused for a few seconds), so it is meant for people during an incident,
 * not for a scraper.
 * <p>
 * Off unless asked for ({@link Access#NONE} by default): the client addresses of every
 * application on the server and the host names in every instance id are a map of the
 * infrastructure, which a {@code management.endpoints.web.exposure.include=*} should not
 * publish by itself. Turn it on with
 * {@code management.endpoint.redisgovernor.access=read-only} and expose it, preferably on
 * a separate management port (docs/endpoint.md).
 *
 * @author Redis Governor contributors
 */
@Endpoint(id = "redisgovernor", defaultAccess = Access.NONE)
public class RedisGovernorEndpoint {

	private final InstanceRegistry registry;

	private final ServerFiguresSampler sampler;

	private final BudgetMonitor monitor;

	private final InstanceIdentity identity;

	private final @Nullable ConnectionTracker connections;

	/**
	 * Create the endpoint.
	 * @param registry the instance registry
	 * @param sampler the server figures sampler
	 * @param monitor the budget monitor
	 * @param identity this instance
	 * @param connections this instance's connection counts, or {@code null}
	 */
	public RedisGovernorEndpoint(InstanceRegistry registry, ServerFiguresSampler sampler, BudgetMonitor monitor,
			InstanceIdentity identity, @Nullable ConnectionTracker connections) {
		this.registry = registry;
		this.sampler = sampler;
		this.monitor = monitor;
		this.identity = identity;
		this.connections = connections;
	}

	@ReadOperation
	public Map<String, Object> report() {
		Map<String, Object> report = new LinkedHashMap<>();
		Map<String, String> unreadable = new LinkedHashMap<>();
		report.put("application", this.identity.getApplication());
		report.put("instanceId", this.identity.getInstanceId());
		Set<String> governedNames = new HashSet<>();
		report.put("instances", instances(unreadable, governedNames));
		report.put("clients", clients(unreadable, governedNames));
		BudgetReport budget = this.monitor.current();
		report.put("budget", budget(budget));
		if (this.connections != null) {
			report.put("thisInstance", Map.of("openConnections", this.connections.getOpen(), "openedConnections",
					this.connections.getOpened(), "reconnects", this.connections.getReconnects()));
		}
		budget.unreadable().forEach(unreadable::putIfAbsent);
		report.put("unreadable", unreadable);
		return report;
	}

	private Map<String, Object> instances(Map<String, String> unreadable, Set<String> governedNames) {
		Map<String, Object> instances = new LinkedHashMap<>();
		try {
			List<LiveInstance> live = this.registry.liveInstances();
			live.forEach((instance) -> governedNames.add(instance.clientName()));
			Map<String, Long> byApplication = new TreeMap<>();
			live.forEach((instance) -> byApplication.merge(instance.application(), 1L, Long::sum));
			instances.put("total", live.size());
			instances.put("byApplication", byApplication);
			instances.put("ttlMillis", this.registry.getEffectiveTtl().toMillis());
			instances.put("heartbeatIntervalMillis", this.registry.getEffectiveHeartbeatInterval().toMillis());
			if (this.registry.getSampledBy() != null) {
				instances.put("sampledBy", this.registry.getSampledBy());
			}
			instances.put("live", live.stream().map(this::instance).toList());
		}
		catch (Exception ex) {
			unreadable.put("registry", Failures.describe(ex));
		}
		return instances;
	}

	private Map<String, Object> instance(LiveInstance instance) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("application", instance.application());
		map.put("instanceId", instance.instanceId());
		map.put("expiresAt", instance.expiresAt().toString());
		map.put("expiresInMillis", instance.expiresInMillis());
		return map;
	}

	private Map<String, Object> clients(Map<String, String> unreadable, Set<String> governedNames) {
		Map<String, ClientListSummary> byNode = this.sampler.clientListByNode(governedNames);
		if (!byNode.isEmpty()) {
			// A cluster: every node has clients of its own.
			Map<String, Object> nodes = new LinkedHashMap<>();
			long total = 0;
			long unnamed = 0;
			for (Map.Entry<String, ClientListSummary> node : byNode.entrySet()) {
				ClientListSummary summary = node.getValue();
				if (summary.problem() != null) {
					unreadable.put(node.getKey() + " CLIENT LIST", summary.problem());
					continue;
				}
				total += summary.total();
				unnamed += summary.unnamed();
				nodes.put(node.getKey(), clients(summary));
			}
			Map<String, Object> clients = new LinkedHashMap<>();
			clients.put("total", total);
			clients.put("unnamed", unnamed);
			clients.put("byNode", nodes);
			return clients;
		}
		ClientListSummary summary = this.sampler.clientList(governedNames);
		if (summary.problem() != null) {
			unreadable.put("CLIENT LIST", summary.problem());
			return new LinkedHashMap<>();
		}
		return clients(summary);
	}

	private static Map<String, Object> clients(ClientListSummary summary) {
		Map<String, Object> clients = new LinkedHashMap<>();
		clients.put("total", summary.total());
		clients.put("unnamed", summary.unnamed());
		clients.put("byName",
				summary.byName().stream().map((group) -> Map.of("name", group.key(), "count", group.count())).toList());
		clients.put("byAddress",
				summary.byAddress()
					.stream()
					.map((group) -> Map.of("address", group.key(), "count", group.count()))
					.toList());
		clients.put("unnamedByAddress",
				summary.unnamedByAddress()
					.stream()
					.map((group) -> Map.of("address", group.key(), "count", group.count()))
					.toList());
		clients.put("byKind", summary.kinds().toDetails());
		clients.put("readAt", Objects.toString(summary.readAt(), null));
		return clients;
	}

	private Map<String, Object> budget(BudgetReport report) {
		Map<String, Object> budget = new LinkedHashMap<>();
		budget.put("connectedClients", report.connectedClients());
		budget.put("fleetClients", report.fleetClients());
		budget.put("maxClients", report.maxClients());
		budget.put("instances", report.instances());
		budget.put("clientsPerInstance", report.clientsPerInstance());
		budget.put("connectionsPerInstance", report.policy().connectionsPerInstance());
		budget.put("connectionsPerInstanceFrom", report.policy().connectionsPerInstanceFrom());
		budget.put("reservedClients", report.policy().reservedClients());
		budget.put("headroom", report.policy().headroom());
		budget.put("utilization", report.utilization());
		budget.put("maxSafeInstances", report.maxSafeInstances());
		budget.put("leakSuspected", report.leakSuspected());
		budget.put("exceedingBudgetSince", Objects.toString(report.exceedingBudgetSince(), null));
		budget.put("clientsGrowth", report.clientsGrowth());
		budget.put("clientsGrowthSeconds", report.clientsGrowthSeconds());
		budget.put("saturation", report.saturation().name());
		budget.put("leakWindowSeconds", report.policy().leakWindow().toSeconds());
		budget.put("sampledAt", Objects.toString(report.sampledAt(), null));
		budget.put("sampledBy", report.sampledBy());
		if (!report.nodes().isEmpty()) {
			budget.put("worstNode", report.node());
			budget.put("nodes", RedisGovernorHealthIndicator.nodes(report));
			budget.put("total", RedisGovernorHealthIndicator.total(report));
		}
		budget.values().removeIf(Objects::isNull);
		return budget;
	}

}
