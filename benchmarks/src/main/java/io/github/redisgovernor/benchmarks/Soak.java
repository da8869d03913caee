package io.github.redisgovernor.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import io.github.redisgovernor.benchmarks.HttpConnection.Request;
import io.github.redisgovernor.test.redis.RedisServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Soak program: runs {@link SoakApplication} (Spring Boot plus the governor starter)
 * against a real {@code redis-server} under steady HTTP load for a bounded time, samples
 * the server's client count, the heap after a GC hint and the live threads every few
 * seconds, prints a table and a verdict, and writes the raw figures to a CSV file.
 * <p>
 * The verdict is PASS when, over the last third of the run, the application's Redis
 * connections do not move by more than 5% (max minus min, relative to the mean) and the
 * heap's trend (least-squares slope times the window) stays within 5% of its mean. A leak
 * grows steadily; these two figures catch it while ignoring GC noise.
 * <p>
 * Arguments (all optional): {@code --duration=3m}, {@code --interval=5s},
 * {@code --rate=1000} (requests per second, all callers together), {@code --callers=16},
 * {@code --out=target/soak-raw.csv}.
 * <p>
 * {@code --ci} runs the CI mode instead, {@link CiSoak}: shorter, with a warm-up, and
 * judged by bounds on growth rather than by spread (see docs/soak.md).
 *
 * @author Redis Governor contributors
 */
public final class Soak {

	private static final double TOLERANCE = 0.05;

	private Soak() {
	}

	public static void main(String[] args) throws Exception {
		Options options = Options.parse("Soak", args, "ci", "duration", "interval", "rate", "callers", "out", "warmup",
				"inject-leak", "leak-every", "leak-bytes");
		if (options.flag("ci")) {
			System.exit(CiSoak.run(options));
		}
		Duration duration = options.duration("duration", "3m");
		Duration interval = options.duration("interval", "5s");
		int rate = options.integer("rate", 1000);
		int callers = options.integer("callers", 16);
		Path out = Path.of(options.string("out", "target/soak-raw.csv"));
		System.out.printf(Locale.ROOT, "Soak: %ds at %d req/s from %d callers, sampling every %ds%n",
				duration.toSeconds(), rate, callers, interval.toSeconds());
		List<Sample> samples;
		try (RedisServer redis = RedisServer.start()) {
			ConfigurableApplicationContext app = new SpringApplicationBuilder(SoakApplication.class)
				.properties("server.port=0", "spring.data.redis.host=127.0.0.1",
						"spring.data.redis.port=" + redis.port(), "redis.governor.application=soak",
						"spring.main.banner-mode=off", "logging.level.root=WARN",
						"logging.level.io.github.redisgovernor=INFO")
				.run();
			try {
				int port = Integer.parseInt(app.getEnvironment().getProperty("local.server.port"));
				System.out.println("redis-server " + redis.version() + " (" + redis.source() + ") on port "
						+ redis.port() + ", application on http://127.0.0.1:" + port + ", JVM "
						+ System.getProperty("java.version") + ", max heap "
						+ Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
				samples = run(redis, port, duration, interval, rate, callers);
			}
			finally {
				app.close();
			}
		}
		print(samples);
		write(out, samples);
		boolean pass = verdict(samples);
		System.exit(pass ? 0 : 1);
	}

	private static List<Sample> run(RedisServer redis, int port, Duration duration, Duration interval, int rate,
			int callers) throws Exception {
		return underLoad(port, rate, callers, duration, interval, Sample.HEADER,
				(elapsed, answered, perSecond, errors) -> sample(redis, elapsed, perSecond, errors), Sample::row);
	}

	/**
	 * Runs the soak's load for {@code duration} and takes a sample every
	 * {@code interval}, printing each as it comes.
	 * @param <S> the sample
	 * @param port the application's port
	 * @param rate requests a second
	 * @param callers connections
	 * @param duration how long
	 * @param interval between two samples
	 * @param header printed first
	 * @param sampler takes a sample
	 * @param row a sample as printed
	 * @return the samples
	 * @throws Exception when a sample cannot be taken
	 */
	static <S> List<S> underLoad(int port, int rate, int callers, Duration duration, Duration interval, String header,
			Sampler<S> sampler, Function<S, String> row) throws Exception {
		List<S> samples = new ArrayList<>();
		try (HttpLoad load = load(port, rate, callers)) {
			System.out.println(header);
			long start = System.nanoTime();
			long end = start + duration.toNanos();
			long lastOk = 0;
			long lastErrors = 0;
			long lastAt = start;
			while (System.nanoTime() < end) {
				Thread.sleep(interval.toMillis());
				long now = System.nanoTime();
				long totalOk = load.succeeded();
				long totalErrors = load.failed();
				S sample = sampler.sample((now - start) / 1e9, totalOk - lastOk,
						(totalOk - lastOk) / ((now - lastAt) / 1e9), totalErrors - lastErrors);
				samples.add(sample);
				System.out.println(row.apply(sample));
				lastOk = totalOk;
				lastErrors = totalErrors;
				lastAt = now;
			}
		}
		return samples;
	}

	/**
	 * Takes one sample.
	 *
	 * @param <S> the sample
	 */
	@FunctionalInterface
	interface Sampler<S> {

		/**
		 * Takes one sample.
		 * @param elapsedSeconds since the load started
		 * @param answered requests answered since the last sample
		 * @param requestsPerSecond the same, a second
		 * @param errors requests failed since the last sample
		 * @return the sample
		 * @throws Exception when it cannot be taken
		 */
		S sample(double elapsedSeconds, long answered, double requestsPerSecond, long errors) throws Exception;

	}

	/**
	 * The soak's load: {@code callers} connections paced to {@code rate} requests a
	 * second in all, half {@code PUT}, half {@code GET}, over 1,000 keys.
	 * @param port the application's port
	 * @param rate requests a second, all callers together
	 * @param callers connections
	 * @return the load, started
	 */
	static HttpLoad load(int port, int rate, int callers) {
		return HttpLoad.on("127.0.0.1", port).connections(callers).rate(rate).requests(() -> {
			String path = "/kv/k" + ThreadLocalRandom.current().nextInt(1000);
			return ThreadLocalRandom.current().nextBoolean() ? Request.put(path, "value-" + System.nanoTime())
					: Request.get(path);
		}).start();
	}

	private static Sample sample(RedisServer redis, double elapsedSeconds, double requestsPerSecond, long errors) {
		long appConnections = ServerInfo.clientsByName(redis).values().stream().mapToLong(Long::longValue).sum();
		long connectedClients = ServerInfo.connectedClients(redis);
		System.gc();
		long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
		int threads = ManagementFactory.getThreadMXBean().getThreadCount();
		return new Sample(Instant.now(), elapsedSeconds, appConnections, connectedClients, heap, threads,
				requestsPerSecond, errors);
	}

	private static void print(List<Sample> samples) {
		System.out.println();
		System.out.println(Sample.HEADER);
		samples.forEach((sample) -> System.out.println(sample.row()));
	}

	private static boolean verdict(List<Sample> samples) {
		List<Sample> window = samples.subList(samples.size() * 2 / 3, samples.size());
		if (window.size() < 3) {
			System.out.println("VERDICT: INCONCLUSIVE - fewer than 3 samples in the last third; run longer.");
			return false;
		}
		double[] x = window.stream().mapToDouble(Sample::elapsedSeconds).toArray();
		double[] connections = window.stream().mapToDouble(Sample::appConnections).toArray();
		double[] heap = window.stream().mapToDouble(Sample::heapBytes).toArray();
		double[] threads = window.stream().mapToDouble(Sample::threads).toArray();
		double connectionSpread = spread(connections);
		double heapDrift = drift(x, heap);
		double threadDrift = drift(x, threads);
		long errors = samples.stream().mapToLong(Sample::errors).sum();
		boolean connectionsFlat = connectionSpread <= TOLERANCE;
		boolean heapFlat = Math.abs(heapDrift) <= TOLERANCE;
		System.out.printf(Locale.ROOT, "%nLast third of the run (%d samples, %.0fs..%.0fs):%n", window.size(), x[0],
				x[x.length - 1]);
		System.out.printf(Locale.ROOT, "  application connections: min %.0f, max %.0f, spread %.1f%% -> %s%n",
				Stats.min(connections), Stats.max(connections), connectionSpread * 100,
				connectionsFlat ? "flat" : "NOT flat");
		System.out.printf(Locale.ROOT,
				"  heap after GC hint: mean %.1f MB, spread %.1f%%, trend over the window %+.1f%% -> %s%n",
				Stats.mean(heap) / 1048576, spread(heap) * 100, heapDrift * 100, heapFlat ? "flat" : "NOT flat");
		System.out.printf(Locale.ROOT, "  threads: min %.0f, max %.0f, trend %+.1f%% (reported, not judged)%n",
				Stats.min(threads), Stats.max(threads), threadDrift * 100);
		System.out.println("  failed requests over the whole run: " + errors);
		boolean pass = connectionsFlat && heapFlat;
		System.out.println("VERDICT: " + (pass ? "PASS" : "FAIL")
				+ " - connections and heap flat within 5% over the last third: " + pass);
		return pass;
	}

	private static double spread(double[] values) {
		return (Stats.max(values) - Stats.min(values)) / Math.max(1, Stats.mean(values));
	}

	/**
	 * Least-squares slope times the window length, relative to the mean: how much the
	 * series grew over the window, ignoring the noise around the trend.
	 */
	private static double drift(double[] x, double[] y) {
		return Stats.slope(x, y) * (x[x.length - 1] - x[0]) / Math.max(1, Stats.mean(y));
	}

	private static void write(Path out, List<Sample> samples) throws IOException {
		List<String> lines = new ArrayList<>();
		lines
			.add("timestamp,elapsed_s,app_connections,connected_clients,heap_used_bytes,threads,requests_per_s,errors");
		samples.forEach((sample) -> lines.add(sample.csv()));
		if (out.getParent() != null) {
			Files.createDirectories(out.getParent());
		}
		Files.write(out, lines);
		System.out.println("Raw figures written to " + out.toAbsolutePath());
	}

	record Sample(Instant timestamp, double elapsedSeconds, long appConnections, long connectedClients, long heapBytes,
			int threads, double requestsPerSecond, long errors) {

		static final String HEADER = String.format(Locale.ROOT, "%8s %10s %10s %10s %8s %10s %7s", "t(s)", "app conns",
				"clients", "heap MB", "threads", "req/s", "errors");

		String row() {
			return String.format(Locale.ROOT, "%8.0f %10d %10d %10.1f %8d %10.0f %7d", this.elapsedSeconds,
					this.appConnections, this.connectedClients, this.heapBytes / 1048576.0, this.threads,
					this.requestsPerSecond, this.errors);
		}

		String csv() {
			return String.format(Locale.ROOT, "%s,%.1f,%d,%d,%d,%d,%.1f,%d", this.timestamp, this.elapsedSeconds,
					this.appConnections, this.connectedClients, this.heapBytes, this.threads, this.requestsPerSecond,
					this.errors);
		}

	}

}
