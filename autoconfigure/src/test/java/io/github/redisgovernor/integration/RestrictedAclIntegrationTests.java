package io.github.redisgovernor.integration;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A user whose ACL forbids {@code INFO}, {@code CLIENT} and {@code CONFIG}, as on many
 * managed services: the application and the registry keep working, and health and the
 * endpoint say what could not be read and why, without failing.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class RestrictedAclIntegrationTests {

	private static final String PASSWORD = "limited-secret-3";

	private ConfigurableApplicationContext context;

	@BeforeAll
	static void createUser(RedisServer redis) {
		redis.command("ACL", "SETUSER", "limited", "on", ">" + PASSWORD, "~*", "&*", "+@all", "-info", "-client",
				"-config");
	}

	@AfterEach
	void closeContext(RedisServer redis) {
		if (this.context != null) {
			this.context.close();
		}
		Clients.awaitNone(redis);
	}

	@Test
	void userWithoutInfoClientAndConfigDegradesCleanly(RedisServer redis, CapturedOutput output) throws Exception {
		this.context = KvTestApplication.start(redis, "spring.data.redis.username=limited",
				"spring.data.redis.password=" + PASSWORD, "redis.governor.application=acl",
				"redis.governor.instance-id=a", "redis.governor.registry.heartbeat-interval=200ms",
				"redis.governor.registry.ttl=1s", "redis.governor.server.sample-interval=200ms",
				"management.endpoint.redisgovernor.access=read-only",
				"management.endpoints.web.exposure.include=health,redisgovernor,metrics");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("k", "v");
		assertThat(template.opsForValue().get("k")).isEqualTo("v");

		await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
			String body = KvTestApplication.get(this.context, "/actuator/health").body();
			assertThat(JsonPath.<Integer>read(body, "$.components.redisGovernor.details.instances")).isEqualTo(1);
			assertThat(JsonPath.<Map<String, String>>read(body, "$.components.redisGovernor.details.unreadable"))
				.containsKey("INFO clients");
		});
		HttpResponse<String> health = KvTestApplication.get(this.context, "/actuator/health");
		System.out.println("restricted ACL: health " + health.body());
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(health.body(), "$.components.redis.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(health.body(), "$.components.redisGovernor.status")).isEqualTo("UNKNOWN");
		assertThat(
				JsonPath.<String>read(health.body(), "$.components.redisGovernor.details.unreadable['INFO clients']"))
			.contains("NOPERM");
		assertThat(JsonPath.<String>read(health.body(), "$.components.redisGovernor.details.saturation"))
			.isEqualTo("UNKNOWN");

		HttpResponse<String> endpoint = KvTestApplication.get(this.context, "/actuator/redisgovernor");
		System.out.println("restricted ACL: endpoint " + endpoint.body());
		assertThat(endpoint.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<Integer>read(endpoint.body(), "$.instances.total")).isEqualTo(1);
		assertThat(JsonPath.<String>read(endpoint.body(), "$.unreadable['CLIENT LIST']")).contains("NOPERM");
		assertThat(endpoint.body()).doesNotContain(PASSWORD);
		assertThat(health.body()).doesNotContain(PASSWORD);

		String metric = KvTestApplication.get(this.context, "/actuator/metrics/redis.governor.clients.connected")
			.body();
		assertThat(JsonPath.<String>read(metric, "$.measurements[0].value")).isEqualTo("NaN");

		assertThat(Clients.applicationClients(redis)).singleElement()
			.satisfies((client) -> assertThat(client).containsEntry("name", "acl:a").containsEntry("user", "limited"));
		// Logged once for the outage, not once per sample.
		Thread.sleep(1000);
		assertThat(output.getOut().split("sampling of INFO clients failed", -1)).hasSize(2);
	}

}
