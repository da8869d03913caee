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
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

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
 * A trial, not a unit test: how long the governor takes, at its default settings, to flag
 * the leak of the design (a handler that builds a new {@code LettuceConnectionFactory}
 * per request and never closes it, called 20 times a second), and how many {@code INFO}
 * commands Redis sees per minute while health is polled 10 times a second.
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
		List<String> raw = new ArrayList<>();
		try (RedisServer redis = RedisServer.start()) {
			ConfigurableApplicationContext context = new SpringApplicationBuilder(LeakyApplication.class)
				.properties("server.port=0", "spring.data.redis.host=127.0.0.1",
						"spring.data.redis.port=" + redis.port(), "spring.application.name=leaky",
						"management.endpoint.redisgovernor.access=read-only",
						"management.endpoints.web.exposure.include=health,redisgovernor",
						"management.endpoint.health.show-details=always", "spring.main.banner-mode=off",
						"logging.level.root=WARN", "logging.level.io.github.redisgovernor=INFO")
				.run();
			String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
			HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
			// Let the first heartbeat and sample land, as in a running fleet. The leak
			// starts
			// this long after the first sample: -Dtrial.delay=1s starts it just after a
			// sample, the worst case (the next calm sample is a whole interval away).
			Duration delay = DurationStyle.detectAndParse(System.getProperty("trial.delay", "6s"));
			Thread.sleep(delay.toMillis());
			raw.add("leak started " + delay.toMillis() + " ms after the application started");

			long infoBefore = infoCalls(redis);
			AtomicLong healthPolls = new AtomicLong();
			AtomicLong leaks = new AtomicLong();
			ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
			long start = System.nanoTime();
			load.scheduleAtFixedRate(() -> {
				send(http, base + "/leak");
				leaks.incrementAndGet();
			}, 0, 1000 / LEAKS_PER_SECOND, TimeUnit.MILLISECONDS);
			load.scheduleAtFixedRate(() -> {
				send(http, base + "/actuator/health");
				healthPolls.incrementAndGet();
			}, 0, 1000 / HEALTH_POLLS_PER_SECOND, TimeUnit.MILLISECONDS);

			double detectedAfter = Double.NaN;
			String healthAtDetection = null;
			int healthHttpStatus = 0;
			while (System.nanoTime() - start < GIVE_UP.toNanos()) {
				Thread.sleep(250);
				HttpResponse<String> health = send(http, base + "/actuator/health");
				String body = health.body();
				raw.add(String.format("t=%.2fs connected=%s instances=%s clientsPerInstance=%s leakSuspected=%s",
						(System.nanoTime() - start) / 1e9, read(body, "connectedClients"), read(body, "instances"),
						read(body, "clientsPerInstance"), read(body, "leakSuspected")));
				if (Boolean.TRUE.equals(read(body, "leakSuspected"))) {
					detectedAfter = (System.nanoTime() - start) / 1e9;
					healthAtDetection = body;
					healthHttpStatus = health.statusCode();
					break;
				}
			}
			// Keep polling health at 10/s for a full minute to count INFO per minute.
			while (System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
				Thread.sleep(250);
			}
			double elapsedMinutes = (System.nanoTime() - start) / 60e9;
			long infoCalls = infoCalls(redis) - infoBefore - 1;
			long polls = healthPolls.get();
			load.shutdownNow();
			String endpoint = send(http, base + "/actuator/redisgovernor").body();
			Object unnamed = JsonPath.read(endpoint, "$.clients.unnamed");

			List<String> table = List.of("| figure | value |", "|---|---|",
					String.format("| leak rate | %d new factories per second, never closed |", LEAKS_PER_SECOND),
					String.format("| seconds from first leak to leakSuspected=true | %.1f |", detectedAfter),
					String.format("| redisGovernor status at detection | %s |",
							(healthAtDetection != null)
									? JsonPath.read(healthAtDetection, "$.components.redisGovernor.status") : "n/a"),
					String.format("| HTTP status of /actuator/health at detection | %d |", healthHttpStatus),
					String.format("| unnamed connections in /actuator/redisgovernor | %s |", unnamed),
					String.format("| health polls | %d in %.2f min (%.1f per s) |", polls, elapsedMinutes,
							polls / (elapsedMinutes * 60)),
					String.format("| INFO commands Redis saw | %d in %.2f min = %.1f per minute |", infoCalls,
							elapsedMinutes, infoCalls / elapsedMinutes));
			table.forEach(System.out::println);
			raw.addAll(0, table);
			raw.add("endpoint: " + endpoint);
			Files.createDirectories(Path.of("target"));
			Files.write(Path.of("target", "leak-detection-trial.txt"), raw);
			context.close();
		}
		System.exit(0);
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

		LeakyController(int port) {
			this.port = port;
		}

		@GetMapping("/leak")
		String leak() {
			LettuceConnectionFactory factory = new LettuceConnectionFactory(
					new RedisStandaloneConfiguration("127.0.0.1", this.port));
			factory.afterPropertiesSet();
			factory.start();
			return factory.getConnection().ping();
		}

	}

}
