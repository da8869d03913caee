package io.github.redisgovernor.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeakWatch}: a leak needs every sample above the budget for the whole
 * window, or rises sample after sample above it, and stays suspected while every sample
 * stays above it.
 */
class LeakWatchTests {

	private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	private final LeakWatch watch = new LeakWatch(2, Duration.ofSeconds(30));

	@Test
	void samplesAboveTheBudgetForTheWholeWindowAreALeak() {
		assertThat(update(0, 3.0, 30, 10).leakSuspected()).isFalse();
		assertThat(update(10, 3.5, 35, 10).leakSuspected()).isFalse();
		assertThat(update(29, 4.0, 40, 10).leakSuspected()).isFalse();
		LeakWatch.State state = update(30, 4.5, 45, 10);
		assertThat(state.leakSuspected()).isTrue();
		assertThat(state.exceedingSince()).isEqualTo(T0);
	}

	@Test
	void oneSpikeIsNotALeak() {
		assertThat(update(0, 5.0, 50, 10).leakSuspected()).isFalse();
		assertThat(update(5, 1.0, 10, 10).exceedingSince()).isNull();
		assertThat(update(10, 5.0, 50, 10).leakSuspected()).isFalse();
		assertThat(update(35, 5.0, 50, 10).leakSuspected()).as("the spike at 0s does not count").isFalse();
		assertThat(update(40, 5.0, 50, 10).leakSuspected()).isTrue();
	}

	@Test
	void atTheBudgetIsNotAboveIt() {
		update(0, 2.0, 20, 10);
		assertThat(update(60, 2.0, 20, 10).leakSuspected()).isFalse();
	}

	@Test
	void anUnknownSampleStartsTheWindowAgain() {
		update(0, 5.0, 50, 10);
		assertThat(this.watch.update(T0.plusSeconds(20), OptionalDouble.empty(), null, null).exceedingSince()).isNull();
		assertThat(update(40, 5.0, 50, 10).leakSuspected()).isFalse();
	}

	@Test
	void leakClearsWhenTheRatioFallsBackWithinTheBudget() {
		update(0, 5.0, 50, 10);
		assertThat(update(30, 5.0, 50, 10).leakSuspected()).isTrue();
		assertThat(update(35, 1.5, 15, 10).leakSuspected()).isFalse();
	}

	@Test
	void growthIsMeasuredOverTheWindowWhileInstancesStayFlat() {
		assertThat(update(0, 1.0, 10, 10).growth()).isNull();
		update(10, 1.5, 15, 10);
		LeakWatch.Growth growth = update(20, 2.0, 20, 10).growth();
		assertThat(growth.clients()).isEqualTo(10);
		assertThat(growth.over()).isEqualTo(Duration.ofSeconds(20));
		growth = update(45, 2.5, 25, 10).growth();
		assertThat(growth.clients()).as("only the last 30 s count").isEqualTo(5);
		assertThat(growth.over()).isEqualTo(Duration.ofSeconds(25));
	}

	@Test
	void growthStartsAgainWhenTheFleetChangesSize() {
		update(0, 1.0, 10, 10);
		update(10, 1.0, 20, 20);
		assertThat(update(20, 1.1, 22, 20).growth().clients()).isEqualTo(2);
	}

	@Test
	void clientsRisingAtEverySampleWithAFlatFleetAboveTheBudgetAreALeakBeforeTheWindow() {
		// 3 instances, budget 2: a leak of 20 connections a second from one of them,
		// sampled every 2 s.
		assertThat(update(0, 1.0, 3, 3).leakSuspected()).isFalse();
		assertThat(update(2, 14.3, 43, 3).leakSuspected()).as("one rise").isFalse();
		assertThat(update(4, 27.7, 83, 3).leakSuspected()).as("two rises").isFalse();
		LeakWatch.State state = update(6, 41.0, 123, 3);
		assertThat(state.leakSuspected()).as("three rises in a row, 4 s after the first excess").isTrue();
		assertThat(state.exceedingSince()).isEqualTo(T0.plusSeconds(2));
	}

	@Test
	void aLeakFlaggedByItsGrowthStaysSuspectedWhenTheGrowthPausesAboveTheBudget() {
		update(0, 1.0, 3, 3);
		update(2, 14.3, 43, 3);
		update(4, 27.7, 83, 3);
		assertThat(update(6, 41.0, 123, 3).leakSuspected()).isTrue();
		assertThat(update(8, 41.0, 123, 3).leakSuspected()).as("no new connection: the leaked ones are still open")
			.isTrue();
		assertThat(update(10, 40.0, 120, 3).leakSuspected()).as("a few closed, still far above the budget").isTrue();
		assertThat(update(12, 1.0, 3, 3).leakSuspected()).as("back within the budget").isFalse();
		assertThat(update(14, 5.0, 15, 3).leakSuspected()).as("above again: the counts start afresh").isFalse();
	}

	@Test
	void anUnknownSampleClearsASuspectedLeak() {
		update(0, 3.0, 30, 10);
		update(2, 3.5, 35, 10);
		update(4, 4.0, 40, 10);
		assertThat(update(6, 4.5, 45, 10).leakSuspected()).isTrue();
		assertThat(this.watch.update(T0.plusSeconds(8), OptionalDouble.empty(), null, null).leakSuspected()).isFalse();
		assertThat(update(10, 4.5, 45, 10).leakSuspected()).isFalse();
	}

	@Test
	void risingBelowTheBudgetIsNotALeak() {
		update(0, 1.0, 10, 10);
		update(2, 1.2, 12, 10);
		update(4, 1.4, 14, 10);
		update(6, 1.6, 16, 10);
		assertThat(update(8, 1.8, 18, 10).leakSuspected()).isFalse();
	}

	@Test
	void risingWhileTheFleetGrowsIsADeployNotALeak() {
		// A budget of 2, and a fleet above it while new instances start and register.
		update(0, 2.5, 10, 4);
		update(2, 2.4, 12, 5);
		update(4, 2.33, 14, 6);
		assertThat(update(6, 2.29, 16, 7).leakSuspected()).isFalse();
	}

	@Test
	void aFallBetweenRisesStartsTheGrowthCountAgain() {
		update(0, 3.0, 30, 10);
		update(2, 3.5, 35, 10);
		update(4, 4.0, 40, 10);
		update(6, 3.9, 39, 10);
		update(8, 4.5, 45, 10);
		assertThat(update(10, 5.0, 50, 10).leakSuspected()).isFalse();
		assertThat(update(12, 5.5, 55, 10).leakSuspected()).isTrue();
	}

	@Test
	void resetForgetsEverySample() {
		update(0, 3.0, 30, 10);
		update(2, 3.5, 35, 10);
		update(4, 4.0, 40, 10);
		this.watch.reset();
		assertThat(update(6, 4.5, 45, 10).leakSuspected()).isFalse();
		assertThat(update(6, 4.5, 45, 10).exceedingSince()).isEqualTo(T0.plusSeconds(6));
	}

	private LeakWatch.State update(int second, double clientsPerInstance, long connected, long instances) {
		return this.watch.update(T0.plusSeconds(second), OptionalDouble.of(clientsPerInstance), connected, instances);
	}

}
