package com.example.visits;

import java.time.Duration;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerTestConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.dao.QueryTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A server that stops answering (SIGSTOP: the kernel still accepts and acknowledges, no
 * reply comes): calls fail within the command timeout instead of hanging, and succeed
 * again once the server resumes.
 */
@SpringBootTest
@Import(RedisServerTestConfiguration.class)
class PausedServerTests {

	@Autowired
	VisitCounter counter;

	@Autowired
	RedisServer redis;

	@Test
	void callsFailWithinTheTimeoutWhileTheServerIsPausedAndWorkAfterwards() {
		long before = this.counter.visit("paused");
		this.redis.pause();
		try {
			long start = System.nanoTime();
			assertTimeoutPreemptively(Duration.ofSeconds(10),
					() -> assertThatThrownBy(() -> this.counter.visit("paused"))
						.isInstanceOf(QueryTimeoutException.class));
			System.out.printf("paused server: the call failed after %d ms (spring.data.redis.timeout=1s)%n",
					(System.nanoTime() - start) / 1_000_000);
		}
		finally {
			this.redis.resume();
		}
		long start = System.nanoTime();
		long after = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> this.counter.visit("paused"));
		System.out.printf("paused server resumed: the next call took %d ms%n", (System.nanoTime() - start) / 1_000_000);
		assertThat(after).isGreaterThan(before);
	}

}
