package io.github.redisgovernor.server;

import java.time.Instant;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ClientMix}: what {@code CLIENT LIST} says is charged to the fleet.
 */
class ClientMixTests {

	private static final Instant AT = Instant.parse("2026-12-01T00:00:00Z");

	private static final String CLIENT_LIST = String.join("\n",
			"id=1 addr=10.0.1.17:50001 laddr=10.0.0.5:6379 fd=8 name=orders:a flags=N db=0 cmd=evalsha",
			"id=2 addr=10.0.1.18:50002 laddr=10.0.0.5:6379 fd=9 name=orders:b flags=N db=1 cmd=get",
			"id=3 addr=10.0.1.17:50003 laddr=10.0.0.5:6379 fd=10 name= flags=N db=0 cmd=set",
			"id=4 addr=10.0.2.30:50004 laddr=10.0.0.5:6379 fd=11 name=sentinel-1a2b3c4d-cmd flags=N db=0 cmd=ping",
			"id=5 addr=10.0.2.30:50005 laddr=10.0.0.5:6379 fd=12 name=sentinel-1a2b3c4d-pubsub flags=P db=0 cmd=subscribe",
			"id=6 addr=10.0.2.31:50006 laddr=10.0.0.5:6379 fd=13 name= flags=S db=0 cmd=replconf",
			"id=7 addr=10.0.2.32:50007 laddr=10.0.0.5:6379 fd=14 name= flags=O db=0 cmd=monitor",
			"id=8 addr=10.0.9.9:50008 laddr=10.0.0.5:6379 fd=15 name=legacy-app flags=N db=3 cmd=get",
			"id=9 addr=10.0.1.18:50009 laddr=10.0.0.5:6379 fd=16 name=orders:crashed flags=N db=0 cmd=get", "");

	@Test
	void chargesGovernedConnectionsAndOtherConnectionsFromTheirHosts() {
		ClientMix mix = ClientMix.classify(CLIENT_LIST, Set.of("orders:a", "orders:b"), AT);
		assertThat(mix.governed()).isEqualTo(2);
		// The unnamed one on 10.0.1.17 and the member no longer live on 10.0.1.18.
		assertThat(mix.ungoverned()).isEqualTo(2);
	}

	@Test
	void leavesOutSentinelsReplicationMonitorAndOtherHosts() {
		ClientMix mix = ClientMix.classify(CLIENT_LIST, Set.of("orders:a", "orders:b"), AT);
		assertThat(mix.sentinel()).isEqualTo(2);
		assertThat(mix.replication()).isEqualTo(1);
		assertThat(mix.monitor()).isEqualTo(1);
		assertThat(mix.otherHosts()).isEqualTo(1);
		// The replica (flag S) is not in connected_clients, so it is not subtracted.
		assertThat(mix.excluded()).isEqualTo(2 + 1 + 1);
		assertThat(mix.isKnown()).isTrue();
	}

	@Test
	void withoutAGovernedInstanceEveryOrdinaryClientIsFromAnotherHost() {
		ClientMix mix = ClientMix.classify(CLIENT_LIST, Set.of(), AT);
		assertThat(mix.governed()).isZero();
		assertThat(mix.ungoverned()).isZero();
		assertThat(mix.otherHosts()).isEqualTo(5);
	}

	@Test
	void survivesTheTripThroughTheRegistry() {
		ClientMix mix = ClientMix.classify(CLIENT_LIST, Set.of("orders:a", "orders:b"), AT);
		assertThat(ClientMix.fromFields(mix.toFields())).isEqualTo(mix);
		ClientMix refused = ClientMix
			.unreadable("NOPERM this user has no permissions to run the 'client|list' command");
		assertThat(ClientMix.fromFields(refused.toFields())).isEqualTo(refused);
		assertThat(refused.isKnown()).isFalse();
	}

}
