package io.github.redisgovernor.integration;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.startup.RedisUnavailableAtStartupException;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.RedisServerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Startup while Redis is missing. By default the application starts with the
 * {@code redis} health component DOWN and connects once Redis appears; with
 * {@code redis.governor.fail-fast=true} startup fails with a report that names the
 * endpoint (never the password) and the fix.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class StartupWithoutRedisIntegrationTests {

	private static final String CANARY = "canary-Pw-5f2e9";

	private ConfigurableApplicationContext context;

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void applicationStartsWithoutRedisAndConnectsWhenRedisAppears(@RedisServerSettings(name = "late") RedisServer redis)
			throws Exception {
		// Missing at startup: the server stops and comes back on the same port below.
		redis.stop();
		int port = redis.port();
		this.context = KvTestApplication.start(port, "redis.governor.application=kv",
				"redis.governor.instance-id=late");
		HttpResponse<String> down = KvTestApplication.get(this.context, "/actuator/health");
		assertThat(down.statusCode()).isEqualTo(503);
		assertThat(redisHealth(down)).isEqualTo("DOWN");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		assertThatThrownBy(() -> template.opsForValue().get("k")).hasStackTraceContaining("Connection refused");

		long startedAt = System.nanoTime();
		redis.restart();
		// Nobody calls the application meanwhile: the watchdog's check opens the
		// connection.
		await().atMost(Duration.ofSeconds(20))
			.until(() -> Clients.applicationClients(redis)
				.stream()
				.anyMatch((client) -> "kv:late".equals(client.get("name"))));
		System.out.printf("startup without Redis: connected %d ms after Redis appeared, with no request%n",
				(System.nanoTime() - startedAt) / 1_000_000);
		template.opsForValue().set("k", "v");
		assertThat(template.opsForValue().get("k")).isEqualTo("v");
		HttpResponse<String> up = KvTestApplication.get(this.context, "/actuator/health");
		assertThat(up.statusCode()).isEqualTo(200);
		assertThat(redisHealth(up)).isEqualTo("UP");
	}

	@Test
	void failFastStartupFailsNamingTheEndpointButNotThePassword(CapturedOutput output) throws Exception {
		int port = freePort();
		RedisUnavailableAtStartupException failure = startupFailure(port, "redis.governor.fail-fast=true",
				"spring.data.redis.url=redis://app-user:" + CANARY + "@127.0.0.1:" + port);
		System.out.printf("fail-fast, nothing listening (connect-timeout 2000 ms): the check gave up after %d ms%n",
				failure.getElapsed().toMillis());
		assertThat(failure.getEndpoint()).isEqualTo("127.0.0.1:" + port);
		assertThat(output)
			.contains("Redis Governor could not start: Redis at 127.0.0.1:" + port
					+ " could not be reached (gave up after ")
			.contains("connect timeout 2000ms), and redis.governor.fail-fast is true")
			.contains("remove redis.governor.fail-fast")
			.doesNotContain(CANARY);
	}

	@Test
	void failFastStartupAgainstAnUnresponsiveServerFailsWithinTheTimeouts(
			@RedisServerSettings(name = "frozen", password = CANARY) RedisServer redis, CapturedOutput output) {
		redis.pause();
		RedisUnavailableAtStartupException failure;
		try {
			failure = assertTimeoutPreemptively(Duration.ofSeconds(60),
					() -> startupFailure(redis.port(), "redis.governor.fail-fast=true",
							"redis.governor.connect-timeout=1s", "redis.governor.command-timeout=1s",
							"spring.data.redis.password=" + CANARY));
		}
		finally {
			redis.resume();
		}
		System.out.printf("fail-fast, paused server (connect-timeout 1000 ms): the check gave up after %d ms%n",
				failure.getElapsed().toMillis());
		assertThat(output).contains("Redis Governor could not start: Redis at 127.0.0.1:" + redis.port())
			.doesNotContain(CANARY);
	}

	private static RedisUnavailableAtStartupException startupFailure(int port, String... properties) {
		Throwable failure = catchThrowable(() -> KvTestApplication.start(port, properties));
		assertThat(failure).hasRootCauseInstanceOf(RedisUnavailableAtStartupException.class);
		assertThat(stackTrace(failure)).doesNotContain(CANARY);
		Throwable cause = failure;
		while (!(cause instanceof RedisUnavailableAtStartupException)) {
			cause = cause.getCause();
		}
		return (RedisUnavailableAtStartupException) cause;
	}

	private static String stackTrace(Throwable ex) {
		StringWriter writer = new StringWriter();
		ex.printStackTrace(new PrintWriter(writer));
		return writer.toString();
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
			return socket.getLocalPort();
		}
	}

	private static String redisHealth(HttpResponse<String> health) {
		return JsonPath.read(health.body(), "$.components.redis.status");
	}

}
