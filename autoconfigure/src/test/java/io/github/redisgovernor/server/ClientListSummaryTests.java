package io.github.redisgovernor.server;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ClientListSummary}.
 */
class ClientListSummaryTests {

	private static final String CLIENT_LIST = """
			id=3 addr=10.0.1.17:53122 laddr=10.0.0.5:6379 fd=8 name=orders:a age=10 idle=0 flags=N db=0 cmd=get user=app
			id=4 addr=10.0.1.18:40000 laddr=10.0.0.5:6379 fd=9 name=orders:b age=10 idle=0 flags=N db=0 cmd=get user=app
			id=5 addr=10.0.1.17:53200 laddr=10.0.0.5:6379 fd=10 name= age=3 idle=3 flags=N db=0 cmd=auth user=app
			id=6 addr=10.0.1.17:53201 laddr=10.0.0.5:6379 fd=11 name= age=2 idle=2 flags=N db=0 cmd=auth user=app
			id=7 addr=[::1]:6000 laddr=[::1]:6379 fd=12 name=redis-cli age=1 idle=0 flags=N db=0 cmd=client|list user=default
			""";

	@Test
	void groupsByNameAndByAddressWithoutPort() {
		ClientListSummary summary = ClientListSummary.parse(CLIENT_LIST, Instant.EPOCH);
		assertThat(summary.total()).isEqualTo(5);
		assertThat(summary.unnamed()).isEqualTo(2);
		assertThat(summary.byName()).containsExactly(new ClientListSummary.Group("", 2),
				new ClientListSummary.Group("orders:a", 1), new ClientListSummary.Group("orders:b", 1),
				new ClientListSummary.Group("redis-cli", 1));
		assertThat(summary.byAddress()).containsExactly(new ClientListSummary.Group("10.0.1.17", 3),
				new ClientListSummary.Group("10.0.1.18", 1), new ClientListSummary.Group("::1", 1));
		assertThat(summary.unnamedByAddress()).containsExactly(new ClientListSummary.Group("10.0.1.17", 2));
		assertThat(summary.problem()).isNull();
	}

	@Test
	void keepsNothingButNamesAddressesAndCounts() {
		ClientListSummary summary = ClientListSummary.parse(CLIENT_LIST, Instant.EPOCH);
		assertThat(summary.toString()).doesNotContain("auth").doesNotContain("user=").doesNotContain("53122");
	}

	@Test
	void emptyListHasNoClients() {
		ClientListSummary summary = ClientListSummary.parse("", Instant.EPOCH);
		assertThat(summary.total()).isZero();
		assertThat(summary.byName()).isEmpty();
	}

}
