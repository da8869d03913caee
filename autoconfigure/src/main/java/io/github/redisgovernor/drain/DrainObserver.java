package io.github.redisgovernor.drain;

/**
 * Told about every completed drain, for example to record the
 * {@code redis.governor.drain} timer. {@link #NONE} stands in when no metrics library is
 * present.
 *
 * @author Redis Governor contributors
 */
@FunctionalInterface
public interface DrainObserver {

	/**
	 * An observer that does nothing.
	 */
	DrainObserver NONE = (summary) -> {
	};

	/**
	 * Called once, after the governed connection was closed.
	 * @param summary what the drain did
	 */
	void drained(DrainSummary summary);

}
