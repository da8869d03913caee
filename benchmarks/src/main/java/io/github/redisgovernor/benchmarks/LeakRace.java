package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.github.redisgovernor.test.redis.RedisServer;

/**
 * The classic leak, for {@link BenchmarkSuite}: an application that builds a new
 * connection factory on every {@code GET /kv/x} and never closes it
 * ({@code soak.inject-leak=connections}, {@code soak.leak-every=1}), called {@code rate}
 * times a second, on a server of its own. Every half second the suite reads the server's
 * {@code connected_clients} and the application's {@code /actuator/health}; the governed
 * application's {@code redisGovernor} component says {@code leakSuspected: true} some
 * seconds in, plain Spring Boot has nothing that would.
 *
 * @param mode plain or governed
 * @param leakSuspectedSeconds from the first leaking request to the first health reply
 * with {@code leakSuspected: true}; {@code NaN} when none came
 * @param samples the timeline
 * @author Redis Governor contributors
 */
record LeakRace(AppMode mode, double leakSuspectedSeconds, List<Sample> samples) {

	private static final Pattern LEAK_SUSPECTED = Pattern.compile("\"leakSuspected\"\\s*:\\s*true");

	static LeakRace measure(AppMode mode, BenchmarkSuite.Plan plan) throws InterruptedException {
		try (RedisServer redis = RedisServer.builder().name("suite-leak").start();
				AppProcess app = AppProcess.start(redis.port(), mode.governed(), "suite-leak",
						BenchmarkSuite.withHealthDetails("--soak.inject-leak=connections", "--soak.leak-every=1"))) {
			redis.command("SET", "kv:x", "value");
			app.awaitAnswer("/actuator/health", Duration.ofSeconds(120));
			List<Sample> samples = new ArrayList<>();
			double suspectedAt = Double.NaN;
			try (HttpLoad load = HttpLoad.on("127.0.0.1", app.port())
				.connections(2)
				.rate(plan.leakRate())
				.get(HttpRound.KEY_PATH)
				.start()) {
				long start = System.nanoTime();
				long end = start + plan.leakWindow().toNanos();
				for (long next = start; next - end <= 0; next += 500_000_000L) {
					long wait = next - System.nanoTime();
					if (wait > 0) {
						Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
					}
					double t = (System.nanoTime() - start) / 1e9;
					long clients = ServerInfo.connectedClients(redis);
					String health = HttpConnection
						.get("127.0.0.1", app.port(), "/actuator/health", Duration.ofSeconds(5))
						.body();
					boolean suspected = LEAK_SUSPECTED.matcher(health).find();
					if (suspected && Double.isNaN(suspectedAt)) {
						suspectedAt = (System.nanoTime() - start) / 1e9;
					}
					samples.add(new Sample(t, clients, suspected, load.succeeded()));
				}
			}
			return new LeakRace(mode, suspectedAt, samples);
		}
	}

	long lastConnectedClients() {
		return this.samples.isEmpty() ? 0 : this.samples.get(this.samples.size() - 1).connectedClients();
	}

	/**
	 * One look at the server and the application.
	 *
	 * @param seconds since the first leaking request
	 * @param connectedClients the server's {@code connected_clients}
	 * @param leakSuspected whether health said {@code leakSuspected: true}
	 * @param leakedSoFar requests answered so far, one leaked connection each
	 */
	record Sample(double seconds, long connectedClients, boolean leakSuspected, long leakedSoFar) {
	}

}
