package io.github.redisgovernor.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LeakWatch}: a leak needs every sample above the budget for the whole
 * window.
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

	private LeakWatch.State update(int second, double clientsPerInstance, long connected, long instances) {
		return this.watch.update(T0.plusSeconds(second), OptionalDouble.of(clientsPerInstance), connected, instances);
	}

}
