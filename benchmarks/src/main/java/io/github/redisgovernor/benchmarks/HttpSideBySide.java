package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.github.redisgovernor.test.redis.RedisServer;

/**
 * One HTTP round of plain Spring Boot and the governed application, side by side: both
 * JVMs run at once, each against a server of its own, and the load moves from one to the
 * other in short slices, so that whatever else the machine does hits both alike.
 * <ol>
 * <li>The two start one after the other (the order alternates by round), each timed
 * alone: JVM start to the first answer to {@code GET /kv/x}. One
 * {@code GET /actuator/health} each, as a readiness probe would.</li>
 * <li><b>Warm-up</b>: slices of load alternate between the two until each has had at
 * least the minimum warm-up and its last slice was no more than 5 % above the one before
 * (its JIT compilers are done), or until the maximum. A fresh JVM under this load keeps
 * getting faster for about a minute.</li>
 * <li><b>Measured pairs</b>: one slice each, in the order plain, governed, governed,
 * plain, plain, ... (so that a drift of the machine's speed favours neither); each pair
 * gives a ratio, governed/plain. A slice is {@code GET /kv/x} from the plan's connections
 * back to back: one second of ramp, then the measured window, over which the
 * application's JVM's CPU time is read too (CPU per request, which the other JVM's
 * scheduling does not move); {@code CLIENT LIST} of the application's server is read in
 * the middle of it.</li>
 * <li>The load stopped, what {@code /actuator/health} polled 10 times a second costs each
 * server ({@link HttpRound.HealthCost}).</li>
 * </ol>
 *
 * @author Redis Governor contributors
 */
final class HttpSideBySide {

	/** A slice counts as warm when it is no more than this above the one before. */
	static final double WARM_WITHIN = 1.05;

	private HttpSideBySide() {
	}

	/**
	 * One slice of load on one application.
	 *
	 * @param mode the application
	 * @param round the round, from 1
	 * @param phase {@code warm-up} or {@code measured}
	 * @param index the slice's number in its phase for this application, from 1
	 * @param secondsOfLoad the load this application had had before this slice
	 * @param requestsPerSecond successful requests a second over the slice's window
	 * @param cpuMicrosPerRequest CPU time of the application's JVM over the window, per
	 * successful request, in microseconds ({@code NaN} when the platform does not say)
	 */
	record Slice(AppMode mode, int round, String phase, int index, double secondsOfLoad, double requestsPerSecond,
			double cpuMicrosPerRequest) {

	}

	/**
	 * One measured pair: a slice of each, back to back.
	 *
	 * @param round the round, from 1
	 * @param index the pair's number in its round, from 1
	 * @param first the application loaded first
	 * @param plain plain Boot's requests a second
	 * @param governed the governed application's requests a second
	 * @param plainCpu plain Boot's CPU per request, microseconds
	 * @param governedCpu the governed application's CPU per request, microseconds
	 */
	record Pair(int round, int index, AppMode first, double plain, double governed, double plainCpu,
			double governedCpu) {

		double ratio() {
			return this.governed / this.plain;
		}

		double cpuRatio() {
			return this.governedCpu / this.plainCpu;
		}

	}

	/**
	 * What one round measured.
	 *
	 * @param rounds plain Boot's and the governed application's figures for the round
	 * @param slices every slice, warm-up and measured, in the order run
	 * @param pairs the measured pairs
	 */
	record Result(List<HttpRound> rounds, List<Slice> slices, List<Pair> pairs) {

	}

	static Result measure(Map<AppMode, RedisServer> servers, int round, BenchmarkSuite.Plan plan,
			Consumer<String> progress) throws InterruptedException {
		List<AppMode> order = (round % 2 == 1) ? List.of(AppMode.PLAIN, AppMode.GOVERNED)
				: List.of(AppMode.GOVERNED, AppMode.PLAIN);
		Map<AppMode, App> apps = new EnumMap<>(AppMode.class);
		try {
			for (AppMode mode : order) {
				RedisServer redis = servers.get(mode);
				redis.command("SET", "kv:x", "value");
				AppProcess process = AppProcess.start(redis.port(), mode.governed(), mode.application(),
						BenchmarkSuite.withHealthDetails(mode.arguments()));
				App app = new App(mode, process, redis);
				apps.put(mode, app);
				app.ready = process.awaitAnswer(HttpRound.KEY_PATH, Duration.ofSeconds(120)).toNanos() / 1e9;
				app.boot = process.bootStartedSeconds().orElse(Double.NaN);
				// As a readiness probe would: plain Spring Boot's reactive health check
				// opens a connection of its own at the first call.
				HttpConnection.get("127.0.0.1", process.port(), "/actuator/health", Duration.ofSeconds(10));
			}
			List<Slice> slices = new ArrayList<>();
			warmUp(apps, order, round, plan, slices);
			progress.accept(String.format(java.util.Locale.ROOT,
					"http round %d/%d, plain Boot and governed side by side: warm after %.0f s and %.0f s of load",
					round, plan.rounds(), apps.get(AppMode.PLAIN).warmupSeconds,
					apps.get(AppMode.GOVERNED).warmupSeconds));
			List<Pair> pairs = new ArrayList<>();
			for (int index = 1; index <= plan.pairs(); index++) {
				AppMode first = (index % 2 == 1) ? order.get(0) : order.get(1);
				AppMode second = (first == AppMode.PLAIN) ? AppMode.GOVERNED : AppMode.PLAIN;
				Slice a = apps.get(first).slice(round, index, plan, true);
				Slice b = apps.get(second).slice(round, index, plan, true);
				slices.add(a);
				slices.add(b);
				Slice plain = (first == AppMode.PLAIN) ? a : b;
				Slice governed = (first == AppMode.PLAIN) ? b : a;
				pairs.add(new Pair(round, index, first, plain.requestsPerSecond(), governed.requestsPerSecond(),
						plain.cpuMicrosPerRequest(), governed.cpuMicrosPerRequest()));
			}
			List<HttpRound> rounds = new ArrayList<>();
			for (AppMode mode : order) {
				App app = apps.get(mode);
				HttpRound.HealthCost health = HttpRound.HealthCost.measure(app.redis, app.process.port(), plan);
				rounds.add(app.result(round, health));
			}
			return new Result(rounds, slices, pairs);
		}
		finally {
			apps.values().forEach((app) -> app.process.close());
		}
	}

	private static void warmUp(Map<AppMode, App> apps, List<AppMode> order, int round, BenchmarkSuite.Plan plan,
			List<Slice> slices) throws InterruptedException {
		double min = plan.warmup().toNanos() / 1e9;
		double max = plan.maxWarmup().toNanos() / 1e9;
		int index = 0;
		while (!(apps.get(AppMode.PLAIN).warm(min, max) && apps.get(AppMode.GOVERNED).warm(min, max))) {
			index++;
			for (AppMode mode : order) {
				App app = apps.get(mode);
				if (!app.warm(min, max)) {
					slices.add(app.slice(round, index, plan, false));
				}
			}
		}
	}

	/** One of the two applications, and what it has done so far. */
	private static final class App {

		final AppMode mode;

		final AppProcess process;

		final RedisServer redis;

		double ready;

		double boot;

		double secondsOfLoad;

		double warmupSeconds;

		final List<Double> warmup = new ArrayList<>();

		final List<Double> measured = new ArrayList<>();

		final List<Double> cpu = new ArrayList<>();

		final List<Long> latencies = new ArrayList<>();

		long failed;

		Map<String, Long> connections = Map.of();

		App(AppMode mode, AppProcess process, RedisServer redis) {
			this.mode = mode;
			this.process = process;
			this.redis = redis;
		}

		/**
		 * Whether the warm-up is over: the maximum reached, or the minimum reached and
		 * the last slice no more than {@link #WARM_WITHIN} above the one before.
		 */
		boolean warm(double min, double max) {
			if (this.secondsOfLoad >= max) {
				return true;
			}
			int n = this.warmup.size();
			return this.secondsOfLoad >= min && n >= 2
					&& this.warmup.get(n - 1) <= WARM_WITHIN * this.warmup.get(n - 2);
		}

		Slice slice(int round, int index, BenchmarkSuite.Plan plan, boolean measure) throws InterruptedException {
			double before = this.secondsOfLoad;
			LoadWindow window = LoadWindow.run(this.process, this.redis, plan.connections(), plan.sliceRamp(),
					plan.slice(), measure ? 1 : 0);
			this.secondsOfLoad += window.seconds();
			if (measure) {
				this.measured.add(window.requestsPerSecond());
				if (!Double.isNaN(window.cpuMicrosPerRequest())) {
					this.cpu.add(window.cpuMicrosPerRequest());
				}
				for (long latency : window.latencies()) {
					this.latencies.add(latency);
				}
				this.failed += window.failed();
				if (HttpRound.total(window.connections()) > HttpRound.total(this.connections)) {
					this.connections = window.connections();
				}
			}
			else {
				this.warmupSeconds += window.seconds();
				this.warmup.add(window.requestsPerSecond());
			}
			return new Slice(this.mode, round, measure ? "measured" : "warm-up", index, before,
					window.requestsPerSecond(), window.cpuMicrosPerRequest());
		}

		HttpRound result(int round, HttpRound.HealthCost health) {
			long[] sorted = this.latencies.stream().mapToLong(Long::longValue).sorted().toArray();
			return new HttpRound(this.mode, round, this.ready, this.boot, this.warmupSeconds,
					Stats.median(this.measured), this.cpu.isEmpty() ? Double.NaN : Stats.median(this.cpu),
					Stats.percentile(sorted, 0.50) / 1e6, Stats.percentile(sorted, 0.99) / 1e6, this.failed,
					this.connections, health);
		}

	}

}
