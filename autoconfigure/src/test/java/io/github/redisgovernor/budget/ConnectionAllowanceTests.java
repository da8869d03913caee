package io.github.redisgovernor.budget;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ConnectionAllowance}: the connections per instance that follow the
 * application's pool and listener containers, and how the details word them.
 */
class ConnectionAllowanceTests {

	@Test
	void withoutAPoolOrAContainerItIsTheSharedConnectionAndOneBesideIt() {
		assertThat(ConnectionAllowance.derive(null, 0)).isEqualTo(ConnectionAllowance.DEFAULT)
			.hasToString("2 (shared 1 + 1 beside it)");
	}

	@Test
	void aPoolReplacesTheSharedConnectionByItsMaxActive() {
		assertThat(ConnectionAllowance.derive(8, 0))
			.hasToString("9 (pool max-active 8 (the shared connection included) + 1 beside it)");
		assertThat(ConnectionAllowance.derive(1, 0).connections()).isEqualTo(2);
		assertThat(ConnectionAllowance.derive(50, 0).connections()).isEqualTo(51);
	}

	@Test
	void eachListeningContainerAddsOne() {
		assertThat(ConnectionAllowance.derive(8, 1)).hasToString(
				"10 (pool max-active 8 (the shared connection included) + 1 beside it + 1 listener container)");
		assertThat(ConnectionAllowance.derive(null, 3))
			.hasToString("5 (shared 1 + 1 beside it + 3 listener containers)");
	}

	@Test
	void aPoolWithoutLimitCannotBeFollowed() {
		assertThat(ConnectionAllowance.derive(-1, 0))
			.hasToString("2 (shared 1 (the pool has no max-active) + 1 beside it)");
		assertThat(ConnectionAllowance.derive(0, 1).connections()).isEqualTo(3);
	}

	@Test
	void thePropertySaysSo() {
		assertThat(ConnectionAllowance.configured(4)).hasToString("4 (redis.governor.budget.connections-per-instance)");
	}

}
