package io.github.redisgovernor.cluster;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TopologyRefresher}'s pacing: both of its refreshes open a connection
 * to every node, so both follow the registry's heartbeat interval, which follows the
 * fleet size (10 s up to 100 instances, 100 s at 1,000 at the default fleet heartbeat
 * rate of 10 a second).
 */
class TopologyRefresherTests {

	private static final Duration ONE_SECOND = Duration.ofSeconds(1);

	private static final Duration ONE_MINUTE = Duration.ofSeconds(60);

	@Test
	void whileANodeIsDownAFleetOfUpToAHundredRefreshesEverySecond() {
		assertThat(TopologyRefresher.whileNodeDownFor(ONE_SECOND, Duration.ofSeconds(10))).isEqualTo(ONE_SECOND);
	}

	@Test
	void whileANodeIsDownALargerFleetRefreshesAtMostAHundredTimesASecondInAll() {
		// 1,000 instances: heartbeats every 100 s, a refresh every 10 s each.
		assertThat(TopologyRefresher.whileNodeDownFor(ONE_SECOND, Duration.ofSeconds(100)))
			.isEqualTo(Duration.ofSeconds(10));
		// 10,000 instances: every 100 s each.
		assertThat(TopologyRefresher.whileNodeDownFor(ONE_SECOND, Duration.ofSeconds(1000)))
			.isEqualTo(Duration.ofSeconds(100));
	}

	@Test
	void aLongerConfiguredTimeWhileANodeIsDownIsKept() {
		assertThat(TopologyRefresher.whileNodeDownFor(Duration.ofSeconds(5), Duration.ofSeconds(10)))
			.isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void thePeriodicRefreshIsAtLeastTenHeartbeatIntervals() {
		assertThat(TopologyRefresher.periodFor(ONE_MINUTE, Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(100));
		assertThat(TopologyRefresher.periodFor(Duration.ofMinutes(5), Duration.ofSeconds(10)))
			.isEqualTo(Duration.ofMinutes(5));
		assertThat(TopologyRefresher.periodFor(ONE_MINUTE, Duration.ofSeconds(100)))
			.isEqualTo(Duration.ofSeconds(1000));
	}

}
