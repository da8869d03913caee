package io.github.redisgovernor.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

import io.github.redisgovernor.test.redis.RedisServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The soak's CI mode ({@code Soak --ci}): a short, bounded run that fails the build when
 * the governed application's connections, heap or threads grow under steady load.
 * <p>
 * It starts its own {@code redis-server} (loopback, test fixture) and
 * {@link SoakApplication}, drives {@code GET}/{@code PUT /kv/{key}} at a steady rate, and
 * every few seconds samples {@code CLIENT LIST} (connections named
 * {@code soak:<instance-id>}, the governed ones, and the rest), the server's
 * {@code connected_clients}, the app's {@code redis.governor.connections.open} gauge, the
 * heap right after a forced GC (the memory pools' usage after collection) and the JVM's
 * live threads. Samples of the warm-up are printed but not judged; the rest are cut in
 * thirds and the program exits {@code 1} when, after the warm-up:
 * <ul>
 * <li>any sample shows more than one governed connection for the instance (by name, or by
 * the gauge);</li>
 * <li>the median of {@code connected_clients} over the last third exceeds the first
 * third's by more than {@value #CONNECTED_CLIENTS_BOUND};</li>
 * <li>the median heap after GC over the last third exceeds the first third's by more than
 * {@value #HEAP_BOUND_MB} MB;</li>
 * <li>the median thread count over the last third exceeds the first third's by more than
 * twice the number of callers;</li>
 * <li>more than 1% of the requests failed, or there were too few samples to judge.</li>
 * </ul>
 * <p>
 * Run it with {@code -XX:SoftRefLRUPolicyMSPerMB=0}, as {@code .ci/run} does: every
 * forced GC then clears the soft references (Spring's caches, the JDK's reflection data),
 * so the figure is what is strongly held. Without it, soft references held since startup
 * are cleared at one GC some 100 s into the run (free heap in MB times 1 s, with the C1
 * only JIT that {@code spring-boot:run} uses), a one-off drop of about 3 MB that can hide
 * that much growth; the program says so when the flag is missing.
 * <p>
 * Arguments (all optional): {@code --warmup=30s}, {@code --duration=150s} (judged part),
 * {@code --interval=5s}, {@code --rate=1000}, {@code --callers=16},
 * {@code --out=target/soak-ci.txt}, and, to prove that it fails,
 * {@code --inject-leak=connections|heap} with {@code --leak-every=2000} or
 * {@code --leak-bytes=48} (see {@link SoakApplication.LeakInjector}).
 *
 * @author Redis Governor contributors
 */
final class CiSoak {

	/** The application name, hence the prefix of the governed connection's name. */
	static final String APPLICATION = "soak";

	static final long CONNECTED_CLIENTS_BOUND = 2;

	static final long HEAP_BOUND_MB = 2;

	private static final long MB = 1024 * 1024;

	private CiSoak() {
	}

	static int run(Options options) throws Exception {
		Duration warmup = options.duration("warmup", "30s");
		Duration duration = options.duration("duration", "150s");
		Duration interval = options.duration("interval", "5s");
		int rate = options.integer("rate", 1000);
		int callers = options.integer("callers", 16);
		Path out = Path.of(options.string("out", "target/soak-ci.txt"));
		String leak = options.string("inject-leak", "none");
		System.out.printf(Locale.ROOT,
				"CI soak: %ds warm-up + %ds judged at %d req/s from %d callers, sampling every %ds, injected leak: %s%n",
				warmup.toSeconds(), duration.toSeconds(), rate, callers, interval.toSeconds(), leak);
		List<Sample> samples;
		String leaked;
		String environment;
		try (RedisServer redis = RedisServer.start()) {
			ConfigurableApplicationContext app = new SpringApplicationBuilder(SoakApplication.class)
				.properties("server.port=0", "server.address=127.0.0.1", "spring.data.redis.host=127.0.0.1",
						"spring.data.redis.port=" + redis.port(), "redis.governor.application=" + APPLICATION,
						"spring.main.banner-mode=off", "logging.level.root=WARN",
						"logging.level.io.github.redisgovernor=INFO", "soak.inject-leak=" + leak,
						"soak.leak-every=" + options.integer("leak-every", 2000),
						"soak.leak-bytes=" + options.integer("leak-bytes", 48))
				.run();
			try {
				int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
				environment = "redis-server " + redis.version() + " (" + redis.source() + ") on port " + redis.port()
						+ ", application on http://127.0.0.1:" + port + ", JVM " + System.getProperty("java.version")
						+ ", " + Runtime.getRuntime().availableProcessors() + " CPUs, max heap "
						+ Runtime.getRuntime().maxMemory() / MB + " MB, GC "
						+ ManagementFactory.getGarbageCollectorMXBeans()
							.stream()
							.map((gc) -> gc.getName())
							.collect(Collectors.joining(", "));
				System.out.println(environment);
				String softReferences = Machine.vmOption("SoftRefLRUPolicyMSPerMB");
				if (!"0".equals(softReferences)) {
					environment += "\n# NOTE: -XX:SoftRefLRUPolicyMSPerMB is " + softReferences
							+ ", not 0: soft references kept since startup may be cleared mid-run, "
							+ "a one-off drop of the heap of about 3 MB (see docs/soak.md)";
					System.out.println(environment.substring(environment.indexOf("# NOTE")));
				}
				MeterRegistry registry = app.getBeanProvider(MeterRegistry.class).getIfAvailable();
				samples = load(redis, registry, port, warmup, duration, interval, rate, callers);
				leaked = app.getBean(SoakApplication.LeakInjector.class).leaked();
			}
			finally {
				app.close();
			}
		}
		List<String> report = new ArrayList<>();
		report.add("# " + environment);
		report.add(String.format(Locale.ROOT, "# %ds warm-up + %ds judged, %d req/s from %d callers, every %ds",
				warmup.toSeconds(), duration.toSeconds(), rate, callers, interval.toSeconds()));
		report.add("# injected leak: " + leak + "; leaked: " + leaked);
		report.add(Sample.HEADER);
		samples.forEach((sample) -> report.add(sample.row()));
		List<String> verdict = verdict(samples, callers);
		report.addAll(verdict);
		System.out.println();
		report.forEach(System.out::println);
		if (out.getParent() != null) {
			Files.createDirectories(out.getParent());
		}
		Files.write(out, report);
		System.out.println("Raw figures written to " + out.toAbsolutePath());
		return verdict.get(verdict.size() - 1).startsWith("CI SOAK PASSED") ? 0 : 1;
	}

	private static List<Sample> load(RedisServer redis, MeterRegistry registry, int port, Duration warmup,
			Duration duration, Duration interval, int rate, int callers) throws Exception {
		double warmupSeconds = warmup.toNanos() / 1e9;
		return Soak.underLoad(port, rate, callers, warmup.plus(duration), interval, Sample.HEADER,
				(elapsed, answered, perSecond, errors) -> sample(redis, registry, elapsed, elapsed >= warmupSeconds,
						answered, perSecond, errors),
				Sample::row);
	}

	private static Sample sample(RedisServer redis, MeterRegistry registry, double elapsedSeconds, boolean judged,
			long requests, double requestsPerSecond, long errors) {
		Map<String, Long> clients = ServerInfo.clientsByName(redis);
		long governed = clients.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().startsWith(APPLICATION + ":"))
			.mapToLong(Map.Entry::getValue)
			.max()
			.orElse(0);
		long others = clients.entrySet()
			.stream()
			.filter((entry) -> !entry.getKey().startsWith(APPLICATION + ":"))
			.mapToLong(Map.Entry::getValue)
			.sum();
		long connectedClients = ServerInfo.connectedClients(redis);
		double open = Double.NaN;
		if (registry != null) {
			Gauge gauge = registry.find("redis.governor.connections.open").gauge();
			open = (gauge != null) ? gauge.value() : Double.NaN;
		}
		System.gc();
		long heapAfterGc = heapAfterGc();
		int threads = ManagementFactory.getThreadMXBean().getThreadCount();
		return new Sample(elapsedSeconds, judged, governed, others, connectedClients, open, heapAfterGc, threads,
				requests, requestsPerSecond, errors);
	}

	/**
	 * The heap in use right after the last collection, the sum over the heap pools of
	 * their usage after collection: after {@code System.gc()} that is the live set,
	 * whatever the load threads allocate while this thread reads it. Falls back to the
	 * heap used now if no pool reports it.
	 */
	private static long heapAfterGc() {
		long sum = 0;
		boolean reported = false;
		for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
			if (pool.getType() == MemoryType.HEAP) {
				MemoryUsage usage = pool.getCollectionUsage();
				if (usage != null) {
					sum += usage.getUsed();
					reported = true;
				}
			}
		}
		return reported ? sum : ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static List<String> verdict(List<Sample> samples, int callers) {
		List<String> lines = new ArrayList<>();
		List<Sample> judged = samples.stream().filter(Sample::judged).toList();
		int third = judged.size() / 3;
		if (third < 3) {
			lines.add("CI SOAK FAILED: INCONCLUSIVE, " + judged.size()
					+ " samples after the warm-up, at least 9 are needed (3 a third); run longer.");
			return lines;
		}
		List<Sample> first = judged.subList(0, third);
		List<Sample> last = judged.subList(judged.size() - third, judged.size());
		lines.add("");
		lines.add(String.format(Locale.ROOT,
				"Judged: %d samples after the warm-up; first third %.0fs..%.0fs, "
						+ "last third %.0fs..%.0fs (medians compared)",
				judged.size(), first.get(0).elapsedSeconds(), first.get(third - 1).elapsedSeconds(),
				last.get(0).elapsedSeconds(), last.get(third - 1).elapsedSeconds()));
		List<String> failures = new ArrayList<>();

		long governedMax = judged.stream().mapToLong(Sample::governed).max().orElse(0);
		double openMax = judged.stream().mapToDouble(Sample::open).filter((v) -> !Double.isNaN(v)).max().orElse(0);
		boolean governedOk = governedMax <= 1 && openMax <= 1;
		lines
			.add(check(governedOk,
					String.format(Locale.ROOT,
							"governed connections per instance: max %d by CLIENT LIST name, max %.0f by "
									+ "redis.governor.connections.open (bound: 1 at every sample)",
							governedMax, openMax)));
		if (!governedOk) {
			failures.add("the instance held more than one governed connection");
		}

		double clientsFirst = median(first, Sample::connectedClients);
		double clientsLast = median(last, Sample::connectedClients);
		boolean clientsOk = clientsLast - clientsFirst <= CONNECTED_CLIENTS_BOUND;
		lines.add(check(clientsOk,
				String.format(Locale.ROOT,
						"connected_clients: median %.0f -> %.0f (%+.0f; bound: +%d), other clients %.0f -> %.0f",
						clientsFirst, clientsLast, clientsLast - clientsFirst, CONNECTED_CLIENTS_BOUND,
						median(first, Sample::others), median(last, Sample::others))));
		if (!clientsOk) {
			failures.add("the server's connected_clients grew");
		}

		double heapFirst = median(first, Sample::heapAfterGc) / MB;
		double heapLast = median(last, Sample::heapAfterGc) / MB;
		double minutes = (median(last, Sample::elapsedSeconds) - median(first, Sample::elapsedSeconds)) / 60;
		boolean heapOk = heapLast - heapFirst <= HEAP_BOUND_MB;
		lines.add(check(heapOk,
				String.format(Locale.ROOT,
						"heap after GC: median %.1f MB -> %.1f MB (%+.2f MB in %.1f min, %+.2f MB/min; bound: +%d MB); "
								+ "least-squares slope over the judged samples %+.2f MB/min",
						heapFirst, heapLast, heapLast - heapFirst, minutes, (heapLast - heapFirst) / minutes,
						HEAP_BOUND_MB, slope(judged, Sample::heapAfterGc) * 60 / MB)));
		if (!heapOk) {
			failures.add("the heap after GC grew");
		}

		double threadsFirst = median(first, Sample::threads);
		double threadsLast = median(last, Sample::threads);
		boolean threadsOk = threadsLast - threadsFirst <= 2 * callers;
		lines.add(check(threadsOk, String.format(Locale.ROOT, "threads: median %.0f -> %.0f (%+.0f; bound: +%d)",
				threadsFirst, threadsLast, threadsLast - threadsFirst, 2 * callers)));
		if (!threadsOk) {
			failures.add("the JVM's threads grew");
		}

		long requests = samples.stream().mapToLong(Sample::requests).sum();
		long errors = samples.stream().mapToLong(Sample::errors).sum();
		boolean errorsOk = errors <= (requests + errors) / 100;
		lines.add(check(errorsOk,
				String.format(Locale.ROOT,
						"requests: %d answered, %d failed (bound: 1%%), %.0f req/s on average after the warm-up",
						requests, errors, judged.stream().mapToDouble(Sample::requestsPerSecond).average().orElse(0))));
		if (!errorsOk) {
			failures.add("more than 1% of the requests failed");
		}
		lines.add(failures.isEmpty() ? "CI SOAK PASSED: connections, heap and threads flat after the warm-up"
				: "CI SOAK FAILED: " + String.join("; ", failures));
		return lines;
	}

	private static String check(boolean ok, String text) {
		return "  " + (ok ? "ok    " : "FAILED") + " " + text;
	}

	private static double median(List<Sample> samples, ToDoubleFunction<Sample> figure) {
		return Stats.median(samples.stream().mapToDouble(figure).toArray());
	}

	/** Least-squares slope of a figure against elapsed seconds (reported, not judged). */
	private static double slope(List<Sample> samples, ToDoubleFunction<Sample> figure) {
		return Stats.slope(samples.stream().mapToDouble(Sample::elapsedSeconds).toArray(),
				samples.stream().mapToDouble(figure).toArray());
	}

	record Sample(double elapsedSeconds, boolean judged, long governed, long others, long connectedClients, double open,
			long heapAfterGc, int threads, long requests, double requestsPerSecond, long errors) {

		static final String HEADER = String.format(Locale.ROOT, "%7s %6s %8s %6s %8s %5s %12s %7s %8s %7s %6s", "t(s)",
				"phase", "governed", "other", "clients", "open", "heap_gc(B)", "heap_MB", "threads", "req/s", "errors");

		String row() {
			return String.format(Locale.ROOT, "%7.1f %6s %8d %6d %8d %5.0f %12d %7.2f %8d %7.0f %6d",
					this.elapsedSeconds, this.judged ? "judged" : "warmup", this.governed, this.others,
					this.connectedClients, this.open, this.heapAfterGc, this.heapAfterGc / (double) MB, this.threads,
					this.requestsPerSecond, this.errors);
		}

	}

}
