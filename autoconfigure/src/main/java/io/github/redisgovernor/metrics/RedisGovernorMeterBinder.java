package io.github.redisgovernor.metrics;

import java.util.function.Function;

import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.budget.BudgetReport;
import io.github.redisgovernor.client.ConnectionTracker;
import io.github.redisgovernor.client.InstanceIdentity;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * The governor's meters, all tagged {@code application}. The server and registry figures
 * read the {@link BudgetMonitor}'s last report, so a scrape never sends a command; an
 * unknown figure reads NaN. Boot's own Lettuce command observations are left alone:
 * nothing here times commands.
 *
 * @author Redis Governor contributors
 */
public class RedisGovernorMeterBinder implements MeterBinder {

	private final BudgetMonitor monitor;

	private final @Nullable ConnectionTracker connections;

	private final Tags tags;

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
				"connections", BudgetReport::connectedClients);
		gauge(registry, "redis.governor.clients.fleet",
				"Clients charged to the governed fleet: connected_clients less Sentinels, replication links, "
						+ "MONITOR and other hosts' clients",
				"connections", BudgetReport::fleetClients);
		gauge(registry, "redis.governor.clients.max", "Client limit of the Redis server (maxclients)", "connections",
				BudgetReport::maxClients);
		gauge(registry, "redis.governor.clients.utilization", "Connected clients divided by maxclients", null,
				BudgetReport::utilization);
		gauge(registry, "redis.governor.instances",
				"Live instances, of every application, in the instance registry of this Redis server", "instances",
				BudgetReport::instances);
		gauge(registry, "redis.governor.clients.per.instance",
				"Clients charged to the fleet, less the reserved ones, per live instance", "connections",
				BudgetReport::clientsPerInstance);
		gauge(registry, "redis.governor.instances.max.safe",
				"Largest fleet the Redis server can hold within the connection budget and headroom", "instances",
				BudgetReport::maxSafeInstances);
		ConnectionTracker tracker = this.connections;
		if (tracker != null) {
			Gauge.builder("redis.governor.connections.open", tracker, ConnectionTracker::getOpen)
				.description("Redis connections this instance holds open")
				.baseUnit("connections")
				.tags(this.tags)
				.register(registry);
			FunctionCounter.builder("redis.governor.connections.opened", tracker, ConnectionTracker::getOpened)
				.description("Redis connections this instance has opened, reconnects included")
				.baseUnit("connections")
				.tags(this.tags)
				.register(registry);
			FunctionCounter.builder("redis.governor.reconnects", tracker, ConnectionTracker::getReconnects)
				.description("Redis connections this instance re-established after losing them")
				.baseUnit("connections")
				.tags(this.tags)
				.register(registry);
		}
	}

	private void gauge(MeterRegistry registry, String name, String description, @Nullable String baseUnit,
			Function<BudgetReport, @Nullable Number> figure) {
		Gauge.Builder<BudgetMonitor> builder = Gauge.builder(name, this.monitor, (monitor) -> {
			Number value = figure.apply(monitor.current());
			return (value != null) ? value.doubleValue() : Double.NaN;
		}).description(description).tags(this.tags);
		if (baseUnit != null) {
			builder.baseUnit(baseUnit);
		}
		builder.register(registry);
	}

}
