package io.github.redisgovernor.sample;

import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET} and {@code PUT} on {@code /kv/{key}}, through the governed connection.
 *
 * @author Redis Governor contributors
 */
@RestController
@RequestMapping("/kv")
class KvController {

	private static final String PREFIX = "kv:";

	private final StringRedisTemplate redis;

	KvController(StringRedisTemplate redis) {
		this.redis = redis;
	}

	@GetMapping("/{key}")
	ResponseEntity<String> get(@PathVariable String key) {
		String value = this.redis.opsForValue().get(PREFIX + key);
		return (value != null) ? ResponseEntity.ok(value) : ResponseEntity.notFound().build();
	}

	@PutMapping("/{key}")
	ResponseEntity<Void> put(@PathVariable String key, @RequestBody String value) {
		this.redis.opsForValue().set(PREFIX + key, value);
		return ResponseEntity.noContent().build();
	}

	/**
	 * The governor makes Redis faults fail fast; answer them with 503 instead of 500 so
	 * callers and load balancers can tell a dependency outage from a bug.
	 */
	@ExceptionHandler(DataAccessException.class)
	ProblemDetail redisUnavailable(DataAccessException ex) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
				"Redis is unavailable: " + ex.getClass().getSimpleName());
		problem.setTitle("Redis unavailable");
		return problem;
	}

}
