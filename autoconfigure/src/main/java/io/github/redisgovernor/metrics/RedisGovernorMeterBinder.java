package io.github.redisgovernor.metrics;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.budget.BudgetReport;
import io.github.redisgovernor.client.ConnectionTracker;
import io.github.redisgovernor.client.InstanceIdentity;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * The governor's meters, all tagged {@code application}. The server and registry figures
 * read the {@link BudgetMonitor}'s last report, so a scrape never sends a command; an
 * unknown figure reads NaN. Boot's own Lettuce command observations are left alone:
 * nothing here times commands.
 * <p>
 * No meter has a base unit: each name already says what it counts (clients, instances,
 * connections, reconnects), and Prometheus appends the base unit to the name, which would
 * export {@code redis_governor_clients_connected_connections} and
 * {@code redis_governor_instances_max_safe_instances}. The exported names are pinned by
 * {@code PrometheusNamesIntegrationTests} and listed in {@code docs/metrics.md}.
 *
 * @author Redis Governor contributors
 */
public class RedisGovernorMeterBinder implements MeterBinder {

	private final BudgetMonitor monitor;

	private final @Nullable ConnectionTracker connections;

	private final Tags tags;

	private final Map<String, List<Meter>> nodeMeters = new LinkedHashMap<>();

	/**
	 * Create a binder.
	 * @param monitor the budget monitor
	 * @param connections this instance's connection counts, or {@code null} when
	 * Lettuce's events are not available
	 * @param identity this instance
	 */
	public RedisGovernorMeterBinder(BudgetMonitor monitor, @Nullable ConnectionTracker connections,
			InstanceIdentity identity) {
		this.monitor = monitor;
		this.connections = connections;
		this.tags = Tags.of("application", identity.getApplication());
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		gauge(registry, "redis.governor.clients.connected", "Clients connected to the Redis server (connected_clients)",
				BudgetReport::connectedClients);
		gauge(registry, "redis.governor.clients.fleet",
				"Clients charged to the governed fleet: connected_clients less Sentinels, replication links, "
						+ "MONITOR and other hosts' clients",
				BudgetReport::fleetClients);
		gauge(registry, "redis.governor.clients.max", "Client limit of the Redis server (maxclients)",
				BudgetReport::maxClients);
		gauge(registry, "redis.governor.clients.utilization", "Connected clients divided by maxclients",
				BudgetReport::utilization);
		gauge(registry, "redis.governor.instances",
				"Live instances, of every application, in the instance registry of this Redis server",
				BudgetReport::instances);
		gauge(registry, "redis.governor.clients.per.instance",
				"Clients charged to the fleet, less the reserved ones, per live instance",
				BudgetReport::clientsPerInstance);
		gauge(registry, "redis.governor.instances.max.safe",
				"Largest fleet the Redis server can hold within the connection budget and headroom",
				BudgetReport::maxSafeInstances);
		gauge(registry, "redis.governor.leak.suspected",
				"1 while this instance suspects a connection leak in the fleet, 0 when it does not",
				(report) -> report.isKnown() ? (report.leakSuspected() ? 1 : 0) : null);
		this.monitor.addListener((report) -> registerNodes(registry, report));
		registerNodes(registry, this.monitor.current());
		ConnectionTracker tracker = this.connections;
		if (tracker != null) {
			Gauge.builder("redis.governor.connections.open", tracker, ConnectionTracker::getOpen)
				.description("Redis connections this instance holds open")
				.tags(this.tags)
				.register(registry);
			FunctionCounter.builder("redis.governor.connections.opened", tracker, ConnectionTracker::getOpened)
				.description("Redis connections this instance has opened, reconnects included")
				.tags(this.tags)
				.register(registry);
			FunctionCounter.builder("redis.governor.reconnects", tracker, ConnectionTracker::getReconnects)
				.description("Redis connections this instance re-established after losing them")
				.tags(this.tags)
				.register(registry);
		}
	}

	/**
	 * On a Redis Cluster, the per-node figures as gauges tagged with the node's address
	 * and role, for the nodes the budget accounts (masters, and replicas when the
	 * application reads from them), so that the cardinality stays at a few gauges per
	 * master. A node that leaves the topology takes its gauges with it.
	 */
	private synchronized void registerNodes(MeterRegistry registry, BudgetReport report) {
		Map<String, String> current = new LinkedHashMap<>();
		for (BudgetReport.NodeReport node : report.nodes()) {
			current.put(node.address(), node.role());
		}
		for (Iterator<Map.Entry<String, List<Meter>>> it = this.nodeMeters.entrySet().iterator(); it.hasNext();) {
			Map.Entry<String, List<Meter>> registered = it.next();
			if (!current.containsKey(registered.getKey())) {
				registered.getValue().forEach(registry::remove);
				it.remove();
			}
		}
		current.forEach((address, role) -> this.nodeMeters.computeIfAbsent(address, (key) -> {
			Tags tags = this.tags.and("node", address, "role", role);
			List<Meter> meters = new ArrayList<>();
			meters.add(nodeGauge(registry, "redis.governor.node.clients.connected",
					"Clients connected to the cluster node (connected_clients)", address, tags,
					BudgetReport::connectedClients));
			meters.add(nodeGauge(registry, "redis.governor.node.clients.fleet",
					"Clients of the cluster node charged to the governed fleet", address, tags,
					BudgetReport::fleetClients));
			meters.add(nodeGauge(registry, "redis.governor.node.clients.max",
					"Client limit of the cluster node (maxclients)", address, tags, BudgetReport::maxClients));
			meters.add(nodeGauge(registry, "redis.governor.node.clients.utilization",
					"Connected clients of the cluster node divided by its maxclients", address, tags,
					BudgetReport::utilization));
			meters.add(nodeGauge(registry, "redis.governor.node.clients.per.instance",
					"Clients of the cluster node charged to the fleet, less the reserved ones, per live instance",
					address, tags, BudgetReport::clientsPerInstance));
			meters.add(nodeGauge(registry, "redis.governor.node.instances.max.safe",
					"Largest fleet the cluster node can hold within the budget per node and headroom", address, tags,
					BudgetReport::maxSafeInstances));
			meters.add(nodeGauge(registry, "redis.governor.node.leak.suspected",
					"1 while a connection leak is suspected on the cluster node, 0 when it is not", address, tags,
					(node) -> node.isKnown() ? (node.leakSuspected() ? 1 : 0) : null));
			return meters;
		}));
	}

	private Meter nodeGauge(MeterRegistry registry, String name, String description, String address, Tags tags,
			Function<BudgetReport, @Nullable Number> figure) {
		return Gauge.builder(name, this.monitor, (monitor) -> {
			for (BudgetReport.NodeReport node : monitor.current().nodes()) {
				if (node.address().equals(address)) {
					Number value = figure.apply(node.report());
					return (value != null) ? value.doubleValue() : Double.NaN;
				}
			}
			return Double.NaN;
		}).description(description).tags(tags).register(registry);
	}

	private void gauge(MeterRegistry registry, String name, String description,
			Function<BudgetReport, @Nullable Number> figure) {
		Gauge.builder(name, this.monitor, (monitor) -> {
			Number value = figure.apply(monitor.current());
			return (value != null) ? value.doubleValue() : Double.NaN;
		}).description(description).tags(this.tags).register(registry);
	}

}
