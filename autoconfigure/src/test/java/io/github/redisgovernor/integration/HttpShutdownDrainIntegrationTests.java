package io.github.redisgovernor.integration;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * 40 concurrent callers on an endpoint that does a Redis call and then holds the request
 * for 300 ms; the context is closed mid-load with {@code server.shutdown=graceful}. Every
 * request the endpoint accepted must get a 200. Requests the server no longer accepts
 * (connection refused) are counted, not failed.
 */
@ExtendWith(RedisServerExtension.class)
class HttpShutdownDrainIntegrationTests {

	private static final int CALLERS = 40;

	private ConfigurableApplicationContext context;

	@AfterEach
	void closeContext(RedisServer redis) {
		if (this.context != null && this.context.isActive()) {
			this.context.close();
		}
		Clients.awaitNone(redis);
	}

	@ParameterizedTest(name = "governor enabled: {0}")
	@ValueSource(booleans = { true, false })
	void everyAcceptedRequestSucceedsWhenTheContextClosesMidLoad(boolean governed, RedisServer redis) throws Exception {
		SlowController.accepted.clear();
		SlowController.redisFailures.set(0);
		this.context = new SpringApplicationBuilder(KvTestApplication.class, SlowController.class)
			.properties("server.port=0", "server.shutdown=graceful", "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + redis.port(), "spring.main.banner-mode=off",
					"redis.governor.enabled=" + governed, "redis.governor.application=http-drain")
			.run();
		String base = "http://127.0.0.1:" + this.context.getEnvironment().getProperty("local.server.port");
		Map<Integer, String> outcomes = new ConcurrentHashMap<>();
		AtomicInteger ids = new AtomicInteger();
		AtomicBoolean stop = new AtomicBoolean();
		ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
		List<Future<?>> futures = new ArrayList<>();
		try {
			for (int i = 0; i < CALLERS; i++) {
				futures.add(callers.submit(() -> {
					while (!stop.get()) {
						int id = ids.incrementAndGet();
						String outcome = call(base + "/slow?id=" + id);
						outcomes.put(id, outcome);
						if (!"200".equals(outcome)) {
							// Back off like a real client; spinning would starve the
							// 2-core machine.
							Thread.sleep(50);
						}
					}
					return null;
				}));
			}
			Thread.sleep(1500);
			long start = System.nanoTime();
			assertTimeoutPreemptively(Duration.ofSeconds(60), () -> this.context.close());
			long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			stop.set(true);
			for (Future<?> future : futures) {
				future.get(60, TimeUnit.SECONDS);
			}
			Set<Integer> accepted = SlowController.accepted;
			long ok = outcomes.values().stream().filter("200"::equals).count();
			long refused = outcomes.values().stream().filter("refused"::equals).count();
			List<String> acceptedButFailed = accepted.stream()
				.filter((id) -> !"200".equals(outcomes.get(id)))
				.map((id) -> id + "=" + outcomes.get(id))
				.toList();
			System.out.println("HTTP drain, governed=" + governed + ": " + outcomes.size() + " requests, "
					+ accepted.size() + " accepted, " + ok + " returned 200, " + refused + " refused, "
					+ acceptedButFailed.size() + " accepted but failed, " + SlowController.redisFailures
					+ " Redis failures; context.close() took " + closeMillis + "ms");
			assertThat(accepted).hasSizeGreaterThan(CALLERS);
			assertThat(acceptedButFailed).isEmpty();
			assertThat(SlowController.redisFailures).hasValue(0);
		}
		finally {
			stop.set(true);
			callers.shutdownNow();
		}
	}

	private static String call(String url) {
		try {
			HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
			connection.setRequestProperty("Connection", "close");
			connection.setConnectTimeout(5000);
			connection.setReadTimeout(30000);
			int status = connection.getResponseCode();
			try (InputStream body = (status < 400) ? connection.getInputStream() : connection.getErrorStream()) {
				if (body != null) {
					body.readAllBytes();
				}
			}
			return String.valueOf(status);
		}
		catch (ConnectException ex) {
			return "refused";
		}
		catch (IOException ex) {
			return ex.getClass().getSimpleName() + ": " + ex.getMessage();
		}
	}

	@RestController
	static class SlowController {

		static final Set<Integer> accepted = ConcurrentHashMap.newKeySet();

		static final AtomicInteger redisFailures = new AtomicInteger();

		private final StringRedisTemplate template;

		SlowController(StringRedisTemplate template) {
			this.template = template;
		}

		@GetMapping("/slow")
		String slow(@RequestParam int id) throws InterruptedException {
			accepted.add(id);
			try {
				this.template.opsForValue().increment("slow");
			}
			catch (RuntimeException ex) {
				redisFailures.incrementAndGet();
				throw ex;
			}
			Thread.sleep(300);
			return "ok";
		}

	}

}
