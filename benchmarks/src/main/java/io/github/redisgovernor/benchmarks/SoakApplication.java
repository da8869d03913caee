package io.github.redisgovernor.benchmarks;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

import jakarta.annotation.PreDestroy;

import org.springframework.boot.SpringApplication;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application under soak: Spring Boot with the governor starter, web MVC and the
 * actuator, serving {@code GET} and {@code PUT} on {@code /kv/{key}} through the governed
 * connection, as a user's service would, and {@code GET /slow}, which does one Redis call
 * and then holds the request for 300 ms (for {@link SigtermUnderLoad}).
 * <p>
 * {@code soak.inject-leak=connections} or {@code heap} makes the {@code /kv} endpoints
 * leak on purpose, to show that {@link Soak}'s CI mode fails on a leak (see
 * {@link LeakInjector}); the default, {@code none}, leaks nothing.
 * {@code soak.client=per-request} makes {@code GET /kv/{key}} build a client for every
 * request, the anti-pattern that {@link BenchmarkSuite} sets against the shared
 * connection (see {@link ClientPerRequest}).
 *
 * @author Redis Governor contributors
 */
@SpringBootApplication
public class SoakApplication {

	public static void main(String[] args) {
		SpringApplication.run(SoakApplication.class, args);
	}

	@RestController
	static class KvController {

		private final StringRedisTemplate redis;

		private final LeakInjector leak;

		private final UnaryOperator<String> reads;

		KvController(StringRedisTemplate redis, LeakInjector leak, ClientPerRequest clientPerRequest) {
			this.redis = redis;
			this.leak = leak;
			this.reads = clientPerRequest.enabled() ? clientPerRequest::get : redis.opsForValue()::get;
		}

		@GetMapping("/kv/{key}")
		ResponseEntity<String> get(@PathVariable String key) {
			this.leak.onRequest();
			String value = this.reads.apply("kv:" + key);
			return (value != null) ? ResponseEntity.ok(value) : ResponseEntity.notFound().build();
		}

		private final AtomicLong slowEntered = new AtomicLong();

		private final AtomicLong slowCompleted = new AtomicLong();

		@GetMapping("/slow")
		String slow() throws InterruptedException {
			this.slowEntered.incrementAndGet();
			this.redis.opsForValue().increment("slow");
			Thread.sleep(300);
			this.slowCompleted.incrementAndGet();
			return "ok";
		}

		@PreDestroy
		void report() {
			if (this.slowEntered.get() > 0) {
				System.out.println("slow endpoint: " + this.slowEntered + " requests entered, " + this.slowCompleted
						+ " completed");
			}
		}

		@PutMapping("/kv/{key}")
		ResponseEntity<Void> put(@PathVariable String key, @RequestBody String value) {
			this.leak.onRequest();
			this.redis.opsForValue().set("kv:" + key, value);
			return ResponseEntity.noContent().build();
		}

	}

	/**
	 * The anti-pattern in its tidy form, off by default ({@code soak.client=shared}):
	 * with {@code soak.client=per-request}, every {@code GET /kv/{key}} builds a new
	 * {@link LettuceConnectionFactory} for the same server (its own client, event loops
	 * and connection), reads the key and closes it all again. Nothing leaks; every
	 * request pays for a client, a TCP connection and its threads. The untidy form, which
	 * never closes, is {@code soak.inject-leak=connections}.
	 */
	@Component
	static class ClientPerRequest {

		private final boolean enabled;

		private final LettuceConnectionFactory shared;

		ClientPerRequest(@Value("${soak.client:shared}") String client, LettuceConnectionFactory shared) {
			if (!List.of("shared", "per-request").contains(client)) {
				throw new IllegalArgumentException("soak.client must be shared or per-request, not '" + client + "'");
			}
			this.enabled = client.equals("per-request");
			this.shared = shared;
		}

		boolean enabled() {
			return this.enabled;
		}

		String get(String key) {
			// Same server, but none of the shared client's settings, name or lifecycle.
			LettuceConnectionFactory factory = new LettuceConnectionFactory(this.shared.getStandaloneConfiguration());
			factory.afterPropertiesSet();
			factory.start();
			try {
				return new StringRedisTemplate(factory).opsForValue().get(key);
			}
			finally {
				factory.destroy();
			}
		}

	}

	/**
	 * A leak on purpose, off by default ({@code soak.inject-leak=none}), to prove that
	 * the CI soak fails when the application leaks:
	 * <ul>
	 * <li>{@code connections}: every {@code soak.leak-every} requests (default 2,000), a
	 * new {@link LettuceConnectionFactory} for the same server, started, one connection
	 * taken and never closed: the bug the governor exists for, much slower than the
	 * incident's 180 connections a second;</li>
	 * <li>{@code heap}: every request retains a {@code byte[soak.leak-bytes]} (default 48
	 * bytes, about 88 bytes of heap with the array header and the queue node): about 5 MB
	 * a minute at 1,000 requests a second, the incident's slope (5.3 MB/min).</li>
	 * </ul>
	 */
	@Component
	static class LeakInjector {

		private final String mode;

		private final int every;

		private final int bytes;

		private final LettuceConnectionFactory governed;

		private final AtomicLong requests = new AtomicLong();

		private final List<LettuceConnectionFactory> leakedFactories = new CopyOnWriteArrayList<>();

		private final Queue<byte[]> retained = new ConcurrentLinkedQueue<>();

		LeakInjector(@Value("${soak.inject-leak:none}") String mode, @Value("${soak.leak-every:2000}") int every,
				@Value("${soak.leak-bytes:48}") int bytes, LettuceConnectionFactory governed) {
			if (!List.of("none", "connections", "heap").contains(mode)) {
				throw new IllegalArgumentException(
						"soak.inject-leak must be none, connections or heap, not '" + mode + "'");
			}
			this.mode = mode;
			this.every = Math.max(1, every);
			this.bytes = Math.max(0, bytes);
			this.governed = governed;
		}

		void onRequest() {
			switch (this.mode) {
				case "connections" -> {
					if (this.requests.incrementAndGet() % this.every == 0) {
						leakConnection();
					}
				}
				case "heap" -> {
					this.requests.incrementAndGet();
					this.retained.add(new byte[this.bytes]);
				}
				default -> {
				}
			}
		}

		private void leakConnection() {
			// Same server, but none of the governed client's settings, name or lifecycle.
			LettuceConnectionFactory factory = new LettuceConnectionFactory(this.governed.getStandaloneConfiguration());
			factory.afterPropertiesSet();
			factory.start();
			RedisConnection connection = factory.getConnection();
			connection.ping();
			this.leakedFactories.add(factory);
		}

		String mode() {
			return this.mode;
		}

		/**
		 * What has leaked so far, in words, for the soak's report.
		 * @return a description, or {@code "nothing"}
		 */
		String leaked() {
			return switch (this.mode) {
				case "connections" -> this.leakedFactories.size() + " connection factories (one connection each)";
				case "heap" -> this.retained.size() + " byte arrays of " + this.bytes + " bytes";
				default -> "nothing";
			};
		}

	}

}
