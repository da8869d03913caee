package io.github.redisgovernor.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When a report asks the sampler for its fast interval.
 */
class BudgetReportTests {

	private static final BudgetPolicy POLICY = new BudgetPolicy(2, 0, 0.8, 0.8, 0.95, Duration.ofSeconds(30));

	@Test
	void calmFleetIsSettledEvenWithClientsGrowingBelowTheBudget() {
		assertThat(report(1.5, false, null, 12L, Saturation.OK).isUnsettled()).isFalse();
	}

	@Test
	void clientsPerInstanceAboveTheBudgetIsUnsettled() {
		assertThat(report(3.0, false, Instant.now(), null, Saturation.OK).isUnsettled()).isTrue();
	}

	@Test
	void suspectedLeakIsUnsettled() {
		assertThat(report(3.0, true, Instant.now(), null, Saturation.OK).isUnsettled()).isTrue();
	}

	@Test
	void saturationAtWarnOrAboveIsUnsettled() {
		assertThat(report(1.0, false, null, null, Saturation.WARN).isUnsettled()).isTrue();
		assertThat(report(1.0, false, null, null, Saturation.CRITICAL).isUnsettled()).isTrue();
		assertThat(report(null, false, null, null, Saturation.UNKNOWN).isUnsettled()).isFalse();
	}

	private static BudgetReport report(Double perInstance, boolean leak, Instant exceedingSince, Long growth,
			Saturation saturation) {
		return new BudgetReport(100L, 10_000L, 50L, perInstance, 0.01, 3_999L, leak, exceedingSince, growth,
				(growth != null) ? 30L : null, saturation, POLICY, Instant.now(), Map.of(), 100L, null, null, null,
				java.util.List.of());
	}

}
