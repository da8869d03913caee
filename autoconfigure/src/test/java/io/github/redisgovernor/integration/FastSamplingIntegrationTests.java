package io.github.redisgovernor.integration;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sampling flow against a real {@code redis-server}: the fleet's elected sampler
 * samples at its own interval whatever the heartbeat interval, and, while the server
 * refuses scripts, each instance samples at the fast interval once its budget is
 * unsettled, so that the leak is judged on fresh figures.
 */
@ExtendWith(RedisServerExtension.class)
class FastSamplingIntegrationTests {

	private final List<Socket> rawConnections = new ArrayList<>();

	private ConfigurableApplicationContext context;

	@AfterEach
	void close(RedisServer redis) throws IOException {
		for (Socket socket : this.rawConnections) {
			socket.close();
		}
		if (this.context != null) {
			this.context.close();
		}
		Clients.awaitNone(redis);
		redis.flushAll();
	}

	@Test
	void theFleetsSamplerSamplesBetweenSlowHeartbeats(RedisServer redis) throws Exception {
		// Heartbeats a minute apart; the elected sampler samples every 300 ms.
		this.context = KvTestApplication.start(redis, "redis.governor.application=fast", "redis.governor.instance-id=a",
				"redis.governor.registry.heartbeat-interval=60s", "redis.governor.registry.ttl=180s",
				"redis.governor.server.sample-interval=300ms", "redis.governor.budget.leak.window=2s");
		assertLeakJudgedOnSamplesBetweenHeartbeats(redis, "heartbeat 60 s, the fleet's sampler every 300 ms");
	}

	@Test
	void withScriptsRefusedAnUnsettledBudgetIsSampledAtTheFastInterval(RedisServer redis) throws Exception {
		// No sampler is elected without scripts: each instance samples at its heartbeat,
		// 3 s apart here, and every 300 ms once its budget is unsettled.
		redis.command("ACL", "SETUSER", "fast-noscripts", "reset", "on", ">fast-pw", "~*", "&*", "+@all",
				"-@scripting");
		this.context = KvTestApplication.start(redis, "redis.governor.application=fast", "redis.governor.instance-id=a",
				"spring.data.redis.username=fast-noscripts", "spring.data.redis.password=fast-pw",
				"redis.governor.registry.heartbeat-interval=3s", "redis.governor.registry.ttl=9s",
				"redis.governor.server.fast-sample-interval=300ms", "redis.governor.budget.leak.window=2s");
		assertLeakJudgedOnSamplesBetweenHeartbeats(redis, "heartbeat 3 s, fast samples every 300 ms, scripts refused");
	}

	private void assertLeakJudgedOnSamplesBetweenHeartbeats(RedisServer redis, String setUp) throws Exception {
		await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> instances() == 1);
		long start = System.nanoTime();
		// A growing leak: 10 raw connections a second.
		long infoBefore = infoCalls(redis);
		boolean suspected = false;
		while (!(suspected = leakSuspected()) && System.nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
			for (int i = 0; i < 3; i++) {
				this.rawConnections.add(new Socket(redis.host(), redis.port()));
			}
			Thread.sleep(300);
		}
		long millis = (System.nanoTime() - start) / 1_000_000;
		System.out.printf("%s: leak suspected after %d ms, %d INFO commands meanwhile%n", setUp, millis,
				infoCalls(redis) - infoBefore);
		// The verdict that ended the loop: a later read may already see the next sample.
		assertThat(suspected).isTrue();
		// Samples every 300 ms until the leak is judged; the heartbeats alone would carry
		// one every 3 s at most (the redis health check reads INFO twice a minute).
		assertThat(infoCalls(redis) - infoBefore).as("INFO commands between heartbeats").isGreaterThanOrEqualTo(5);
		// The leak stops growing and its connections stay open: the verdict holds over
		// the samples that follow (a pause in the growth is no reason to clear it).
		long holdUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
		while (System.nanoTime() < holdUntil) {
			assertThat(leakSuspected()).as("leak suspected while the leaked connections stay open").isTrue();
			Thread.sleep(100);
		}
	}

	private static long infoCalls(RedisServer redis) {
		String info = redis.infoMap("commandstats").getOrDefault("cmdstat_info", "calls=0,");
		return Long.parseLong(info.substring(info.indexOf("calls=") + 6, info.indexOf(',')));
	}

	private String health() throws Exception {
		return KvTestApplication.get(this.context, "/actuator/health").body();
	}

	private boolean leakSuspected() throws Exception {
		return JsonPath.<Boolean>read(health(), "$.components.redisGovernor.details.leakSuspected");
	}

	private int instances() throws Exception {
		return JsonPath.<Integer>read(health(), "$.components.redisGovernor.details.instances");
	}

}
