package com.example.visits;

import java.time.Duration;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A restart: the server goes away, closing the application's connection, and comes back
 * empty on the same port. The application reconnects and its calls succeed again.
 */
@SpringBootTest
@Import(RedisServerTestConfiguration.class)
class RestartTests {

	@Autowired
	VisitCounter counter;

	@Autowired
	RedisServer redis;

	@Test
	void callsSucceedAgainAfterARestart() {
		this.counter.visit("restart");
		this.counter.visit("restart");

		long start = System.nanoTime();
		this.redis.restart(); // data is not kept
		long visits = await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(20))
			.ignoreExceptions()
			.until(() -> this.counter.visit("restart"), (count) -> count > 0);

		System.out.printf("restart: first successful call %d ms after the restart began%n",
				(System.nanoTime() - start) / 1_000_000);
		assertThat(visits).isEqualTo(1);
		assertThat(this.redis.command("GET", "visits:restart")).isEqualTo("1");
	}

}
