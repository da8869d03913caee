package io.github.redisgovernor.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import io.github.redisgovernor.test.redis.RedisServer;

/**
 * The benchmark suite: plain Spring Boot, the governed application and the per-request
 * client anti-pattern ({@link AppMode}), in one sitting, on loopback, against
 * {@code redis-server}s of its own, bounded in time (about 13 minutes on 2 cores; 3 with
 * {@code --quick}). The modes take turns (plain and governed slice by slice, the
 * per-request client after them) so that the machine's noise hits them alike, and each
 * repeated figure is reported as its median and its range.
 * <p>
 * What it measures, in this order:
 * <ol>
 * <li>{@code http}: for each round, fresh JVMs of plain Boot and the governed
 * application, side by side, each against a server of its own: the time to the first
 * answer; {@code GET /kv/x} from 50 connections back to back, in slices that alternate
 * between the two, warm-up first, then measured pairs (requests a second, p50, p99, and
 * the ratio of each pair); the connections each holds under that load
 * ({@code CLIENT LIST} by name); and, load stopped, the Redis commands a second while
 * {@code /actuator/health} is polled 10 times a second ({@link HttpSideBySide}); then the
 * per-request client on its own ({@link HttpRound});</li>
 * <li>{@code template}: {@code StringRedisTemplate} GETs from 64 threads inside a Boot
 * context, plain and governed, and {@code redis-benchmark -c 50 -t get} against the same
 * server as the ceiling ({@link TemplateRound});</li>
 * <li>{@code drain}: a real SIGTERM under load ({@link SigtermUnderLoad});</li>
 * <li>{@code leak}: a connection leaked on every request, 20 a second: seconds to
 * {@code leakSuspected}, and {@code connected_clients} over time ({@link LeakRace});</li>
 * <li>{@code failover}: a silent failover behind a proxy, and {@code restart}: the server
 * stopped for 5 s, under paced load: recovery time, slowest call, outcomes over time
 * ({@link FaultTimeline}).</li>
 * </ol>
 * It prints a table and writes the raw figures (CSV, JSON) and pictures (PNG) to
 * {@code --out}: {@code docs/benchmarks/} of the repository for a full run,
 * {@code target/benchmarks-quick/} for {@code --quick}. See docs/benchmarks.md.
 * <p>
 * Arguments (all optional): {@code --quick}, {@code --rounds=2} (HTTP rounds),
 * {@code --pairs=6} (measured pairs per HTTP round), {@code --template-rounds=3},
 * {@code --only=http,template,leak,failover,restart,drain}, {@code --out=DIR}.
 *
 * @author Redis Governor contributors
 */
public final class BenchmarkSuite {

	static final List<String> PARTS = List.of("http", "template", "leak", "failover", "restart", "drain");

	private BenchmarkSuite() {
	}

	public static void main(String[] args) throws Exception {
		System.setProperty("java.awt.headless", "true");
		Options options = Options.parse("BenchmarkSuite", args, "quick", "rounds", "pairs", "template-rounds", "only",
				"out");
		Plan plan = Plan.of(options);
		List<String> parts = options.list("only", String.join(",", PARTS));
		for (String part : parts) {
			if (!PARTS.contains(part)) {
				throw new IllegalArgumentException("--only=" + part + " is not a part of the suite; use any of "
						+ String.join(",", PARTS) + " (--only=http,leak)");
			}
		}
		Path out = Path.of(options.string("out", plan.quick() ? "target/benchmarks-quick" : defaultOut()))
			.toAbsolutePath()
			.normalize();
		SuiteResults results = new SuiteResults(plan, parts, String.join(" ", args), Instant.now(),
				Machine.loadAverage());
		long started = System.nanoTime();
		Progress progress = new Progress(started);
		progress.say("Redis Governor benchmark suite, " + (plan.quick() ? "quick" : "full") + " run (" + plan.rounds()
				+ " HTTP round(s) of " + plan.pairs() + " pair(s), " + plan.templateRounds()
				+ " template round(s)), parts " + parts + "; " + Machine.describe() + "; load average "
				+ results.loadAtStart);
		if (Machine.c1Only()) {
			progress.say("NOTE: this JVM runs C1 only (-XX:TieredStopAtLevel=1): the load generator and the "
					+ "in-process template rounds are slower than they should be; run with "
					+ "-Dspring-boot.run.optimizedLaunch=false (docs/benchmarks.md)");
		}
		try (RedisServer redis = RedisServer.builder().name("suite").start()) {
			results.redis = "redis-server " + redis.version() + " (" + redis.source() + ")";
			if (parts.contains("http")) {
				try (RedisServer governedRedis = RedisServer.builder().name("suite-governed").start()) {
					Map<AppMode, RedisServer> servers = Map.of(AppMode.PLAIN, redis, AppMode.GOVERNED, governedRedis);
					for (int round = 1; round <= plan.rounds(); round++) {
						HttpSideBySide.Result sideBySide = HttpSideBySide.measure(servers, round, plan, progress::say);
						results.http.addAll(sideBySide.rounds());
						results.httpSlices.addAll(sideBySide.slices());
						results.httpPairs.addAll(sideBySide.pairs());
						sideBySide.rounds()
							.forEach((measured) -> progress.say(SuiteReport.describe(measured, plan.rounds())));
						progress.say(SuiteReport.describe(sideBySide.pairs(), plan.rounds()));
						HttpRound perRequest = HttpRound.measure(redis, AppMode.PER_REQUEST, round, plan);
						results.http.add(perRequest);
						progress.say(SuiteReport.describe(perRequest, plan.rounds()));
					}
				}
			}
			if (parts.contains("template")) {
				TemplateRound.warmUpJvm(redis, plan);
				for (int round = 1; round <= plan.templateRounds(); round++) {
					for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
						TemplateRound measured = TemplateRound.measure(redis, mode, round, plan);
						results.template.add(measured);
						progress.say(SuiteReport.describe(measured, plan.templateRounds()));
					}
					TemplateRound ceiling = TemplateRound.redisBenchmark(redis, round, plan.benchmarkRequests());
					results.template.add(ceiling);
					progress.say(SuiteReport.describe(ceiling, plan.templateRounds()));
				}
			}
			if (parts.contains("drain")) {
				for (int round = 1; round <= plan.drainRounds(); round++) {
					for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
						results.drain.add(SigtermUnderLoad.measure(redis, mode.governed()));
						progress.say("drain round " + round + "/" + plan.drainRounds() + ", " + mode.label() + " done");
					}
				}
			}
		}
		if (parts.contains("leak")) {
			for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
				LeakRace race = LeakRace.measure(mode, plan);
				results.leak.add(race);
				progress.say(SuiteReport.describe(race));
			}
		}
		if (parts.contains("failover")) {
			for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
				FaultTimeline timeline = FaultTimeline.failover(mode, plan);
				results.faults.add(timeline);
				progress.say(SuiteReport.describe(timeline));
			}
		}
		if (parts.contains("restart")) {
			for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
				FaultTimeline timeline = FaultTimeline.restart(mode, plan);
				results.faults.add(timeline);
				progress.say(SuiteReport.describe(timeline));
			}
		}
		results.minutes = (System.nanoTime() - started) / 60e9;
		results.loadAtEnd = Machine.loadAverage();
		SuiteReport report = new SuiteReport(results);
		System.out.println();
		System.out.print(report.text());
		report.write(out);
		System.out.println("Raw figures and pictures written to " + out);
		System.exit(0);
	}

	/**
	 * {@code docs/benchmarks} of the repository this runs in (the first folder up from
	 * here with {@code mvnw} and {@code docs/}), else {@code benchmarks-out}.
	 */
	private static String defaultOut() {
		for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
			if (Files.exists(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("docs"))) {
				return dir.resolve("docs").resolve("benchmarks").toString();
			}
		}
		return "benchmarks-out";
	}

	/**
	 * The application arguments, with health details shown (to read {@code redisGovernor}
	 * from {@code /actuator/health}).
	 * @param arguments more arguments
	 * @return all of them
	 */
	static String[] withHealthDetails(String... arguments) {
		return Stream.concat(Stream.of("--management.endpoint.health.show-details=always"), Arrays.stream(arguments))
			.toArray(String[]::new);
	}

	/**
	 * How long each part runs: the full run's defaults, or {@code --quick}'s.
	 * <p>
	 * The HTTP warm-up is long because every round starts fresh JVMs whose JIT compilers
	 * keep making them faster for about a minute under this load: side by side, slices of
	 * a plain and a governed application went from 2,800 to 9,300 requests a second over
	 * their first 50 s of load, then stayed within a few per cent (shared 2-core
	 * machine). The per-request client spends its time building clients, not running
	 * compiled code, and needs less.
	 *
	 * @param quick whether this is the short smoke run
	 * @param rounds HTTP rounds: fresh JVMs of plain Boot and the governed application,
	 * side by side, and one of the per-request client
	 * @param pairs measured pairs of slices per HTTP round
	 * @param templateRounds template rounds
	 * @param connections HTTP connections
	 * @param warmup the least HTTP load before the measured pairs, plain and governed
	 * @param maxWarmup the most HTTP load before the measured pairs, plain and governed
	 * @param slice the measured window of an HTTP slice
	 * @param sliceRamp the load before a slice's measured window
	 * @param perRequestWarmup HTTP warm-up of the per-request client
	 * @param measure HTTP measured window of the per-request client
	 * @param healthWindow each of the two health windows
	 * @param templateThreads template threads
	 * @param templateWarmup template warm-up per round
	 * @param templateMeasure template measured window per round
	 * @param benchmarkRequests {@code redis-benchmark -n}
	 * @param leakRate leaked connections a second
	 * @param leakWindow how long the leak runs
	 * @param faultRate requests a second during the faults
	 * @param faultBefore load before a fault
	 * @param failoverWindow how long after the failover the run goes on
	 * @param restartDown how long the server stays down
	 * @param restartAfter how long after the restart the run goes on
	 * @param drainRounds SIGTERM rounds
	 */
	record Plan(boolean quick, int rounds, int pairs, int templateRounds, int connections, Duration warmup,
			Duration maxWarmup, Duration slice, Duration sliceRamp, Duration perRequestWarmup, Duration measure,
			Duration healthWindow, int templateThreads, Duration templateWarmup, Duration templateMeasure,
			int benchmarkRequests, double leakRate, Duration leakWindow, double faultRate, Duration faultBefore,
			Duration failoverWindow, Duration restartDown, Duration restartAfter, int drainRounds) {

		static Plan of(Options options) {
			boolean quick = options.flag("quick");
			int rounds = atLeastOne(options, "rounds", quick ? 1 : 2);
			int pairs = atLeastOne(options, "pairs", quick ? 1 : 6);
			int templateRounds = atLeastOne(options, "template-rounds", quick ? 1 : 3);
			if (quick) {
				return new Plan(true, rounds, pairs, templateRounds, 50, //
						seconds(2), seconds(4), seconds(2), seconds(1), seconds(1), seconds(3), seconds(2), // HTTP
						64, seconds(1), seconds(2), 50_000, // template, redis-benchmark
						20, seconds(10), // leak
						50, seconds(1), seconds(6), seconds(3), seconds(4), // faults
						1); // SIGTERM
			}
			return new Plan(false, rounds, pairs, templateRounds, 50, //
					seconds(40), seconds(75), seconds(5), seconds(1), seconds(5), seconds(10), seconds(5), // HTTP
					64, seconds(2), seconds(6), 500_000, // template, redis-benchmark
					20, seconds(20), // leak
					50, seconds(3), seconds(20), seconds(5), seconds(8), // faults
					2); // SIGTERM
		}

		private static int atLeastOne(Options options, String name, int otherwise) {
			int value = options.integer(name, otherwise);
			if (value < 1) {
				throw new IllegalArgumentException(
						"--" + name + "=" + value + " is not valid; use 1 or more (--" + name + "=" + otherwise + ")");
			}
			return value;
		}

		private static Duration seconds(long seconds) {
			return Duration.ofSeconds(seconds);
		}

		Duration warmup(AppMode mode) {
			return (mode == AppMode.PER_REQUEST) ? this.perRequestWarmup : this.warmup;
		}

	}

	/** Everything the suite measured, for {@link SuiteReport}. */
	static final class SuiteResults {

		final Plan plan;

		final List<String> parts;

		final String arguments;

		final Instant startedAt;

		final String loadAtStart;

		String loadAtEnd;

		String redis = "redis-server (not started)";

		double minutes;

		final List<HttpRound> http = new ArrayList<>();

		final List<HttpSideBySide.Slice> httpSlices = new ArrayList<>();

		final List<HttpSideBySide.Pair> httpPairs = new ArrayList<>();

		final List<TemplateRound> template = new ArrayList<>();

		final List<LeakRace> leak = new ArrayList<>();

		final List<FaultTimeline> faults = new ArrayList<>();

		final List<SigtermUnderLoad.Result> drain = new ArrayList<>();

		SuiteResults(Plan plan, List<String> parts, String arguments, Instant startedAt, String loadAtStart) {
			this.plan = plan;
			this.parts = parts;
			this.arguments = arguments;
			this.startedAt = startedAt;
			this.loadAtStart = loadAtStart;
		}

	}

	/** Progress lines, each with the time since the start. */
	private record Progress(long started) {

		void say(String line) {
			long seconds = (System.nanoTime() - this.started) / 1_000_000_000L;
			System.out.printf(Locale.ROOT, "[%02d:%02d] %s%n", seconds / 60, seconds % 60, line);
		}

	}

}
