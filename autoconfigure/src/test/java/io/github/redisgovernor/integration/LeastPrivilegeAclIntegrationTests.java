package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The least-privilege ACL rule of {@code docs/acl.md}, against a real
 * {@code redis-server}: an application whose user may run its own data commands on its
 * own keys, plus exactly what the governor needs, gets every governor feature (registry,
 * the fleet's sampler and its client mix, health, the endpoint, leaving on shutdown) and
 * no {@code NOPERM} anywhere.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class LeastPrivilegeAclIntegrationTests {

	/**
	 * The governor's part of the rule, as {@code docs/acl.md} gives it.
	 */
	static final List<String> GOVERNOR_RULE = List.of("~{redis-governor}:*", "+ping", "+hello", "+auth",
			"+client|setname", "+client|list", "+info", "+select", "+evalsha", "+eval", "+time", "+zadd", "+zscore",
			"+zcount", "+zrangebyscore", "+zremrangebyscore", "+zrem", "+exists", "+pttl", "+pexpire", "+get", "+set",
			"+del", "+hgetall", "+hset");

	private static final String PASSWORD = "least-privilege-pw-7";

	private ConfigurableApplicationContext context;

	@AfterEach
	void close(RedisServer redis) {
		if (this.context != null) {
			this.context.close();
		}
		Clients.awaitNone(redis);
		redis.flushAll();
	}

	@Test
	void theDocumentedRuleRunsEveryGovernorFeature(RedisServer redis, CapturedOutput output) throws Exception {
		List<String> setUser = new ArrayList<>(List.of("ACL", "SETUSER", "orders-api", "reset", "on", ">" + PASSWORD,
				// The application's own data: its keys and commands.
				"~orders:*", "+get", "+set"));
		setUser.addAll(GOVERNOR_RULE);
		redis.command(setUser.toArray(String[]::new));
		this.context = KvTestApplication.start(redis, "spring.data.redis.username=orders-api",
				"spring.data.redis.password=" + PASSWORD, "spring.data.redis.database=2",
				"redis.governor.application=orders", "redis.governor.instance-id=a",
				"redis.governor.registry.heartbeat-interval=500ms", "redis.governor.registry.ttl=3s",
				"redis.governor.server.sample-interval=500ms", "management.endpoint.redisgovernor.access=read-only",
				"management.endpoints.web.exposure.include=health,redisgovernor");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("orders:1", "v");
		assertThat(template.opsForValue().get("orders:1")).isEqualTo("v");
		await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
			String health = KvTestApplication.get(this.context, "/actuator/health").body();
			assertThat(JsonPath.<String>read(health, "$.components.redis.status")).isEqualTo("UP");
			assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.status")).isEqualTo("UP");
			assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.instances")).isEqualTo(1);
			assertThat(JsonPath.<Integer>read(health, "$.components.redisGovernor.details.clients.governed"))
				.isEqualTo(1);
			assertThat(JsonPath.<String>read(health, "$.components.redisGovernor.details.sampledBy"))
				.isEqualTo("orders/a");
			assertThat(health).doesNotContain("unreadable");
		});
		String endpoint = KvTestApplication.get(this.context, "/actuator/redisgovernor").body();
		assertThat(JsonPath.<Integer>read(endpoint, "$.instances.total")).isEqualTo(1);
		assertThat(JsonPath.<Integer>read(endpoint, "$.clients.byKind.governed")).isEqualTo(1);
		assertThat(JsonPath.<Object>read(endpoint, "$.unreadable")).asString().isEqualTo("{}");
		assertThat(redis.clientList()).anySatisfy((client) -> assertThat(client.get("name")).isEqualTo("orders:a"));
		this.context.close();
		this.context = null;
		assertThat(redis.command("ZCOUNT", "{redis-governor}:instances", "(-inf", "+inf")).as("left on shutdown")
			.isEqualTo("0");
		assertThat(output).doesNotContain("NOPERM").doesNotContain(PASSWORD);
	}

}
