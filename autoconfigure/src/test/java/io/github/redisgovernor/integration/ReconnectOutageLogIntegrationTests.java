package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.RedisServerSettings;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The server stops, Lettuce retries with back-off for a few seconds, the server comes
 * back on the same port: the reconnect log has one line for the start of the outage and
 * one for its end, however many attempts failed in between.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class ReconnectOutageLogIntegrationTests {

	private static final int FAILED_ATTEMPTS = 5;

	private ConfigurableApplicationContext context;

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void anOutageIsLoggedOnceWhenItStartsAndOnceWhenItEnds(@RedisServerSettings(name = "outage") RedisServer redis,
			CapturedOutput output) {
		this.context = KvTestApplication.start(redis, "redis.governor.application=kv",
				"redis.governor.instance-id=outage");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("k", "before");
		AtomicInteger failedAttempts = new AtomicInteger();
		Disposable counting = this.context.getBean(LettuceConnectionFactory.class)
			.getRequiredNativeClient()
			.getResources()
			.eventBus()
			.get()
			.ofType(ReconnectFailedEvent.class)
			.subscribe((event) -> failedAttempts.incrementAndGet());
		try {
			redis.stop();
			await().atMost(Duration.ofSeconds(60)).until(() -> failedAttempts.get() >= FAILED_ATTEMPTS);
			redis.restart();
			await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
				template.opsForValue().set("k", "after");
				assertThat(template.opsForValue().get("k")).isEqualTo("after");
			});
			String endpoint = Pattern.quote("127.0.0.1:" + redis.port());
			Pattern started = Pattern
				.compile("Redis Governor \\[kv:outage\\] could not reconnect to " + endpoint + " \\(attempt 1\\): ");
			Pattern ended = Pattern.compile("Redis Governor \\[kv:outage\\] connection to " + endpoint
					+ " works again after (\\d+) failed attempts over ");
			await().atMost(Duration.ofSeconds(10)).until(() -> !matches(output, ended).isEmpty());
			assertThat(matches(output, started)).as("one line when the outage starts").hasSize(1);
			List<Matcher> ends = matches(output, ended);
			assertThat(ends).as("one line when it ends").hasSize(1);
			assertThat(Integer.parseInt(ends.get(0).group(1))).isGreaterThanOrEqualTo(FAILED_ATTEMPTS);
			assertThat(matches(output, Pattern.compile(endpoint + " \\(attempt [2-9]"))).as("no line per attempt")
				.isEmpty();
			System.out.printf("outage: %d reconnect attempts failed; the governor logged 2 lines%n",
					failedAttempts.get());
		}
		finally {
			counting.dispose();
		}
	}

	private static List<Matcher> matches(CapturedOutput output, Pattern pattern) {
		return output.getAll().lines().map(pattern::matcher).filter(Matcher::find).toList();
	}

}
