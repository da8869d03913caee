package io.github.redisgovernor.budget;

import java.util.OptionalDouble;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.offset;

/**
 * Tests for {@link BudgetMath}: the formulas of {@code docs/budget.md}.
 */
class BudgetMathTests {

	@Test
	void clientsPerInstanceLeavesOutReservedClients() {
		assertThat(BudgetMath.clientsPerInstance(35, 5, 10)).hasValue(3.0);
		assertThat(BudgetMath.clientsPerInstance(3, 0, 3)).hasValue(1.0);
		assertThat(BudgetMath.clientsPerInstance(4, 0, 3).getAsDouble()).isCloseTo(1.333, offset(0.001));
	}

	@Test
	void clientsPerInstanceIsNeverNegative() {
		assertThat(BudgetMath.clientsPerInstance(3, 10, 2)).hasValue(0.0);
	}

	@Test
	void clientsPerInstanceIsUnknownWithoutLiveInstances() {
		assertThat(BudgetMath.clientsPerInstance(100, 0, 0)).isEmpty();
	}

	@Test
	void utilizationIsConnectedOverMax() {
		assertThat(BudgetMath.utilization(8_000, 10_000)).hasValue(0.8);
		assertThat(BudgetMath.utilization(12, 10)).as("maxclients lowered below the count").hasValue(1.2);
		assertThat(BudgetMath.utilization(5, 0)).isEmpty();
	}

	@Test
	void maxSafeInstancesFloorsTheUsableShareOverTheBudget() {
		// floor((10000 * 0.8 - 0) / 2)
		assertThat(BudgetMath.maxSafeInstances(10_000, 0.8, 0, 2)).isEqualTo(4_000);
		// floor((65000 * 0.8 - 20) / 3) = floor(51980 / 3)
		assertThat(BudgetMath.maxSafeInstances(65_000, 0.8, 20, 3)).isEqualTo(17_326);
		assertThat(BudgetMath.maxSafeInstances(10, 1.0, 0, 1)).isEqualTo(10);
	}

	@Test
	void maxSafeInstancesIsZeroWhenReservedClientsTakeEverything() {
		assertThat(BudgetMath.maxSafeInstances(100, 0.5, 80, 2)).isZero();
	}

	@Test
	void maxSafeInstancesRejectsAnImpossibleBudget() {
		assertThatIllegalArgumentException().isThrownBy(() -> BudgetMath.maxSafeInstances(100, 0.8, 0, 0));
		assertThatIllegalArgumentException().isThrownBy(() -> BudgetMath.maxSafeInstances(100, 1.5, 0, 2));
		assertThatIllegalArgumentException().isThrownBy(() -> BudgetMath.maxSafeInstances(100, 0, 0, 2));
	}

	@Test
	void saturationGradesUtilizationAgainstBothThresholds() {
		assertThat(BudgetMath.saturation(OptionalDouble.of(0.79), 0.8, 0.95)).isEqualTo(Saturation.OK);
		assertThat(BudgetMath.saturation(OptionalDouble.of(0.8), 0.8, 0.95)).isEqualTo(Saturation.WARN);
		assertThat(BudgetMath.saturation(OptionalDouble.of(0.95), 0.8, 0.95)).isEqualTo(Saturation.CRITICAL);
		assertThat(BudgetMath.saturation(OptionalDouble.of(1.2), 0.8, 0.95)).isEqualTo(Saturation.CRITICAL);
		assertThat(BudgetMath.saturation(OptionalDouble.empty(), 0.8, 0.95)).isEqualTo(Saturation.UNKNOWN);
	}

	@Test
	void onlyWarnAndCriticalFire() {
		assertThat(Saturation.WARN.isFiring()).isTrue();
		assertThat(Saturation.CRITICAL.isFiring()).isTrue();
		assertThat(Saturation.OK.isFiring()).isFalse();
		assertThat(Saturation.UNKNOWN.isFiring()).isFalse();
	}

}
