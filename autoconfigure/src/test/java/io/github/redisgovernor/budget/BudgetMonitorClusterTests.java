package io.github.redisgovernor.budget;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.registry.RegistrySnapshot;
import io.github.redisgovernor.server.NodeFigures;
import io.github.redisgovernor.server.ServerFigures;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BudgetMonitor} on a Redis Cluster: each node is judged on its own
 * figures against the budget per node, and the fleet's report is its worst node's.
 */
class BudgetMonitorClusterTests {

	private static final BudgetPolicy POLICY = new BudgetPolicy(1, 0, 0.8, 0.8, 0.95, Duration.ofSeconds(30));

	private final BudgetMonitor monitor = new BudgetMonitor(POLICY, () -> new RegistrySnapshot(3L, Instant.now(), null),
			new InstanceIdentity("app", "a"));

	private final Instant start = Instant.parse("2026-12-01T10:00:00Z");

	@Test
	void aNodeThatHoldsEveryDefaultConnectionIsWithinItsBudget() {
		// 3 instances, each with one routed connection per master and its default
		// connection on the first master: 6 clients there, 3 on the others.
		BudgetReport report = judge(60, 6, 3, 3);
		assertThat(report.nodes()).hasSize(3);
		assertThat(report.leakSuspected()).isFalse();
		assertThat(report.nodes()).allSatisfy((node) -> {
			assertThat(node.report().leakSuspected()).isFalse();
			assertThat(node.report().policy().connectionsPerInstance()).isEqualTo(2);
		});
		assertThat(report.nodes().get(0).report().clientsPerInstance()).isEqualTo(2.0);
	}

	@Test
	void aLeakOnOneNodeIsSuspectedOnThatNodeOnly() {
		BudgetReport report = null;
		for (int second = 0; second <= 40; second += 2) {
			// The second master gains 2 unnamed connections every 2 seconds.
			report = judge(second, 3, 3 + second, 3);
		}
		assertThat(report.leakSuspected()).isTrue();
		assertThat(report.node()).isEqualTo("127.0.0.1:7001");
		assertThat(report.nodes()).extracting((node) -> node.report().leakSuspected())
			.containsExactly(false, true, false);
		assertThat(report.connectedClients()).isEqualTo(43L);
	}

	@Test
	void maxSafeInstancesIsTheSmallestOfTheNodes() {
		BudgetReport report = monitorWith(
				List.of(node("127.0.0.1:7000", 3, 1_000, 0), node("127.0.0.1:7001", 3, 100, 0)));
		// 100 * 0.8 / 2 connections per instance per node.
		assertThat(report.maxSafeInstances()).isEqualTo(40L);
		assertThat(report.node()).isEqualTo("127.0.0.1:7001");
	}

	@Test
	void aNodeThatLeavesTheTopologyLeavesTheReport() {
		judge(0, 3, 3, 3);
		BudgetReport report = monitorWith(
				List.of(node("127.0.0.1:7000", 3, 10_000, 0), node("127.0.0.1:7002", 3, 10_000, 0)));
		assertThat(report.nodes()).extracting(BudgetReport.NodeReport::address)
			.containsExactly("127.0.0.1:7000", "127.0.0.1:7002");
	}

	private BudgetReport judge(int second, long first, long second2, long third) {
		Instant at = this.start.plusSeconds(second);
		List<NodeFigures> nodes = new ArrayList<>();
		nodes.add(nodeAt("127.0.0.1:7000", first, at));
		nodes.add(nodeAt("127.0.0.1:7001", second2, at));
		nodes.add(nodeAt("127.0.0.1:7002", third, at));
		return monitorWith(nodes);
	}

	private final java.util.Map<String, List<ServerFigures.Point>> histories = new java.util.HashMap<>();

	private NodeFigures nodeAt(String address, long clients, Instant at) {
		List<ServerFigures.Point> history = this.histories.computeIfAbsent(address, (key) -> new ArrayList<>());
		history.add(new ServerFigures.Point(at, clients, 3));
		return new NodeFigures(address, "master",
				new ServerFigures(clients, 10_000L, at, Map.of(), 3L, clients, null, history, null));
	}

	private static NodeFigures node(String address, long clients, long max, int second) {
		Instant at = Instant.parse("2026-12-01T10:00:00Z").plusSeconds(second);
		return new NodeFigures(address, "master", new ServerFigures(clients, max, at, Map.of(), 3L, clients, null,
				List.of(new ServerFigures.Point(at, clients, 3)), null));
	}

	private BudgetReport monitorWith(List<NodeFigures> nodes) {
		Instant at = nodes.get(0).figures().sampledAt();
		ServerFigures fleet = new ServerFigures(3L, 10_000L, at, Map.of(), 3L, 3L, null, List.of(), "app/a")
			.withNodes(nodes);
		this.monitor.accept(fleet);
		return this.monitor.current();
	}

}
