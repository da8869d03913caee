package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;

import io.github.redisgovernor.test.redis.RedisServer;

/**
 * One HTTP round of one application for {@link BenchmarkSuite}: how long it took to
 * answer, then {@code GET /kv/x} from {@code connections} connections back to back
 * (requests a second, CPU per request and latencies over the measured window, after a
 * warm-up), the connections it held under that load ({@code CLIENT LIST} by name, the
 * sample with the most), and, for plain Boot and the governed application, what
 * {@code /actuator/health} polled 10 times a second costs Redis once the load has
 * stopped. Plain Boot and the governed application are measured side by side
 * ({@link HttpSideBySide}); {@link #measure} measures an application alone (the
 * per-request client).
 *
 * @param mode the application
 * @param round the round, from 1
 * @param readySeconds from the start of the JVM to the first answer to {@code GET /kv/x}
 * @param bootSeconds what Spring Boot logged: {@code Started ... in N seconds}
 * @param warmupSeconds the load before the measured window
 * @param requestsPerSecond successful requests a second over the measured window
 * @param cpuMicrosPerRequest CPU time of the application's JVM per successful request
 * over the measured window, microseconds; {@code NaN} when not measured
 * @param p50Millis median latency of the successful requests
 * @param p99Millis 99th percentile latency of the successful requests
 * @param failed failed requests in the measured window
 * @param connections the application's connections by client name, the sample with the
 * most
 * @param health what health polling costs Redis; {@code null} when not measured
 * @author Redis Governor contributors
 */
record HttpRound(AppMode mode, int round, double readySeconds, double bootSeconds, double warmupSeconds,
		double requestsPerSecond, double cpuMicrosPerRequest, double p50Millis, double p99Millis, long failed,
		Map<String, Long> connections, HealthCost health) {

	static final String KEY_PATH = "/kv/x";

	/**
	 * Start the application on its own and measure one window of load after its warm-up,
	 * three {@code CLIENT LIST} samples in it; health cost is not measured.
	 * @param redis the server
	 * @param mode the application
	 * @param round the round, from 1
	 * @param plan the plan
	 * @return the round
	 * @throws InterruptedException when interrupted
	 */
	static HttpRound measure(RedisServer redis, AppMode mode, int round, BenchmarkSuite.Plan plan)
			throws InterruptedException {
		redis.command("SET", "kv:x", "value");
		try (AppProcess app = AppProcess.start(redis.port(), mode.governed(), mode.application(),
				BenchmarkSuite.withHealthDetails(mode.arguments()))) {
			double ready = app.awaitAnswer(KEY_PATH, Duration.ofSeconds(120)).toNanos() / 1e9;
			double boot = app.bootStartedSeconds().orElse(Double.NaN);
			// As a readiness probe would: plain Spring Boot's reactive health check
			// opens a connection of its own at the first call.
			HttpConnection.get("127.0.0.1", app.port(), "/actuator/health", Duration.ofSeconds(10));
			LoadWindow window = LoadWindow.run(app, redis, plan.connections(), plan.warmup(mode), plan.measure(), 3);
			long[] latencies = window.latencies();
			return new HttpRound(mode, round, ready, boot, plan.warmup(mode).toNanos() / 1e9,
					window.requestsPerSecond(), window.cpuMicrosPerRequest(), Stats.percentile(latencies, 0.50) / 1e6,
					Stats.percentile(latencies, 0.99) / 1e6, window.failed(), window.connections(), null);
		}
	}

	static long total(Map<String, Long> connections) {
		return connections.values().stream().mapToLong(Long::longValue).sum();
	}

	/**
	 * What {@code /actuator/health} costs Redis: commands a second (the server's
	 * {@code total_commands_processed}, the suite's own {@code INFO} taken out) while it
	 * is polled 10 times a second, and over as long a window with no polling, which is
	 * the governor's own background work (or nothing, for plain Spring Boot).
	 *
	 * @param idlePerSecond commands a second without polling
	 * @param polledPerSecond commands a second with health polled 10 times a second
	 * @param idleCalls the commands Redis ran while not polled, by command (from
	 * {@code INFO commandstats}, which counts the commands scripts run too)
	 * @param polledCalls the commands Redis ran while polled, by command
	 * @param polls health requests answered in the polled window
	 */
	record HealthCost(double idlePerSecond, double polledPerSecond, Map<String, Long> idleCalls,
			Map<String, Long> polledCalls, long polls) {

		static final double POLLS_PER_SECOND = 10;

		/**
		 * What one health request adds: the commands a second polled, less those not
		 * polled, per poll.
		 * @return commands per health request
		 */
		double perPoll() {
			return (this.polledPerSecond - this.idlePerSecond) / POLLS_PER_SECOND;
		}

		static HealthCost measure(RedisServer redis, int port, BenchmarkSuite.Plan plan) throws InterruptedException {
			Thread.sleep(1000); // the load's last replies and closes
			Window idle = Window.of(redis, plan.healthWindow(), () -> 0);
			Window polled;
			try (HttpLoad health = HttpLoad.on("127.0.0.1", port)
				.connections(1)
				.rate(POLLS_PER_SECOND)
				.get("/actuator/health")
				.start()) {
				polled = Window.of(redis, plan.healthWindow(), health::succeeded);
			}
			return new HealthCost(idle.perSecond(), polled.perSecond(), idle.calls(), polled.calls(), polled.polls());
		}

		/**
		 * What Redis processed over a window, less what reading it costs: the fixture
		 * opens a connection for every {@code INFO} (its handshake's commands) and Redis
		 * counts a command once it has run, so the {@code INFO} that opens the window is
		 * in the second reading. Two readings back to back, before the window, measure
		 * that cost, and it is taken out.
		 */
		private record Window(double perSecond, Map<String, Long> calls, long polls) {

			static Window of(RedisServer redis, Duration duration, LongSupplier polls) throws InterruptedException {
				Map<String, String> first = redis.infoMap("everything");
				Map<String, String> before = redis.infoMap("everything");
				long start = System.nanoTime();
				long pollsBefore = polls.getAsLong();
				Thread.sleep(duration.toMillis());
				long pollsAfter = polls.getAsLong();
				Map<String, String> after = redis.infoMap("everything");
				double seconds = (System.nanoTime() - start) / 1e9;
				long reading = commands(first, before);
				Map<String, Long> readingCalls = ServerInfo.callsBetween(first, before);
				Map<String, Long> calls = ServerInfo.callsBetween(before, after);
				readingCalls.forEach((command, count) -> calls.computeIfPresent(command,
						(key, value) -> (value > count) ? value - count : null));
				return new Window((commands(before, after) - reading) / seconds, calls, pollsAfter - pollsBefore);
			}

			private static long commands(Map<String, String> before, Map<String, String> after) {
				return ServerInfo.number(after, "total_commands_processed")
						- ServerInfo.number(before, "total_commands_processed");
			}

		}

	}

}
