package io.github.redisgovernor.trial;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisServer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A trial, not a unit test: how long a fleet of 3 instances at the governor's default
 * settings takes to flag the leak of the design (a handler on one of them that builds a
 * new {@code LettuceConnectionFactory} per request and never closes it, called 20 times a
 * second), on the leaking instance and on the two others, over several runs
 * ({@code -Dtrial.runs}, default 5), and how many {@code INFO} commands Redis runs per
 * minute meanwhile while health is polled 10 times a second on each instance.
 * <p>
 * Run it with the test class path (see docs/budget.md, "Measured"). It prints a table and
 * writes its raw figures to {@code target/leak-detection-trial.txt}.
 */
public final class LeakDetectionTrial {

	private static final int LEAKS_PER_SECOND = 20;

	private static final int HEALTH_POLLS_PER_SECOND = 10;

	private static final Duration GIVE_UP = Duration.ofSeconds(120);

	private LeakDetectionTrial() {
	}

	public static void main(String[] args) throws Exception {
		int runs = Integer.getInteger("trial.runs", 5);
		// Which instance leaks: by default c, the last to start, so never the one the
		// registry elects to sample for the fleet (the first): it learns of the leak at
		// its heartbeat, the slower case.
		int leaker = "abc".indexOf(System.getProperty("trial.leaker", "c"));
		// The leak starts this long after the applications started: -Dtrial.delay=1s
		// starts it just after their first samples.
		Duration delay = DurationStyle.detectAndParse(System.getProperty("trial.delay", "6s"));
		List<String> raw = new ArrayList<>();
		List<String> rows = new ArrayList<>();
		List<Double> leaking = new ArrayList<>();
		List<Double> others = new ArrayList<>();
		for (int run = 1; run <= runs; run++) {
			double[] flagged = run(run, delay, leaker, raw, rows);
			leaking.add(flagged[leaker]);
			double other = Double.NEGATIVE_INFINITY;
			for (int i = 0; i < 3; i++) {
				other = (i != leaker) ? Math.max(other, flagged[i]) : other;
			}
			others.add(other);
		}
		List<String> table = new ArrayList<>();
		table.add("Leak detection trial: 3 instances (a, b, c) at default settings; instance " + "abc".charAt(leaker)
				+ " leaks " + LEAKS_PER_SECOND + " new connection factories a second (never closed) from "
				+ delay.toMillis() + " ms after start; health polled " + HEALTH_POLLS_PER_SECOND
				+ " times a second on each. Seconds from the leak's start to leakSuspected=true:");
		table.add(
				"| run | a (s) | b (s) | c (s) | sampled by | status at detection | HTTP | INFO commands in the run |");
		table.add("|---|---|---|---|---|---|---|---|");
		table.addAll(rows);
		table.add(String.format(Locale.ROOT,
				"95th percentile over %d runs: leaking instance %.1f s, the others (latest of the two) %.1f s", runs,
				percentile95(leaking), percentile95(others)));
		table.forEach(System.out::println);
		raw.addAll(0, table);
		Files.createDirectories(Path.of("target"));
		Files.write(Path.of("target", "leak-detection-trial.txt"), raw);
		System.exit(0);
	}

	private static double[] run(int run, Duration delay, int leaker, List<String> raw, List<String> rows)
			throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			List<ConfigurableApplicationContext> contexts = new ArrayList<>();
			List<String> bases = new ArrayList<>();
			for (String id : List.of("a", "b", "c")) {
				ConfigurableApplicationContext context = new SpringApplicationBuilder(LeakyApplication.class)
					.properties("server.port=0", "spring.data.redis.host=127.0.0.1",
							"spring.data.redis.port=" + redis.port(), "spring.application.name=leaky",
							"redis.governor.instance-id=" + id, "management.endpoint.redisgovernor.access=read-only",
							"management.endpoints.web.exposure.include=health,redisgovernor",
							"management.endpoint.health.show-details=always", "spring.main.banner-mode=off",
							"logging.level.root=WARN", "logging.level.io.github.redisgovernor=WARN")
					.run();
				contexts.add(context);
				bases.add("http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port"));
			}
			HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
			Thread.sleep(delay.toMillis());
			long infoBefore = infoCalls(redis);
			ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
			long start = System.nanoTime();
			load.scheduleAtFixedRate(() -> send(http, bases.get(leaker) + "/leak"), 0, 1000 / LEAKS_PER_SECOND,
					TimeUnit.MILLISECONDS);
			for (String base : bases) {
				load.scheduleAtFixedRate(() -> send(http, base + "/actuator/health"), 0, 1000 / HEALTH_POLLS_PER_SECOND,
						TimeUnit.MILLISECONDS);
			}
			double[] flagged = { Double.NaN, Double.NaN, Double.NaN };
			String status = "n/a";
			Object sampledBy = null;
			int httpStatus = 0;
			while (System.nanoTime() - start < GIVE_UP.toNanos()
					&& (Double.isNaN(flagged[0]) || Double.isNaN(flagged[1]) || Double.isNaN(flagged[2]))) {
				Thread.sleep(250);
				for (int i = 0; i < 3; i++) {
					HttpResponse<String> health = send(http, bases.get(i) + "/actuator/health");
					String body = health.body();
					double t = (System.nanoTime() - start) / 1e9;
					raw.add(String.format(Locale.ROOT,
							"run=%d instance=%d t=%.2fs connected=%s fleet=%s instances=%s clientsPerInstance=%s "
									+ "leakSuspected=%s sampledBy=%s",
							run, i, t, read(body, "connectedClients"), read(body, "fleetClients"),
							read(body, "instances"), read(body, "clientsPerInstance"), read(body, "leakSuspected"),
							read(body, "sampledBy")));
					if (Double.isNaN(flagged[i]) && Boolean.TRUE.equals(read(body, "leakSuspected"))) {
						flagged[i] = t;
						if (i == leaker) {
							status = JsonPath.read(body, "$.components.redisGovernor.status");
							httpStatus = health.statusCode();
							sampledBy = read(body, "sampledBy");
						}
					}
				}
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			long infoCalls = infoCalls(redis) - infoBefore - 1;
			load.shutdownNow();
			load.awaitTermination(5, TimeUnit.SECONDS);
			rows.add(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %s | %s | %d | %d in %.1f s |", run,
					flagged[0], flagged[1], flagged[2], sampledBy, status, httpStatus, infoCalls, seconds));
			System.out.println(rows.get(rows.size() - 1));
			// The leaked factories would reconnect to this run's server for ever after it
			// stops, and slow the next run down.
			contexts.get(leaker).getBean(LeakyController.class).closeLeaked();
			contexts.forEach(ConfigurableApplicationContext::close);
			return flagged;
		}
	}

	/** The nearest-rank 95th percentile: the largest of up to 20 runs. */
	private static double percentile95(List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		int rank = (int) Math.ceil(0.95 * sorted.size());
		return sorted.get(Math.max(0, rank - 1));
	}

	private static Object read(String health, String detail) {
		try {
			return JsonPath.read(health, "$.components.redisGovernor.details." + detail);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static HttpResponse<String> send(HttpClient http, String uri) {
		try {
			return http.send(HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(30)).build(),
					HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static long infoCalls(RedisServer redis) {
		Map<String, String> stats = redis.infoMap("commandstats");
		String info = stats.getOrDefault("cmdstat_info", "calls=0,");
		return Long.parseLong(info.substring(info.indexOf("calls=") + 6, info.indexOf(',')));
	}

	/**
	 * An application with the leak of the design: a new connection factory per request.
	 */
	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class LeakyApplication {

		@Bean
		LeakyController leakyController(org.springframework.core.env.Environment environment) {
			return new LeakyController(Integer.parseInt(environment.getProperty("spring.data.redis.port")));
		}

	}

	@RestController
	static class LeakyController {

		private final int port;

		// Kept only so that the trial can close them between runs: the application
		// itself never does.
		private final List<LettuceConnectionFactory> leaked = new CopyOnWriteArrayList<>();

		LeakyController(int port) {
			this.port = port;
		}

		@GetMapping("/leak")
		String leak() {
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration("127.0.0.1", this.port));
			factory.afterPropertiesSet();
			factory.start();
			this.leaked.add(factory);
			return factory.getConnection().ping();
		}

		void closeLeaked() {
			this.leaked.forEach(LettuceConnectionFactory::destroy);
			this.leaked.clear();
		}

	}

}
