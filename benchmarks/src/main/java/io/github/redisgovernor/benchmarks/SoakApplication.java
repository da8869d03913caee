package io.github.redisgovernor.benchmarks;

import java.util.concurrent.atomic.AtomicLong;

import jakarta.annotation.PreDestroy;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The application under soak: Spring Boot with the governor starter, web MVC and the
 * actuator, serving {@code GET} and {@code PUT} on {@code /kv/{key}} through the governed
 * connection, as a user's service would, and {@code GET /slow}, which does one Redis call
 * and then holds the request for 300 ms (for {@link SigtermUnderLoad}).
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

		KvController(StringRedisTemplate redis) {
			this.redis = redis;
		}

		@GetMapping("/kv/{key}")
		ResponseEntity<String> get(@PathVariable String key) {
			String value = this.redis.opsForValue().get("kv:" + key);
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
			this.redis.opsForValue().set("kv:" + key, value);
			return ResponseEntity.noContent().build();
		}

	}

}
