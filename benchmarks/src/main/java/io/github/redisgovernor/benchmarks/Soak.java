package io.github.redisgovernor.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.github.redisgovernor.test.redis.RedisServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.convert.DurationStyle;
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
		Map<String, String> options = options(args);
		if (Boolean.parseBoolean(options.getOrDefault("ci", "false"))) {
			System.exit(CiSoak.run(options));
		}
		Duration duration = DurationStyle.detectAndParse(options.getOrDefault("duration", "3m"));
		Duration interval = DurationStyle.detectAndParse(options.getOrDefault("interval", "5s"));
		int rate = Integer.parseInt(options.getOrDefault("rate", "1000"));
		int callers = Integer.parseInt(options.getOrDefault("callers", "16"));
		Path out = Path.of(options.getOrDefault("out", "target/soak-raw.csv"));
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
				String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
				System.out.println("redis-server " + redis.version() + " (" + redis.source() + ") on port "
						+ redis.port() + ", application on " + base + ", JVM " + System.getProperty("java.version")
						+ ", max heap " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB");
				samples = run(redis, base, duration, interval, rate, callers);
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

	private static List<Sample> run(RedisServer redis, String base, Duration duration, Duration interval, int rate,
			int callers) throws Exception {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		LongAdder ok = new LongAdder();
		LongAdder errors = new LongAdder();
		AtomicBoolean stop = new AtomicBoolean();
		ExecutorService load = Executors.newFixedThreadPool(callers);
		long pauseNanos = TimeUnit.SECONDS.toNanos(1) * callers / Math.max(1, rate);
		for (int i = 0; i < callers; i++) {
			load.execute(() -> call(http, base, pauseNanos, stop, ok, errors));
		}
		List<Sample> samples = new ArrayList<>();
		System.out.println(Sample.HEADER);
		long start = System.nanoTime();
		long end = start + duration.toNanos();
		long lastOk = 0;
		long lastErrors = 0;
		long lastAt = start;
		while (System.nanoTime() < end) {
			Thread.sleep(interval.toMillis());
			long now = System.nanoTime();
			long totalOk = ok.sum();
			long totalErrors = errors.sum();
			double seconds = (now - lastAt) / 1e9;
			Sample sample = sample(redis, (now - start) / 1e9, (totalOk - lastOk) / seconds, totalErrors - lastErrors);
			samples.add(sample);
			System.out.println(sample.row());
			lastOk = totalOk;
			lastErrors = totalErrors;
			lastAt = now;
		}
		stop.set(true);
		load.shutdown();
		load.awaitTermination(30, TimeUnit.SECONDS);
		return samples;
	}

	static void call(HttpClient http, String base, long pauseNanos, AtomicBoolean stop, LongAdder ok,
			LongAdder errors) {
		long next = System.nanoTime();
		while (!stop.get()) {
			String key = "k" + ThreadLocalRandom.current().nextInt(1000);
			HttpRequest request = ThreadLocalRandom.current().nextBoolean()
					? HttpRequest.newBuilder(URI.create(base + "/kv/" + key))
						.timeout(Duration.ofSeconds(10))
						.PUT(HttpRequest.BodyPublishers.ofString("value-" + System.nanoTime()))
						.build()
					: HttpRequest.newBuilder(URI.create(base + "/kv/" + key)).timeout(Duration.ofSeconds(10)).build();
			try {
				int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
				if (status < 300 || status == 404) {
					ok.increment();
				}
				else {
					errors.increment();
				}
			}
			catch (IOException ex) {
				errors.increment();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			next += pauseNanos;
			long sleep = next - System.nanoTime();
			if (sleep > 0) {
				try {
					TimeUnit.NANOSECONDS.sleep(sleep);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
			}
			else {
				next = System.nanoTime();
			}
		}
	}

	private static Sample sample(RedisServer redis, double elapsedSeconds, double requestsPerSecond, long errors) {
		List<Map<String, String>> clients = redis.clientList();
		long appConnections = clients.stream()
			.filter((client) -> !RedisServer.ADMIN_CLIENT_NAME.equals(client.get("name")))
			.count();
		long connectedClients = Long.parseLong(redis.infoMap("clients").get("connected_clients"));
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
				min(connections), max(connections), connectionSpread * 100, connectionsFlat ? "flat" : "NOT flat");
		System.out.printf(Locale.ROOT,
				"  heap after GC hint: mean %.1f MB, spread %.1f%%, trend over the window %+.1f%% -> %s%n",
				mean(heap) / 1048576, spread(heap) * 100, heapDrift * 100, heapFlat ? "flat" : "NOT flat");
		System.out.printf(Locale.ROOT, "  threads: min %.0f, max %.0f, trend %+.1f%% (reported, not judged)%n",
				min(threads), max(threads), threadDrift * 100);
		System.out.println("  failed requests over the whole run: " + errors);
		boolean pass = connectionsFlat && heapFlat;
		System.out.println("VERDICT: " + (pass ? "PASS" : "FAIL")
				+ " - connections and heap flat within 5% over the last third: " + pass);
		return pass;
	}

	private static double spread(double[] values) {
		return (max(values) - min(values)) / Math.max(1, mean(values));
	}

	/**
	 * Least-squares slope times the window length, relative to the mean: how much the
	 * series grew over the window, ignoring the noise around the trend.
	 */
	private static double drift(double[] x, double[] y) {
		double meanX = mean(x);
		double meanY = mean(y);
		double numerator = 0;
		double denominator = 0;
		for (int i = 0; i < x.length; i++) {
			numerator += (x[i] - meanX) * (y[i] - meanY);
			denominator += (x[i] - meanX) * (x[i] - meanX);
		}
		double slope = (denominator == 0) ? 0 : numerator / denominator;
		return slope * (x[x.length - 1] - x[0]) / Math.max(1, meanY);
	}

	private static double mean(double[] values) {
		double sum = 0;
		for (double value : values) {
			sum += value;
		}
		return sum / values.length;
	}

	private static double min(double[] values) {
		double min = Double.MAX_VALUE;
		for (double value : values) {
			min = Math.min(min, value);
		}
		return min;
	}

	private static double max(double[] values) {
		double max = -Double.MAX_VALUE;
		for (double value : values) {
			max = Math.max(max, value);
		}
		return max;
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

	private static Map<String, String> options(String[] args) {
		Map<String, String> options = new LinkedHashMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--")) {
				throw new IllegalArgumentException("Expected --name=value or --flag, got '" + arg + "'");
			}
			if (!arg.contains("=")) {
				options.put(arg.substring(2), "true");
				continue;
			}
			int equals = arg.indexOf('=');
			options.put(arg.substring(2, equals), arg.substring(equals + 1));
		}
		return options;
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
