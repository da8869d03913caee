package io.github.redisgovernor.benchmarks;

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
 * actuator, serving {@code GET} and {@code PUT} on {@code /kv/{key}} through the
 * governed connection, as a user's service would.
 *
 * @author Redis Governor contributors
 */
@SpringBootApplication
public class SoakApplication {

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

		@PutMapping("/kv/{key}")
		ResponseEntity<Void> put(@PathVariable String key, @RequestBody String value) {
			this.redis.opsForValue().set("kv:" + key, value);
			return ResponseEntity.noContent().build();
		}

	}

}
