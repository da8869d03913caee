package io.github.redisgovernor.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.OptionalDouble;

import org.jspecify.annotations.Nullable;

/**
 * Decides, sample after sample, whether the fleet leaks connections.
 * <ul>
 * <li><b>Leak suspected</b>: clients per instance has been above the budget in every
 * sample for at least the window. One sample above the budget (a deploy, a burst of
 * dedicated connections) is not enough; a sample at or below it, or one that could not be
 * computed, starts the count again.</li>
 * <li><b>Growth</b>: how much {@code connected_clients} grew over the window while the
 * number of instances stayed the same. New connections without new instances are what a
 * leak looks like before it crosses the budget.</li>
 * </ul>
 * Not thread-safe: one sampler thread feeds it.
 *
 * @author Redis Governor contributors
 */
final class LeakWatch {

	private final double budget;

	private final Duration window;

	private final Deque<Point> points = new ArrayDeque<>();

	private @Nullable Instant exceedingSince;

	LeakWatch(double budget, Duration window) {
		this.budget = budget;
		this.window = window;
	}

	State update(Instant at, OptionalDouble clientsPerInstance, @Nullable Long connectedClients,
			@Nullable Long instances) {
		if (clientsPerInstance.isPresent() && clientsPerInstance.getAsDouble() > this.budget) {
			if (this.exceedingSince == null) {
				this.exceedingSince = at;
			}
		}
		else {
			this.exceedingSince = null;
		}
		boolean suspected = this.exceedingSince != null
				&& Duration.between(this.exceedingSince, at).compareTo(this.window) >= 0;
		return new State(suspected, this.exceedingSince, growth(at, connectedClients, instances));
	}

	private @Nullable Growth growth(Instant at, @Nullable Long connectedClients, @Nullable Long instances) {
		if (connectedClients == null || instances == null) {
			this.points.clear();
			return null;
		}
		if (!this.points.isEmpty() && this.points.peekLast().instances() != instances) {
			// The fleet changed size: connections are expected to follow, start again.
			this.points.clear();
		}
		this.points.addLast(new Point(at, connectedClients, instances));
		while (this.points.size() > 1
				&& Duration.between(this.points.peekFirst().at(), at).compareTo(this.window) > 0) {
			this.points.removeFirst();
		}
		Point oldest = this.points.peekFirst();
		Duration span = Duration.between(oldest.at(), at);
		if (span.isZero()) {
			return null;
		}
		return new Growth(connectedClients - oldest.connectedClients(), span, instances);
	}

	/**
	 * The verdict after one sample.
	 *
	 * @param leakSuspected whether clients per instance stayed above the budget for the
	 * whole window
	 * @param exceedingSince since when it has been above the budget, or {@code null}
	 * @param growth growth of connected clients with a constant instance count, or
	 * {@code null} when there are not two such samples yet
	 */
	record State(boolean leakSuspected, @Nullable Instant exceedingSince, @Nullable Growth growth) {

		static final State NONE = new State(false, null, null);

	}

	/**
	 * Growth of {@code connected_clients} while the instance count stayed flat.
	 *
	 * @param clients connected clients added (negative when they fell)
	 * @param over the time it took, at most the window
	 * @param instances the instance count, the same throughout
	 */
	record Growth(long clients, Duration over, long instances) {

	}

	private record Point(Instant at, long connectedClients, long instances) {

	}

}
