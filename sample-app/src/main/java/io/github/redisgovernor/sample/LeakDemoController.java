package io.github.redisgovernor.sample;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The bug the governor exists for, on purpose: {@code GET /demo/leak} builds a new
 * {@code LettuceConnectionFactory} per request, as code that bypasses the shared factory
 * does, and never closes it. Each call leaves one more unnamed connection on the server
 * (and a client with its own threads in this JVM). Within a minute at 20 calls a second
 * the {@code redisGovernor} health component turns {@code DEGRADED} with
 * {@code leakSuspected=true}, and {@code /actuator/redisgovernor} lists the unnamed
 * connections.
 * <p>
 * Off unless {@code sample.leak-demo.enabled=true}: never enable it in production.
 *
 * @author Redis Governor contributors
 */
@RestController
@ConditionalOnBooleanProperty("sample.leak-demo.enabled")
class LeakDemoController {

	private final LettuceConnectionFactory governed;

	private final AtomicLong leaked = new AtomicLong();

	LeakDemoController(LettuceConnectionFactory governed) {
		this.governed = governed;
	}

	@GetMapping("/demo/leak")
	String leak() {
		// Same server, but none of the governed client's settings, name or lifecycle.
		LettuceConnectionFactory factory = new LettuceConnectionFactory(this.governed.getStandaloneConfiguration());
		factory.afterPropertiesSet();
		factory.start();
		RedisConnection connection = factory.getConnection();
		String pong = connection.ping();
		return pong + ": " + this.leaked.incrementAndGet() + " connection factories leaked so far\n";
	}

}
