package io.github.redisgovernor.benchmarks;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import io.github.redisgovernor.test.redis.RedisServer;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * One round of {@code StringRedisTemplate} GETs for {@link BenchmarkSuite}: from
 * {@code threads} threads at once inside a Spring Boot context in this JVM (no web
 * server), governed or plain, after a warm-up; or {@code redis-benchmark -c 50 -t get}
 * against the same server, the ceiling.
 *
 * @param round the round, from 1
 * @param variant {@code plain Boot}, {@code governed} or {@link #REDIS_BENCHMARK}
 * @param perSecond GETs a second; {@code NaN} when {@code redis-benchmark} is missing
 * @param connections the context's connections by client name under load; empty for
 * {@code redis-benchmark}
 * @author Redis Governor contributors
 */
record TemplateRound(int round, String variant, double perSecond, Map<String, Long> connections) {

	static final String REDIS_BENCHMARK = "redis-benchmark -c 50 -t get";

	/** Where to find {@code redis-benchmark} when it is not on the {@code PATH}. */
	static final String REDIS_BENCHMARK_BIN = "REDIS_BENCHMARK_BIN";

	static final String MISSING = "n/a: no redis-benchmark on the PATH; install redis-tools (Debian, Ubuntu: "
			+ "apt-get install redis-tools) or set " + REDIS_BENCHMARK_BIN + " to its path";

	private static final String KEY = "template:x";

	static TemplateRound measure(RedisServer redis, AppMode mode, int round, BenchmarkSuite.Plan plan)
			throws Exception {
		redis.command("SET", KEY, "value");
		try (ConfigurableApplicationContext context = CommandPath.context(redis.port(), mode.governed(),
				"suite-template")) {
			StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
			CommandLoad.time(plan.templateThreads(), plan.templateWarmup(), (thread, i) -> get(template));
			ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
			try {
				ScheduledFuture<Map<String, Long>> connections = sampler.schedule(() -> ServerInfo.clientsByName(redis),
						plan.templateMeasure().toMillis() / 2, TimeUnit.MILLISECONDS);
				double perSecond = CommandLoad.time(plan.templateThreads(), plan.templateMeasure(),
						(thread, i) -> get(template));
				return new TemplateRound(round, mode.label(), perSecond, connections.get());
			}
			finally {
				sampler.shutdownNow();
			}
		}
	}

	/**
	 * Runs both applications' GETs once, unmeasured, so that the first measured round
	 * does not pay for compiling this JVM's Lettuce and Spring Data code.
	 * @param redis the server
	 * @param plan the plan
	 * @throws Exception when a command fails
	 */
	static void warmUpJvm(RedisServer redis, BenchmarkSuite.Plan plan) throws Exception {
		redis.command("SET", KEY, "value");
		for (AppMode mode : List.of(AppMode.PLAIN, AppMode.GOVERNED)) {
			try (ConfigurableApplicationContext context = CommandPath.context(redis.port(), mode.governed(),
					"suite-template")) {
				StringRedisTemplate template = context.getBean(StringRedisTemplate.class);
				CommandLoad.time(plan.templateThreads(), plan.templateWarmup().multipliedBy(2),
						(thread, i) -> get(template));
			}
		}
	}

	private static void get(StringRedisTemplate template) {
		template.opsForValue().get(KEY);
	}

	/**
	 * {@code redis-benchmark -c 50 -t get -n requests} against the server.
	 * @param redis the server
	 * @param round the round
	 * @param requests how many GETs
	 * @return the round; {@code NaN} GETs a second when there is no
	 * {@code redis-benchmark}
	 * @throws IOException when it cannot run or says nothing parseable
	 * @throws InterruptedException when interrupted
	 */
	static TemplateRound redisBenchmark(RedisServer redis, int round, int requests)
			throws IOException, InterruptedException {
		Optional<Path> binary = redisBenchmarkBinary();
		if (binary.isEmpty()) {
			return new TemplateRound(round, REDIS_BENCHMARK, Double.NaN, Map.of());
		}
		Process process = new ProcessBuilder(binary.get().toString(), "-h", "127.0.0.1", "-p",
				Integer.toString(redis.port()), "-c", "50", "-t", "get", "-n", Integer.toString(requests), "--csv")
			.redirectErrorStream(true)
			.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
			process.destroyForcibly();
			throw new IOException(binary.get() + " failed: " + output);
		}
		// "GET","147058.83","0.180",...
		return output.lines()
			.filter((line) -> line.startsWith("\"GET\""))
			.map((line) -> Double.parseDouble(line.split(",")[1].replace("\"", "")))
			.map((perSecond) -> new TemplateRound(round, REDIS_BENCHMARK, perSecond, Map.of()))
			.findFirst()
			.orElseThrow(() -> new IOException("no GET line in the output of " + binary.get() + ": " + output));
	}

	/**
	 * {@code REDIS_BENCHMARK_BIN}, else {@code redis-benchmark} on the {@code PATH}.
	 * @return the binary, empty when there is none
	 */
	static Optional<Path> redisBenchmarkBinary() {
		String configured = System.getenv(REDIS_BENCHMARK_BIN);
		if (configured != null && !configured.isBlank()) {
			Path path = Path.of(configured);
			if (!Files.isExecutable(path)) {
				throw new IllegalStateException(REDIS_BENCHMARK_BIN + "=" + configured
						+ " is not an executable file; point it at redis-benchmark or unset it");
			}
			return Optional.of(path);
		}
		String path = System.getenv("PATH");
		if (path == null) {
			return Optional.empty();
		}
		for (String directory : path.split(File.pathSeparator)) {
			Path candidate = Path.of(directory, "redis-benchmark");
			if (Files.isExecutable(candidate)) {
				return Optional.of(candidate);
			}
		}
		return Optional.empty();
	}

}
