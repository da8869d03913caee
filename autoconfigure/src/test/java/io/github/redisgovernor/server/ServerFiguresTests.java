package io.github.redisgovernor.server;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ServerFigures}: what the fleet's sampler publishes is what the others
 * read.
 */
class ServerFiguresTests {

	@Test
	void publishedFiguresReadBackTheSame() {
		Instant at = Instant.ofEpochMilli(1_764_547_200_123L);
		ClientMix mix = ClientMix.classify("id=1 addr=10.0.0.1:1 name=a:b flags=N\n", Set.of("a:b"), at);
		ServerFigures figures = new ServerFigures(12L, 10_000L, at, Map.of("CONFIG GET maxclients", "NOPERM"), 3L, 9L,
				mix, List.of(new ServerFigures.Point(at.minusSeconds(2), 8, 3), new ServerFigures.Point(at, 9, 3)),
				"orders/a");
		assertThat(ServerFigures.fromFields(figures.toFields())).isEqualTo(figures);
	}

	@Test
	void clusterNodesReadBackTheSame() {
		Instant at = Instant.ofEpochMilli(1_764_547_200_123L);
		ClientMix mix = ClientMix.classify("id=1 addr=10.0.0.1:1 name=a:b flags=N\n", Set.of("a:b"), at);
		ServerFigures node1 = new ServerFigures(4L, 10_000L, at, Map.of(), 3L, 4L, mix,
				List.of(new ServerFigures.Point(at, 4, 3)), null);
		ServerFigures node2 = new ServerFigures(null, null, at, Map.of("INFO clients", "NOPERM"), 3L, null, null,
				List.of(), null);
		ServerFigures figures = new ServerFigures(4L, 10_000L, at, Map.of(), 3L, 4L, null, List.of(), "orders/a")
			.withNodes(List.of(new NodeFigures("127.0.0.1:7000", "master", node1),
					new NodeFigures("127.0.0.1:7001", "replica", node2)));
		ServerFigures read = ServerFigures.fromFields(figures.toFields());
		assertThat(read).isEqualTo(figures);
		assertThat(read.nodes()).extracting(NodeFigures::address).containsExactly("127.0.0.1:7000", "127.0.0.1:7001");
		assertThat(read.unreadable()).isEmpty();
	}

	@Test
	void fieldsWithoutASampleAreNone() {
		assertThat(ServerFigures.fromFields(Map.of())).isNull();
		assertThat(ServerFigures.fromFields(Map.of("connected", "3"))).isNull();
	}

}
