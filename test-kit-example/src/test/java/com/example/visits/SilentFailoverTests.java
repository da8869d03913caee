package com.example.visits;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerTestConfiguration;
import io.github.redisgovernor.test.redis.TcpProxy;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A failover nobody announces, as behind a load balancer or a DNS name that moves: the
 * application's open connection stays open but goes silent, and only a new connection
 * reaches the standby server. The application recovers when it gives up on the silent
 * connection; the Redis Governor starter's watchdog does that within seconds, where TCP
 * alone would take many minutes.
 */
@SpringBootTest
@Import(RedisServerTestConfiguration.class)
@DirtiesContext // the proxy points at the standby afterwards
class SilentFailoverTests {

	@Autowired
	VisitCounter counter;

	@Autowired
	RedisServer redis;

	@Autowired
	TcpProxy proxy;

	@Test
	void recoversFromASilentFailover() {
		assertThat(this.counter.visit("failover")).isEqualTo(1);

		try (RedisServer standby = RedisServer.start()) {
			long start = System.nanoTime();
			this.proxy.silentFailover(standby.port());

			AtomicInteger failedCalls = new AtomicInteger();
			long visits = await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(20))
				.until(() -> visitOrFail(failedCalls), (count) -> count > 0);

			System.out.printf(
					"silent failover: first successful call %d ms after the failover, %d failed calls " + "meanwhile%n",
					(System.nanoTime() - start) / 1_000_000, failedCalls.get());
			// The standby had no counter: the application now talks to it.
			assertThat(visits).isEqualTo(1);
			assertThat(standby.command("GET", "visits:failover")).isEqualTo("1");
			assertThat(this.redis.command("GET", "visits:failover")).isEqualTo("1");
			assertThat(standby.clientList())
				.anySatisfy((client) -> assertThat(client.get("name")).startsWith("visits:"));
		}
	}

	private long visitOrFail(AtomicInteger failedCalls) {
		try {
			return this.counter.visit("failover");
		}
		catch (RuntimeException ex) {
			failedCalls.incrementAndGet();
			return 0;
		}
	}

}
