package io.github.redisgovernor.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.github.redisgovernor.benchmarks.BenchmarkSuite.SuiteResults;
import io.github.redisgovernor.benchmarks.Stats.Spread;
import io.lettuce.core.RedisClient;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.SpringBootVersion;

/**
 * What {@link BenchmarkSuite} prints and writes: the table (medians and ranges, ratios
 * governed to plain), the raw figures as CSV and JSON, and the pictures.
 *
 * @author Redis Governor contributors
 */
final class SuiteReport {

	private static final String[] HEADER = { "measurement", AppMode.PLAIN.label(), AppMode.GOVERNED.label(),
			"governed/plain", "per-request client, or ceiling" };

	/** Every file the suite writes. */
	static final List<String> FILES = List.of("summary.txt", "results.json", "http.csv", "template.csv", "leak.csv",
			"faults.csv", "drain.csv", "http-slices.csv", "http-pairs.csv", "http.png", "template.png", "leak.png",
			"failover.png", "restart.png");

	private static final String WAITING = "calls waiting for a reply, on average (right axis)";

	private final SuiteResults results;

	SuiteReport(SuiteResults results) {
		this.results = results;
	}

	static String describe(HttpRound round, int rounds) {
		String health = (round.health() != null)
				? String.format(Locale.ROOT, "; health polled 10/s: %.1f Redis commands/s (idle %.1f)",
						round.health().polledPerSecond(), round.health().idlePerSecond())
				: "";
		return String.format(Locale.ROOT,
				"http round %d/%d, %s: answered %.2f s after start (Boot: started in %.2f s); %,.0f req/s, "
						+ "%.1f µs of CPU per request, p50 %.2f ms, p99 %.2f ms, %d failed; connections %s%s",
				round.round(), rounds, round.mode().label(), round.readySeconds(), round.bootSeconds(),
				round.requestsPerSecond(), round.cpuMicrosPerRequest(), round.p50Millis(), round.p99Millis(),
				round.failed(), connections(round.connections()), health);
	}

	static String describe(List<HttpSideBySide.Pair> pairs, int rounds) {
		return String.format(Locale.ROOT, "http round %d/%d, governed/plain pair by pair: %s",
				pairs.isEmpty() ? 0 : pairs.get(0).round(), rounds,
				pairs.stream()
					.map((pair) -> String.format(Locale.ROOT, "%,.0f/%,.0f = %.3f (CPU per request %.3f)",
							pair.governed(), pair.plain(), pair.ratio(), pair.cpuRatio()))
					.collect(Collectors.joining("; ")));
	}

	static String describe(TemplateRound round, int rounds) {
		return String.format(Locale.ROOT, "template round %d/%d, %s: %s%s", round.round(), rounds, round.variant(),
				Double.isNaN(round.perSecond()) ? TemplateRound.MISSING
						: String.format(Locale.ROOT, "%,.0f GETs/s", round.perSecond()),
				round.connections().isEmpty() ? "" : "; connections " + connections(round.connections()));
	}

	static String describe(LeakRace race) {
		return String.format(Locale.ROOT, "leak, %s: leakSuspected %s; connected_clients %d after %.0f s",
				race.mode().label(),
				Double.isNaN(race.leakSuspectedSeconds()) ? "never said"
						: String.format(Locale.ROOT, "after %.1f s", race.leakSuspectedSeconds()),
				race.lastConnectedClients(),
				race.samples().isEmpty() ? 0 : race.samples().get(race.samples().size() - 1).seconds());
	}

	static String describe(FaultTimeline timeline) {
		return String.format(Locale.ROOT, "%s, %s: %s; %d calls failed (%d timed out) until then%s%s", timeline.kind(),
				timeline.mode().label(), recovery(timeline), timeline.failed(), timeline.timedOut(),
				Double.isNaN(timeline.recoverySeconds()) ? ", " + timeline.stillWaiting() + " still waiting at the end"
						: "",
				Double.isNaN(timeline.slowestWhileDownMillis()) ? "" : String.format(Locale.ROOT,
						"; slowest call while down %,.0f ms", timeline.slowestWhileDownMillis()));
	}

	private static String recovery(FaultTimeline timeline) {
		return Double.isNaN(timeline.recoverySeconds())
				? String.format(Locale.ROOT, "no successful reply within %.0f s", timeline.observedSeconds())
				: String.format(Locale.ROOT, "first successful reply %.2f s after the %s", timeline.recoverySeconds(),
						timeline.kind().equals("restart") ? "restart" : "failover");
	}

	/**
	 * {@code 2 = (no name) ×2}, instance ids shortened to {@code …}.
	 * @param connections connections by client name
	 * @return the text
	 */
	static String connections(Map<String, Long> connections) {
		Map<String, Long> byApplication = new LinkedHashMap<>();
		connections.forEach((name, count) -> byApplication
			.merge(name.contains(":") ? name.substring(0, name.indexOf(':') + 1) + "…" : name, count, Long::sum));
		return HttpRound.total(connections) + " = "
				+ byApplication.entrySet()
					.stream()
					.map((entry) -> entry.getKey() + " ×" + entry.getValue())
					.collect(Collectors.joining(", "));
	}

	/**
	 * The header and the table, as printed.
	 * @return the text
	 */
	String text() {
		StringBuilder text = new StringBuilder();
		for (String line : header()) {
			text.append(line).append('\n');
		}
		text.append('\n');
		List<String[]> rows = rows();
		int[] widths = new int[HEADER.length];
		for (String[] row : rows) {
			for (int i = 0; i < row.length; i++) {
				widths[i] = Math.max(widths[i], row[i].length());
			}
		}
		for (String[] row : rows) {
			StringBuilder line = new StringBuilder();
			for (int i = 0; i < row.length; i++) {
				line.append(String.format(Locale.ROOT, "%-" + widths[i] + "s", row[i]));
				if (i < row.length - 1) {
					line.append("  ");
				}
			}
			text.append(line.toString().stripTrailing()).append('\n');
		}
		return text.toString();
	}

	private List<String> header() {
		BenchmarkSuite.Plan plan = this.results.plan;
		List<String> lines = new ArrayList<>();
		lines.add(String.format(Locale.ROOT,
				"Redis Governor benchmark suite, %s run, started %s, %.1f minutes; arguments: %s",
				plan.quick() ? "quick" : "full", this.results.startedAt, this.results.minutes,
				this.results.arguments.isEmpty() ? "(none)" : this.results.arguments));
		lines.add("Machine: " + Machine.describe());
		lines.add("Load average (1, 5, 15 min; tasks; last pid) at start: " + this.results.loadAtStart + "; at end: "
				+ this.results.loadAtEnd);
		lines.add("Software: " + this.results.redis + ", Spring Boot " + SpringBootVersion.getVersion() + ", Lettuce "
				+ RedisClient.class.getPackage().getImplementationVersion() + "; each application in a JVM of its own "
				+ "(SoakApplication), the load generator in this one; all on loopback");
		lines.add(String.format(Locale.ROOT,
				"Plan: HTTP %d round(s), %d connections: plain Boot and governed side by side, load in %d s slices "
						+ "alternating between them, %d-%d s of warm-up each, then %d measured pair(s) per round; "
						+ "per-request client %d s warm-up + %d s measured; template %d round(s), %d threads, %d s + %d s; "
						+ "health windows %d s; leak %.0f/s for %d s; faults at %.0f req/s, failover watched %d s, "
						+ "server down %d s; %d SIGTERM round(s) each",
				plan.rounds(), plan.connections(), plan.slice().toSeconds(), plan.warmup().toSeconds(),
				plan.maxWarmup().toSeconds(), plan.pairs(), plan.perRequestWarmup().toSeconds(),
				plan.measure().toSeconds(), plan.templateRounds(), plan.templateThreads(),
				plan.templateWarmup().toSeconds(), plan.templateMeasure().toSeconds(), plan.healthWindow().toSeconds(),
				plan.leakRate(), plan.leakWindow().toSeconds(), plan.faultRate(), plan.failoverWindow().toSeconds(),
				plan.restartDown().toSeconds(), plan.drainRounds()));
		lines.add("Figures: median (min–max) over the rounds; ratios are of the medians, except HTTP requests/s: "
				+ "the median of the measured pairs' ratios.");
		return lines;
	}

	private List<String[]> rows() {
		List<String[]> rows = new ArrayList<>();
		rows.add(HEADER);
		httpRows(rows);
		templateRows(rows);
		leakRows(rows);
		faultRows(rows);
		drainRows(rows);
		return rows;
	}

	private void httpRows(List<String[]> rows) {
		if (this.results.http.isEmpty()) {
			return;
		}
		rows.add(new String[] { "HTTP GET /kv/x, " + this.results.plan.connections() + " connections: requests/s",
				http(AppMode.PLAIN, HttpRound::requestsPerSecond).format("%,.0f"),
				http(AppMode.GOVERNED, HttpRound::requestsPerSecond).format("%,.0f"),
				pairRatios().count() == 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", pairRatios().median()),
				http(AppMode.PER_REQUEST, HttpRound::requestsPerSecond).format("%,.0f") });
		rows.add(new String[] { "  governed/plain, pair by pair (" + this.results.httpPairs.size() + " pairs)", "", "",
				pairRatios().format("%.3f"), "" });
		rows.add(new String[] { "  CPU per request, µs (the application's JVM, all threads)",
				http(AppMode.PLAIN, HttpRound::cpuMicrosPerRequest).format("%.1f"),
				http(AppMode.GOVERNED, HttpRound::cpuMicrosPerRequest).format("%.1f"),
				(cpuRatios().count() == 0) ? "n/a" : String.format(Locale.ROOT, "%.2f", cpuRatios().median()),
				http(AppMode.PER_REQUEST, HttpRound::cpuMicrosPerRequest).format("%,.0f") });
		rows.add(new String[] { "    governed/plain, pair by pair", "", "", cpuRatios().format("%.3f"), "" });
		rows.add(new String[] { "  warm-up before the measured pairs, s of load",
				http(AppMode.PLAIN, HttpRound::warmupSeconds).format("%.0f"),
				http(AppMode.GOVERNED, HttpRound::warmupSeconds).format("%.0f"), "",
				http(AppMode.PER_REQUEST, HttpRound::warmupSeconds).format("%.0f") });
		rows.add(new String[] { "  p50 latency, ms", http(AppMode.PLAIN, HttpRound::p50Millis).format("%.2f"),
				http(AppMode.GOVERNED, HttpRound::p50Millis).format("%.2f"), "",
				http(AppMode.PER_REQUEST, HttpRound::p50Millis).format("%.2f") });
		rows.add(new String[] { "  p99 latency, ms", http(AppMode.PLAIN, HttpRound::p99Millis).format("%.2f"),
				http(AppMode.GOVERNED, HttpRound::p99Millis).format("%.2f"), "",
				http(AppMode.PER_REQUEST, HttpRound::p99Millis).format("%.2f") });
		rows.add(new String[] { "  failed requests (all rounds)", failed(AppMode.PLAIN), failed(AppMode.GOVERNED), "",
				failed(AppMode.PER_REQUEST) });
		rows.add(new String[] { "  connections under that load (CLIENT LIST by name)", httpConnections(AppMode.PLAIN),
				httpConnections(AppMode.GOVERNED), "", httpConnections(AppMode.PER_REQUEST) });
		rows.add(new String[] { "startup: JVM start to first answer, s",
				http(AppMode.PLAIN, HttpRound::readySeconds).format("%.2f"),
				http(AppMode.GOVERNED, HttpRound::readySeconds).format("%.2f"),
				ratio(http(AppMode.GOVERNED, HttpRound::readySeconds), http(AppMode.PLAIN, HttpRound::readySeconds)),
				http(AppMode.PER_REQUEST, HttpRound::readySeconds).format("%.2f") });
		rows.add(new String[] { "  Spring Boot's \"Started ... in\", s",
				http(AppMode.PLAIN, HttpRound::bootSeconds).format("%.2f"),
				http(AppMode.GOVERNED, HttpRound::bootSeconds).format("%.2f"),
				ratio(http(AppMode.GOVERNED, HttpRound::bootSeconds), http(AppMode.PLAIN, HttpRound::bootSeconds)),
				http(AppMode.PER_REQUEST, HttpRound::bootSeconds).format("%.2f") });
		rows.add(new String[] { "health polled 10/s: Redis commands/s",
				health(AppMode.PLAIN, HttpRound.HealthCost::polledPerSecond).format("%.1f"),
				health(AppMode.GOVERNED, HttpRound.HealthCost::polledPerSecond).format("%.1f"), "", "" });
		rows.add(new String[] { "  not polled (background), Redis commands/s",
				health(AppMode.PLAIN, HttpRound.HealthCost::idlePerSecond).format("%.1f"),
				health(AppMode.GOVERNED, HttpRound.HealthCost::idlePerSecond).format("%.1f"), "", "" });
		rows.add(new String[] { "  per health request: (polled - not polled) / 10",
				health(AppMode.PLAIN, HttpRound.HealthCost::perPoll).format("%.2f"),
				health(AppMode.GOVERNED, HttpRound.HealthCost::perPoll).format("%.2f"), "", "" });
	}

	private void templateRows(List<String[]> rows) {
		if (this.results.template.isEmpty()) {
			return;
		}
		Spread ceiling = template(TemplateRound.REDIS_BENCHMARK);
		rows.add(new String[] { "StringRedisTemplate GET, " + this.results.plan.templateThreads() + " threads: GETs/s",
				template(AppMode.PLAIN.label()).format("%,.0f"), template(AppMode.GOVERNED.label()).format("%,.0f"),
				ratio(template(AppMode.GOVERNED.label()), template(AppMode.PLAIN.label())),
				(ceiling.count() == 0) ? "redis-benchmark: " + TemplateRound.MISSING
						: TemplateRound.REDIS_BENCHMARK + ": " + ceiling.format("%,.0f") });
		rows.add(new String[] { "  connections under that load", templateConnections(AppMode.PLAIN),
				templateConnections(AppMode.GOVERNED), "", "" });
	}

	private void leakRows(List<String[]> rows) {
		LeakRace plain = leak(AppMode.PLAIN);
		LeakRace governed = leak(AppMode.GOVERNED);
		if (plain == null && governed == null) {
			return;
		}
		rows.add(new String[] { String.format(Locale.ROOT, "leak, %.0f connections/s: leakSuspected after",
				this.results.plan.leakRate()), leakSuspected(plain), leakSuspected(governed), "", "" });
		rows.add(new String[] {
				String.format(Locale.ROOT, "  connected_clients after %d s",
						this.results.plan.leakWindow().toSeconds()),
				(plain != null) ? Long.toString(plain.lastConnectedClients()) : "",
				(governed != null) ? Long.toString(governed.lastConnectedClients()) : "", "", "" });
	}

	private void faultRows(List<String[]> rows) {
		FaultTimeline plainFailover = fault("failover", AppMode.PLAIN);
		FaultTimeline governedFailover = fault("failover", AppMode.GOVERNED);
		if (plainFailover != null || governedFailover != null) {
			rows.add(new String[] { "silent failover: first successful reply after", recovered(plainFailover),
					recovered(governedFailover), "", "" });
			rows.add(new String[] { "  calls failed until then (timed out)", failedCalls(plainFailover),
					failedCalls(governedFailover), "", "" });
		}
		FaultTimeline plainRestart = fault("restart", AppMode.PLAIN);
		FaultTimeline governedRestart = fault("restart", AppMode.GOVERNED);
		if (plainRestart != null || governedRestart != null) {
			rows.add(
					new String[] {
							"restart, server down " + this.results.plan.restartDown().toSeconds()
									+ " s: slowest call while down",
							slowest(plainRestart), slowest(governedRestart), "", "" });
			rows.add(new String[] { "  first successful reply after the restart", recovered(plainRestart),
					recovered(governedRestart), "", "" });
			rows.add(new String[] { "  calls failed until then (timed out)", failedCalls(plainRestart),
					failedCalls(governedRestart), "", "" });
		}
	}

	private void drainRows(List<String[]> rows) {
		if (this.results.drain.isEmpty()) {
			return;
		}
		rows.add(new String[] { "SIGTERM under load: accepted requests that failed", drainFailed(false),
				drainFailed(true), "", "" });
		rows.add(new String[] { "  other outcomes, not 200 nor refused (resets)", drainOther(false), drainOther(true),
				"", "" });
		rows.add(new String[] { "  SIGTERM to exit, ms", drainExit(false).format("%,.0f"),
				drainExit(true).format("%,.0f"), "", "" });
	}

	private Spread http(AppMode mode, ToDoubleFunction<HttpRound> figure) {
		return Spread.of(this.results.http.stream()
			.filter((round) -> round.mode() == mode)
			.map((round) -> figure.applyAsDouble(round))
			.filter((value) -> !Double.isNaN(value))
			.toList());
	}

	private Spread cpuRatios() {
		return Spread.of(this.results.httpPairs.stream()
			.map(HttpSideBySide.Pair::cpuRatio)
			.filter((ratio) -> !Double.isNaN(ratio))
			.toList());
	}

	private Spread pairRatios() {
		return Spread.of(this.results.httpPairs.stream().map(HttpSideBySide.Pair::ratio).toList());
	}

	private String failed(AppMode mode) {
		List<HttpRound> rounds = this.results.http.stream().filter((round) -> round.mode() == mode).toList();
		return rounds.isEmpty() ? "n/a" : Long.toString(rounds.stream().mapToLong(HttpRound::failed).sum());
	}

	private String httpConnections(AppMode mode) {
		return this.results.http.stream()
			.filter((round) -> round.mode() == mode)
			.max((x, y) -> Long.compare(HttpRound.total(x.connections()), HttpRound.total(y.connections())))
			.map((round) -> "max " + connections(round.connections()))
			.orElse("n/a");
	}

	private Spread health(AppMode mode, ToDoubleFunction<HttpRound.HealthCost> figure) {
		return Spread.of(this.results.http.stream()
			.filter((round) -> round.mode() == mode && round.health() != null)
			.map((round) -> figure.applyAsDouble(round.health()))
			.toList());
	}

	private Spread template(String variant) {
		return Spread.of(this.results.template.stream()
			.filter((round) -> round.variant().equals(variant) && !Double.isNaN(round.perSecond()))
			.map(TemplateRound::perSecond)
			.toList());
	}

	private String templateConnections(AppMode mode) {
		return this.results.template.stream()
			.filter((round) -> round.variant().equals(mode.label()))
			.max((x, y) -> Long.compare(HttpRound.total(x.connections()), HttpRound.total(y.connections())))
			.map((round) -> "max " + connections(round.connections()))
			.orElse("n/a");
	}

	private LeakRace leak(AppMode mode) {
		return this.results.leak.stream().filter((race) -> race.mode() == mode).findFirst().orElse(null);
	}

	private String leakSuspected(LeakRace race) {
		if (race == null) {
			return "";
		}
		if (!Double.isNaN(race.leakSuspectedSeconds())) {
			return String.format(Locale.ROOT, "%.1f s", race.leakSuspectedSeconds());
		}
		return race.mode().governed() ? "not within " + this.results.plan.leakWindow().toSeconds() + " s"
				: "never (nothing watches)";
	}

	private FaultTimeline fault(String kind, AppMode mode) {
		return this.results.faults.stream()
			.filter((timeline) -> timeline.kind().equals(kind) && timeline.mode() == mode)
			.findFirst()
			.orElse(null);
	}

	private static String recovered(FaultTimeline timeline) {
		if (timeline == null) {
			return "";
		}
		return Double.isNaN(timeline.recoverySeconds())
				? String.format(Locale.ROOT, "none within %.0f s", timeline.observedSeconds())
				: String.format(Locale.ROOT, "%.2f s", timeline.recoverySeconds());
	}

	private static String failedCalls(FaultTimeline timeline) {
		if (timeline == null) {
			return "";
		}
		return timeline.failed() + " (" + timeline.timedOut() + ")"
				+ (Double.isNaN(timeline.recoverySeconds()) ? "; " + timeline.stillWaiting() + " still waiting" : "");
	}

	private static String slowest(FaultTimeline timeline) {
		return (timeline != null) ? String.format(Locale.ROOT, "%,.0f ms", timeline.slowestWhileDownMillis()) : "";
	}

	private String drainFailed(boolean governed) {
		List<SigtermUnderLoad.Result> rounds = drain(governed);
		if (rounds.stream().anyMatch((result) -> result.failedAccepted() < 0)) {
			return "unknown (the application did not say)";
		}
		return rounds.stream().mapToLong(SigtermUnderLoad.Result::failedAccepted).sum() + " of "
				+ rounds.stream().mapToLong(SigtermUnderLoad.Result::entered).sum() + " (" + rounds.size()
				+ " round(s))";
	}

	private String drainOther(boolean governed) {
		return Long.toString(drain(governed).stream().mapToLong(SigtermUnderLoad.Result::other).sum());
	}

	private Spread drainExit(boolean governed) {
		return Spread.of(drain(governed).stream().map(SigtermUnderLoad.Result::exitMillis).toList());
	}

	private List<SigtermUnderLoad.Result> drain(boolean governed) {
		return this.results.drain.stream().filter((result) -> result.governed() == governed).toList();
	}

	private static String ratio(Spread numerator, Spread denominator) {
		if (numerator.count() == 0 || denominator.count() == 0) {
			return "n/a";
		}
		return String.format(Locale.ROOT, "%.2f", numerator.median() / denominator.median());
	}

	/**
	 * Writes {@code summary.txt}, the CSV files, {@code results.json} and the pictures.
	 * @param dir the folder, created if need be
	 * @throws IOException when a file cannot be written
	 */
	void write(Path dir) throws IOException {
		Files.createDirectories(dir);
		for (String file : FILES) {
			Files.deleteIfExists(dir.resolve(file)); // what an earlier run left: one run
														// per folder
		}
		Files.writeString(dir.resolve("summary.txt"), text());
		writeCsv(dir);
		JsonMapper.builder()
			.enable(SerializationFeature.INDENT_OUTPUT)
			.build()
			.writeValue(dir.resolve("results.json").toFile(), json());
		writeCharts(dir);
	}

	private Map<String, Object> json() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("arguments", this.results.arguments);
		json.put("startedAt", this.results.startedAt.toString());
		json.put("minutes", this.results.minutes);
		json.put("machine", Machine.describe());
		json.put("loadAverageAtStart", this.results.loadAtStart);
		json.put("loadAverageAtEnd", this.results.loadAtEnd);
		json.put("redis", this.results.redis);
		json.put("springBoot", SpringBootVersion.getVersion());
		json.put("plan", this.results.plan);
		json.put("http", this.results.http);
		json.put("httpSlices", this.results.httpSlices);
		json.put("httpPairs", this.results.httpPairs);
		json.put("template", this.results.template);
		json.put("leak", this.results.leak);
		json.put("faults", this.results.faults);
		json.put("drain", this.results.drain);
		return json;
	}

	private void writeCsv(Path dir) throws IOException {
		csv(dir, "http.csv",
				"mode,round,ready_s,boot_started_s,warmup_s,requests_per_s,cpu_us_per_request,p50_ms,p99_ms,failed,"
						+ "connections,"
						+ "connections_by_name,health_polled_commands_per_s,health_idle_commands_per_s,health_polls",
				this.results.http, (round) -> {
					HttpRound.HealthCost health = round.health();
					return Stream
						.of(String.format(Locale.ROOT, "%s,%d,%.3f,%.3f,%.1f,%.1f,%.2f,%.3f,%.3f,%d,%d,%s,%s,%s,%s",
								round.mode().label(), round.round(), round.readySeconds(), round.bootSeconds(),
								round.warmupSeconds(), round.requestsPerSecond(), round.cpuMicrosPerRequest(),
								round.p50Millis(), round.p99Millis(), round.failed(),
								HttpRound.total(round.connections()), quote(round.connections().toString()),
								(health != null) ? String.format(Locale.ROOT, "%.2f", health.polledPerSecond()) : "",
								(health != null) ? String.format(Locale.ROOT, "%.2f", health.idlePerSecond()) : "",
								(health != null) ? Long.toString(health.polls()) : ""));
				});
		csv(dir, "http-slices.csv", "round,mode,phase,index,seconds_of_load_before,requests_per_s,cpu_us_per_request",
				this.results.httpSlices,
				(slice) -> Stream.of(String.format(Locale.ROOT, "%d,%s,%s,%d,%.1f,%.1f,%.2f", slice.round(),
						slice.mode().label(), slice.phase(), slice.index(), slice.secondsOfLoad(),
						slice.requestsPerSecond(), slice.cpuMicrosPerRequest())));
		csv(dir, "http-pairs.csv",
				"round,pair,first,plain_requests_per_s,governed_requests_per_s,governed_over_plain,"
						+ "plain_cpu_us_per_request,governed_cpu_us_per_request,cpu_governed_over_plain",
				this.results.httpPairs,
				(pair) -> Stream.of(String.format(Locale.ROOT, "%d,%d,%s,%.1f,%.1f,%.4f,%.2f,%.2f,%.4f", pair.round(),
						pair.index(), pair.first().label(), pair.plain(), pair.governed(), pair.ratio(),
						pair.plainCpu(), pair.governedCpu(), pair.cpuRatio())));
		csv(dir, "template.csv", "round,variant,gets_per_s,connections,connections_by_name", this.results.template,
				(round) -> Stream.of(String.format(Locale.ROOT, "%d,%s,%.1f,%d,%s", round.round(), round.variant(),
						round.perSecond(), HttpRound.total(round.connections()),
						quote(round.connections().toString()))));
		csv(dir, "leak.csv", "mode,seconds,connected_clients,leak_suspected,requests_so_far", this.results.leak,
				(race) -> race.samples()
					.stream()
					.map((sample) -> String.format(Locale.ROOT, "%s,%.2f,%d,%s,%d", race.mode().label(),
							sample.seconds(), sample.connectedClients(), sample.leakSuspected(),
							sample.leakedSoFar())));
		csv(dir, "faults.csv", "fault,mode,seconds,succeeded_per_s,failed_per_s,timed_out_per_s,waiting",
				this.results.faults,
				(timeline) -> timeline.buckets()
					.stream()
					.map((bucket) -> String.format(Locale.ROOT, "%s,%s,%.1f,%.0f,%.0f,%.0f,%.2f", timeline.kind(),
							timeline.mode().label(), bucket.seconds(), bucket.succeeded(), bucket.failed(),
							bucket.timedOut(), bucket.waiting())));
		csv(dir, "drain.csv", "mode,exit_code,sigterm_to_exit_ms,outcomes,other,entered,completed,failed_accepted",
				this.results.drain,
				(result) -> Stream.of(String.format(Locale.ROOT, "%s,%s,%d,%s,%d,%d,%d,%d",
						result.governed() ? AppMode.GOVERNED.label() : AppMode.PLAIN.label(), result.exitCode(),
						result.exitMillis(), quote(result.outcomes().toString()), result.other(), result.entered(),
						result.completed(), result.failedAccepted())));
	}

	/** One CSV file: the header, then the lines of each item; none without items. */
	private static <T> void csv(Path dir, String file, String header, List<T> items, Function<T, Stream<String>> lines)
			throws IOException {
		if (items.isEmpty()) {
			return;
		}
		List<String> all = new ArrayList<>();
		all.add(header);
		items.forEach((item) -> lines.apply(item).forEach(all::add));
		Files.write(dir.resolve(file), all);
	}

	private static String quote(String text) {
		return "\"" + text.replace("\"", "\"\"") + "\"";
	}

	private void writeCharts(Path dir) throws IOException {
		int rounds = this.results.plan.rounds();
		List<String> categories = IntStream.rangeClosed(1, rounds).mapToObj((round) -> "round " + round).toList();
		if (!this.results.httpSlices.isEmpty()) {
			Map<String, double[][]> slices = new LinkedHashMap<>();
			List<java.awt.Color> colors = new ArrayList<>();
			for (int round = 1; round <= rounds; round++) {
				for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
					int r = round;
					List<HttpSideBySide.Slice> these = this.results.httpSlices.stream()
						.filter((slice) -> slice.round() == r && slice.mode() == mode)
						.toList();
					slices.put(mode.label() + ", round " + round,
							new double[][] {
									these.stream()
										.mapToDouble((slice) -> slice.secondsOfLoad()
												+ this.results.plan.sliceRamp().toSeconds())
										.toArray(),
									these.stream().mapToDouble(HttpSideBySide.Slice::requestsPerSecond).toArray() });
					boolean governed = mode == AppMode.GOVERNED;
					colors.add((round % 2 == 1) ? (governed ? Charts.GREEN : Charts.BLUE)
							: (governed ? Charts.LIGHT_GREEN : Charts.LIGHT_BLUE));
				}
			}
			XYChart perSlice = Charts.lines(
					"HTTP GET /kv/x, " + this.results.plan.connections()
							+ " connections: requests/s per slice, warm-up then measured pairs",
					"seconds of load on the application", "requests/s", slices, colors.toArray(java.awt.Color[]::new));
			Map<String, List<Double>> ratios = new LinkedHashMap<>();
			ratios.put("requests/s, governed/plain",
					this.results.httpPairs.stream().map(HttpSideBySide.Pair::ratio).toList());
			ratios.put("CPU per request, governed/plain",
					this.results.httpPairs.stream().map(HttpSideBySide.Pair::cpuRatio).toList());
			List<String> pairs = this.results.httpPairs.stream()
				.map((pair) -> "r" + pair.round() + " p" + pair.index())
				.toList();
			CategoryChart perPair = Charts.bars(String.format(Locale.ROOT,
					"governed/plain, each measured pair: requests/s (median %.3f), CPU per request (median %.3f)",
					pairRatios().median(), cpuRatios().median()), "governed/plain", pairs, ratios, Charts.GREEN,
					Charts.ORANGE);
			// Around 1, where the differences are: bars start from the axis's bottom.
			double lowest = Math.min(pairRatios().min(), (cpuRatios().count() > 0) ? cpuRatios().min() : 1);
			double highest = Math.max(pairRatios().max(), (cpuRatios().count() > 0) ? cpuRatios().max() : 1);
			perPair.getStyler().setYAxisMin(Math.min(0.8, Math.floor(lowest * 20) / 20));
			perPair.getStyler().setYAxisMax(Math.max(1.2, Math.ceil(highest * 20) / 20));
			Map<String, List<Double>> latency = new LinkedHashMap<>();
			for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
				latency.put(mode.label() + " p50", perRound(mode, HttpRound::p50Millis));
				latency.put(mode.label() + " p99", perRound(mode, HttpRound::p99Millis));
			}
			Charts.save(dir.resolve("http.png"),
					List.of(perSlice, perPair,
							Charts.bars("Latency over the measured slices, plain Boot and governed", "ms", categories,
									latency, Charts.LIGHT_BLUE, Charts.BLUE, Charts.LIGHT_GREEN, Charts.GREEN)));
		}
		categories = IntStream.rangeClosed(1, this.results.plan.templateRounds())
			.mapToObj((round) -> "round " + round)
			.toList();
		if (!this.results.template.isEmpty()) {
			Map<String, List<Double>> series = new LinkedHashMap<>();
			for (String variant : List.of(AppMode.PLAIN.label(), AppMode.GOVERNED.label(),
					TemplateRound.REDIS_BENCHMARK)) {
				series.put(variant,
						IntStream.rangeClosed(1, this.results.plan.templateRounds())
							.mapToObj((round) -> this.results.template.stream()
								.filter((r) -> r.round() == round && r.variant().equals(variant))
								.mapToDouble(TemplateRound::perSecond)
								.findFirst()
								.orElse(Double.NaN))
							.toList());
			}
			Charts.save(dir.resolve("template.png"),
					List.of(Charts.bars(
							"StringRedisTemplate GET from " + this.results.plan.templateThreads()
									+ " threads in a Boot context; redis-benchmark -c 50",
							"GETs/s", categories, series, Charts.BLUE, Charts.GREEN, Charts.GREY)));
		}
		if (!this.results.leak.isEmpty()) {
			Map<String, double[][]> series = new LinkedHashMap<>();
			for (LeakRace race : this.results.leak) {
				series.put(race.mode().label() + ", leaking",
						new double[][] { race.samples().stream().mapToDouble(LeakRace.Sample::seconds).toArray(),
								race.samples().stream().mapToDouble(LeakRace.Sample::connectedClients).toArray() });
			}
			XYChart chart = Charts.lines(
					String.format(Locale.ROOT, "A connection leaked per request, %.0f requests/s: the server's clients",
							this.results.plan.leakRate()),
					"seconds since the leak started", "connected_clients", series,
					this.results.leak.stream()
						.map((race) -> race.mode().governed() ? Charts.GREEN : Charts.BLUE)
						.toArray(java.awt.Color[]::new));
			double top = this.results.leak.stream().mapToLong(LeakRace::lastConnectedClients).max().orElse(1);
			for (LeakRace race : this.results.leak) {
				if (!Double.isNaN(race.leakSuspectedSeconds())) {
					Charts.mark(chart, race.leakSuspectedSeconds(), top * 0.9, String.format(Locale.ROOT,
							"%s: leakSuspected at %.1f s", race.mode().label(), race.leakSuspectedSeconds()));
				}
			}
			Charts.save(dir.resolve("leak.png"), List.of(chart));
		}
		for (String kind : List.of("failover", "restart")) {
			List<XYChart> charts = new ArrayList<>();
			for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
				FaultTimeline timeline = fault(kind, mode);
				if (timeline != null) {
					charts.add(faultChart(timeline));
				}
			}
			if (!charts.isEmpty()) {
				Charts.save(dir.resolve(kind + ".png"), charts);
			}
		}
	}

	private XYChart faultChart(FaultTimeline timeline) {
		List<FaultTimeline.Bucket> buckets = timeline.buckets();
		double[] x = buckets.stream().mapToDouble(FaultTimeline.Bucket::seconds).toArray();
		Map<String, double[][]> series = new LinkedHashMap<>();
		series.put("succeeded/s",
				new double[][] { x, buckets.stream().mapToDouble(FaultTimeline.Bucket::succeeded).toArray() });
		series.put("failed/s",
				new double[][] { x, buckets.stream().mapToDouble(FaultTimeline.Bucket::failed).toArray() });
		series.put("timed out/s (10 s)",
				new double[][] { x, buckets.stream().mapToDouble(FaultTimeline.Bucket::timedOut).toArray() });
		series.put(WAITING,
				new double[][] { x, buckets.stream().mapToDouble(FaultTimeline.Bucket::waiting).toArray() });
		boolean restart = timeline.kind().equals("restart");
		XYChart chart = Charts.lines(
				timeline.mode().label() + ": "
						+ (restart ? String.format(Locale.ROOT, "server stopped at 0 s, restarted at %.1f s",
								timeline.faultSeconds()) : "silent failover at 0 s")
						+ ", " + recovery(timeline),
				"seconds since the " + (restart ? "server stopped" : "failover"), "calls/s", series, Charts.GREEN,
				Charts.RED, Charts.ORANGE, Charts.GREY);
		Charts.rightAxis(chart, WAITING, "calls waiting");
		double top = 1.15 * buckets.stream()
			.mapToDouble((b) -> Math.max(b.succeeded(), Math.max(b.failed(), b.timedOut())))
			.max()
			.orElse(this.results.plan.faultRate());
		chart.getStyler().setYAxisMax(0, top);
		chart.getStyler().setYAxisMin(0, 0.0);
		chart.getStyler().setYAxisMax(1, FaultTimeline.CALLERS * 1.15);
		chart.getStyler().setYAxisMin(1, 0.0);
		Charts.mark(chart, 0, top * 0.95, restart ? "stopped" : "failover");
		if (restart) {
			Charts.mark(chart, timeline.faultSeconds(), top * 0.85, "restarted");
		}
		return chart;
	}

	private List<Double> perRound(AppMode mode, ToDoubleFunction<HttpRound> figure) {
		return IntStream.rangeClosed(1, this.results.plan.rounds())
			.mapToObj((round) -> this.results.http.stream()
				.filter((r) -> r.mode() == mode && r.round() == round)
				.mapToDouble(figure)
				.findFirst()
				.orElse(Double.NaN))
			.toList();
	}

}
