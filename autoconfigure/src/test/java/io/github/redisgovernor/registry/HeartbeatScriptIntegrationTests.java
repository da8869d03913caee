package io.github.redisgovernor.registry;

import java.time.Duration;
import java.util.Map;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.SharedConnectionCommands;
import io.github.redisgovernor.test.redis.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The registry heartbeat runs as one script against a real {@code redis-server}, and
 * falls back to plain commands when the ACL forbids scripts.
 */
@ExtendWith(OutputCaptureExtension.class)
class HeartbeatScriptIntegrationTests {

	private static final String KEY = "{redis-governor}:script-test";

	private static RedisServer redis;

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
		redis.command("ACL", "SETUSER", "noscripts", "on", ">noscripts-pw", "~*", "&*", "+@all", "-@scripting");
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void heartbeatIsOneScriptCallInsteadOfFiveCommands() {
		redis.command("SCRIPT", "FLUSH");
		redis.command("CONFIG", "RESETSTAT");
		long live = heartbeats(null, null, "scripted", 3);
		Map<String, String> stats = redis.infoMap("commandstats");
		assertThat(live).isEqualTo(1);
		// The first EVALSHA finds no script (NOSCRIPT), one EVAL loads it, the rest hit.
		assertThat(calls(stats, "cmdstat_evalsha")).isEqualTo(3);
		assertThat(calls(stats, "cmdstat_eval")).isEqualTo(1);
		assertThat(calls(stats, "cmdstat_zadd")).as("ZADD runs inside the script").isEqualTo(3);
	}

	@Test
	void heartbeatFallsBackToCommandsWhenScriptsAreForbidden(CapturedOutput output) {
		long live = heartbeats("noscripts", "noscripts-pw", "plain", 2);
		assertThat(live).isEqualTo(1);
		assertThat(redis.command("ZSCORE", KEY, "app/plain")).isNull();
		assertThat(output).containsOnlyOnce("sends the registry heartbeat as separate commands")
			.doesNotContain("noscripts-pw");
	}

	private long heartbeats(String user, String password, String id, int count) {
		RedisStandaloneConfiguration standalone = new RedisStandaloneConfiguration(redis.host(), redis.port());
		if (user != null) {
			standalone.setUsername(user);
			standalone.setPassword(password);
		}
		LettuceConnectionFactory factory = new LettuceConnectionFactory(standalone);
		factory.afterPropertiesSet();
		factory.start();
		try {
			InstanceRegistry registry = new InstanceRegistry(
					new SharedConnectionCommands(factory, Duration.ofSeconds(2)), new InstanceIdentity("app", id), KEY,
					Duration.ofSeconds(10), Duration.ofSeconds(30));
			for (int i = 0; i < count; i++) {
				registry.heartbeat();
			}
			long live = registry.current().liveInstances();
			registry.destroy();
			return live;
		}
		finally {
			factory.destroy();
		}
	}

	private static long calls(Map<String, String> stats, String command) {
		String value = stats.get(command);
		return (value != null) ? Long.parseLong(value.replaceAll("^calls=(\\d+),.*$", "$1")) : 0;
	}

}
