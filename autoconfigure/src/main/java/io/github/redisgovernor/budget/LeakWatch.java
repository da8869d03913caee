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
 * <li><b>Leak suspected</b>: clients per instance is above the budget, and either it has
 * been above the budget in every sample for at least the window, or the fleet's clients
 * grew at each of the last {@value #GROWTH_RISES} samples while the number of instances
 * stayed the same. Growth without new instances is what a leak looks like; a deploy
 * changes the instance count, and a burst of dedicated connections or a monitoring agent
 * that connects for a moment does not rise sample after sample. Once suspected, the leak
 * stays suspected while every sample stays above the budget: a pause in the growth does
 * not clear it (a leak whose connections stay open is still a leak). A sample at or below
 * the budget, or one that could not be computed, clears it and starts the count
 * again.</li>
 * <li><b>Growth</b>: how much {@code connected_clients} grew over the window while the
 * number of instances stayed the same. New connections without new instances are what a
 * leak looks like before it crosses the budget.</li>
 * </ul>
 * Not thread-safe: one sampler thread feeds it.
 *
 * @author Redis Governor contributors
 */
final class LeakWatch {

	/**
	 * Rises in a row, with the instance count flat, that make a fleet above its budget a
	 * suspected leak before the window has passed.
	 */
	static final int GROWTH_RISES = 3;

	private double budget;

	private final Duration window;

	private final Deque<Point> points = new ArrayDeque<>();

	private @Nullable Instant exceedingSince;

	private @Nullable Point last;

	private int rises;

	private boolean suspected;

	LeakWatch(double budget, Duration window) {
		this.budget = budget;
		this.window = window;
	}

	/**
	 * Judge the next samples against another budget. The samples already seen keep their
	 * verdicts: a sample at or below the new budget starts the count again as usual.
	 */
	void setBudget(double budget) {
		this.budget = budget;
	}

	/**
	 * Judge one more sample.
	 * @param at when it was taken
	 * @param clientsPerInstance the fleet's clients per instance, or empty when unknown
	 * @param connectedClients the clients charged to the fleet, or {@code null}
	 * @param instances the live instances, or {@code null}
	 * @return the verdict
	 */
	State update(Instant at, OptionalDouble clientsPerInstance, @Nullable Long connectedClients,
			@Nullable Long instances) {
		if (clientsPerInstance.isPresent() && clientsPerInstance.getAsDouble() > this.budget) {
			if (this.exceedingSince == null) {
				this.exceedingSince = at;
			}
		}
		else {
			this.exceedingSince = null;
			this.suspected = false;
		}
		Point previous = this.last;
		if (clientsPerInstance.isEmpty() || connectedClients == null || instances == null) {
			this.rises = 0;
			this.last = null;
		}
		else {
			boolean rose = previous != null && previous.instances() == instances
					&& connectedClients > previous.connectedClients();
			this.rises = rose ? this.rises + 1 : 0;
			this.last = new Point(at, connectedClients, instances);
		}
		this.suspected = this.exceedingSince != null && (this.suspected
				|| Duration.between(this.exceedingSince, at).compareTo(this.window) >= 0 || this.rises >= GROWTH_RISES);
		return new State(this.suspected, this.exceedingSince, growth(at, connectedClients, instances));
	}

	/**
	 * Forget every sample: the next one starts the window and the growth count again.
	 */
	void reset() {
		this.exceedingSince = null;
		this.last = null;
		this.rises = 0;
		this.suspected = false;
		this.points.clear();
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
	 * @param leakSuspected whether a leak is suspected: clients per instance above the
	 * budget for the whole window, or rising sample after sample above it, and above it
	 * in every sample since
	 * @param exceedingSince since when it has been above the budget, or {@code null}
	 * @param growth growth of connected clients with a constant instance count, or
	 * {@code null} when there are not two such samples yet
	 */
	record State(boolean leakSuspected, @Nullable Instant exceedingSince, @Nullable Growth growth) {

		static final State NONE = new State(false, null, null);

	}

	/**
	 * Growth of the fleet's clients while the instance count stayed flat.
	 *
	 * @param clients clients charged to the fleet added (negative when they fell)
	 * @param over the time it took, at most the window
	 * @param instances the instance count, the same throughout
	 */
	record Growth(long clients, Duration over, long instances) {

	}

	private record Point(Instant at, long connectedClients, long instances) {

	}

}
