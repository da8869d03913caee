package io.github.redisgovernor.integration;

import java.time.Duration;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The registry's life against a real {@code redis-server}: it leaves through the drain
 * hook or on its own, exactly once, and rides out a Redis outage without throwing or
 * flooding the log.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class RegistryLifecycleIntegrationTests {

	private static final String KEY = "{redis-governor}:instances";

	private ConfigurableApplicationContext context;

	@AfterEach
	void closeContext(RedisServer redis) {
		if (this.context != null) {
			this.context.close();
		}
		if (!redis.isRunning()) {
			redis.restart();
		}
		Clients.awaitNone(redis);
		redis.flushAll();
	}

	@Test
	void drainHookDeregistersOnceAndShutdownDoesNotRepeatIt(RedisServer redis, CapturedOutput output) {
		this.context = start(redis);
		await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(redis.command("ZCOUNT", KEY, "(-inf", "+inf")));
		InstanceRegistry registry = this.context.getBean(InstanceRegistry.class);
		assertThat(this.context.getBeansOfType(DrainParticipant.class)).containsValue(registry);
		registry.stopBeforeDrain();
		assertThat(redis.command("ZSCORE", KEY, "life/a")).isNull();
		assertThat(registry.isRunning()).isFalse();
		this.context.close();
		this.context = null;
		assertThat(output.getOut().split("left the instance registry", -1)).hasSize(2);
		assertThat(output.getOut()).contains("left the instance registry (drain)");
	}

	@Test
	void heartbeatRidesOutARedisOutageAndLogsItOnce(RedisServer redis, CapturedOutput output) throws Exception {
		this.context = start(redis);
		await().atMost(Duration.ofSeconds(10)).until(() -> "1".equals(redis.command("ZCOUNT", KEY, "(-inf", "+inf")));
		redis.stop();
		// About 15 heartbeats and samples fail while Redis is down.
		Thread.sleep(3000);
		String body = KvTestApplication.get(this.context, "/actuator/health").body();
		assertThat(JsonPath.<String>read(body, "$.components.redisGovernor.details.unreadable.registry"))
			.startsWith("heartbeat failed");
		assertThat(output.getOut().split("registry heartbeat failed", -1)).as("WARN lines for one outage").hasSize(2);
		redis.restart();
		// The restarted server lost the registry; the next heartbeat puts the instance
		// back.
		await().atMost(Duration.ofSeconds(20)).until(() -> "1".equals(redis.command("ZCOUNT", KEY, "(-inf", "+inf")));
		await().atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(output.getOut()).contains("registry heartbeat works again after"));
	}

	private static ConfigurableApplicationContext start(RedisServer redis) {
		return KvTestApplication.start(redis, "redis.governor.application=life", "redis.governor.instance-id=a",
				"redis.governor.registry.heartbeat-interval=200ms", "redis.governor.registry.ttl=1s",
				"redis.governor.server.sample-interval=200ms", "redis.governor.command-timeout=500ms");
	}

}
