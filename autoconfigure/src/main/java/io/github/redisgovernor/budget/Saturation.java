package io.github.redisgovernor.budget;

/**
 * How close the server is to its {@code maxclients}.
 *
 * @author Redis Governor contributors
 */
public enum Saturation {

	/** Utilization below the WARN threshold. */
	OK,

	/** Utilization at or above the WARN threshold. */
	WARN,

	/** Utilization at or above the CRITICAL threshold. */
	CRITICAL,

	/** {@code connected_clients} or {@code maxclients} could not be read. */
	UNKNOWN;

	/**
	 * Return whether this level should take the health component off UP.
	 * @return {@code true} for WARN and CRITICAL
	 */
	public boolean isFiring() {
		return this == WARN || this == CRITICAL;
	}

}
