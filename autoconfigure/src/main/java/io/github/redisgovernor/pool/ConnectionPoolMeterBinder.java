package io.github.redisgovernor.pool;

import java.util.List;
import java.util.function.ToIntFunction;

import io.github.redisgovernor.client.InstanceIdentity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;

/**
 * Meters of the governed factory's connection pools, which Spring Data Redis does not
 * expose (spring-data-redis#2275): {@code redis.governor.pool.connections.active},
 * {@code .idle}, {@code .pending} and {@code .max}, tagged {@code application} and
 * {@code pool} ({@code commands} or {@code pubsub}, see {@link ConnectionPools.Kind}).
 * Nothing is bound when the factory does not pool.
 * <p>
 * A pool is created on the first connection of its kind: until then its gauges read 0
 * connections, and {@code max} reads the configured {@code max-active}. Like the other
 * meters, they have no base unit: the name says what they count.
 *
 * @author Redis Governor contributors
 */
public class ConnectionPoolMeterBinder implements MeterBinder {

	private final ConnectionPools pools;

	private final Tags tags;

	/**
	 * Create a binder.
	 * @param pools the governed factory's pools
	 * @param identity this instance
	 */
	public ConnectionPoolMeterBinder(ConnectionPools pools, InstanceIdentity identity) {
		this.pools = pools;
		this.tags = Tags.of("application", identity.getApplication());
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		GenericObjectPoolConfig<?> config = this.pools.poolConfig();
		if (config == null) {
			return;
		}
		for (ConnectionPools.Kind kind : ConnectionPools.Kind.values()) {
			Tags tags = this.tags.and("pool", kind.tag());
			gauge(registry, "redis.governor.pool.connections.active",
					"Pooled Redis connections borrowed by the application now", tags, kind,
					GenericObjectPool::getNumActive);
			gauge(registry, "redis.governor.pool.connections.idle", "Pooled Redis connections open and idle", tags,
					kind, GenericObjectPool::getNumIdle);
			gauge(registry, "redis.governor.pool.connections.pending", "Threads waiting for a pooled Redis connection",
					tags, kind, GenericObjectPool::getNumWaiters);
			Gauge.builder("redis.governor.pool.connections.max", this.pools, (pools) -> max(pools, kind, config))
				.description("Most connections the pool holds (max-active); negative when unbounded")
				.tags(tags)
				.register(registry);
		}
	}

	private void gauge(MeterRegistry registry, String name, String description, Tags tags, ConnectionPools.Kind kind,
			ToIntFunction<GenericObjectPool<?>> figure) {
		Gauge.builder(name, this.pools, (pools) -> sum(pools.pools(kind), figure))
			.description(description)
			.tags(tags)
			.register(registry);
	}

	private static double sum(List<GenericObjectPool<?>> pools, ToIntFunction<GenericObjectPool<?>> figure) {
		long sum = 0;
		for (GenericObjectPool<?> pool : pools) {
			sum += figure.applyAsInt(pool);
		}
		return sum;
	}

	private static double max(ConnectionPools pools, ConnectionPools.Kind kind, GenericObjectPoolConfig<?> config) {
		List<GenericObjectPool<?>> existing = pools.pools(kind);
		if (existing.isEmpty()) {
			return config.getMaxTotal();
		}
		long sum = 0;
		for (GenericObjectPool<?> pool : existing) {
			if (pool.getMaxTotal() < 0) {
				return pool.getMaxTotal();
			}
			sum += pool.getMaxTotal();
		}
		return sum;
	}

}
