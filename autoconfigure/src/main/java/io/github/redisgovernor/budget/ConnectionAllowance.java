package io.github.redisgovernor.budget;

import java.util.ArrayList;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The connections one instance may hold, and where that number comes from. Unless
 * {@code redis.governor.budget.connections-per-instance} is set, it follows what the
 * application is built to hold (see {@code docs/budget.md}): <pre>
 * connections-per-instance = (pool max-active, or 1 for the shared connection without a pool)
 *                          + 1 beside them
 *                          + 1 per RedisMessageListenerContainer
 * </pre> With a pool, the shared connection is one of the pool's connections (Spring Data
 * Redis borrows it from the pool and keeps it), and so are the dedicated ones
 * (transactions, blocking commands). The one beside them is the other style's shared
 * connection (an application that uses both the imperative and the reactive API), or,
 * without a pool, one dedicated connection at a time. Each listener container holds one
 * subscription connection of its own.
 *
 * @param connections the connections one instance may hold, at least 1
 * @param from how the number was reached, for the health details and the endpoint
 * @author Redis Governor contributors
 */
public record ConnectionAllowance(int connections, String from) {

	/**
	 * What {@link #from()} says when the number was set by the property.
	 */
	public static final String PROPERTY = "redis.governor.budget.connections-per-instance";

	/**
	 * The allowance of an application without a pool or a listener container: the shared
	 * connection and one beside it.
	 */
	public static final ConnectionAllowance DEFAULT = derive(null, 0);

	/**
	 * The allowance set by {@code redis.governor.budget.connections-per-instance}.
	 * @param connections the property's value
	 * @return the allowance
	 */
	public static ConnectionAllowance configured(int connections) {
		return new ConnectionAllowance(connections, PROPERTY);
	}

	/**
	 * The allowance that follows the application's connection set-up.
	 * @param poolMaxActive the pool's {@code max-active} ({@code maxTotal}), or
	 * {@code null} without a pool; a negative value (no limit) cannot be followed, and
	 * counts as no pool
	 * @param listenerContainers the {@code RedisMessageListenerContainer}s on the
	 * governed factory
	 * @return the allowance
	 */
	public static ConnectionAllowance derive(@Nullable Integer poolMaxActive, int listenerContainers) {
		List<String> parts = new ArrayList<>();
		int connections;
		if (poolMaxActive != null && poolMaxActive > 0) {
			connections = poolMaxActive;
			parts.add("pool max-active " + poolMaxActive + " (the shared connection included)");
		}
		else {
			connections = 1;
			parts.add((poolMaxActive != null) ? "shared 1 (the pool has no max-active)" : "shared 1");
		}
		connections += 1;
		parts.add("1 beside it");
		if (listenerContainers > 0) {
			connections += listenerContainers;
			parts.add(listenerContainers + " listener container" + ((listenerContainers > 1) ? "s" : ""));
		}
		return new ConnectionAllowance(connections, String.join(" + ", parts));
	}

	/**
	 * Return the number followed by where it comes from, as in
	 * {@code 9 (pool max-active 8 (the shared connection included) + 1 beside it)}.
	 * @return the description
	 */
	@Override
	public String toString() {
		return this.connections + " (" + this.from + ")";
	}

}
