package io.github.redisgovernor.integration;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.RedisServerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * With a server password and an ACL user configured, canary passwords appear nowhere: not
 * in the governor's log at DEBUG, not in any actuator endpoint the application exposes
 * (health, redisgovernor, metrics and every meter, configprops, env), not in the errors
 * the governor reports while Redis is down. Runs once with Boot's default
 * {@code show-values=never} and once with {@code show-values=always}, the setting under
 * which Boot itself would show every value.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class SecretsIntegrationTests {

	private static final String SERVER_CANARY = "Canary-Default-7f3a9c21";

	private static final String ACL_CANARY = "Canary-Acl-4b8e0d55";

	private static final String ACL_USER = "governed-app";

	/**
	 * Every endpoint that may show Redis data. {@code redisgovernor} is listed even when
	 * this build does not have it yet: an endpoint that is absent answers 404 and is
	 * reported as skipped.
	 */
	private static final List<String> ENDPOINTS = List.of("/actuator/health", "/actuator/health/redis",
			"/actuator/redisgovernor", "/actuator/metrics", "/actuator/configprops", "/actuator/env",
			"/actuator/env/spring.data.redis.password", "/actuator/env/spring.data.redis.url");

	private final RedisServer redis;

	private ConfigurableApplicationContext context;

	SecretsIntegrationTests(@RedisServerSettings(password = SERVER_CANARY) RedisServer redis) {
		this.redis = redis;
	}

	@BeforeEach
	void createUser() {
		// Again before each test: a restart forgets the users.
		this.redis.command("ACL", "SETUSER", ACL_USER, "on", ">" + ACL_CANARY, "~*", "&*", "+@all");
	}

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
		if (!this.redis.isRunning()) {
			this.redis.restart();
		}
	}

	@ParameterizedTest(name = "show-values={0}, credentials in url: {1}")
	@CsvSource({ "never,false", "always,false", "always,true" })
	void canaryPasswordsAppearNowhere(String showValues, boolean inUrl, CapturedOutput output) throws Exception {
		String[] credentials = inUrl
				? new String[] { "spring.data.redis.url=redis://" + ACL_USER + ":" + ACL_CANARY + "@127.0.0.1:"
						+ this.redis.port() }
				: new String[] { "spring.data.redis.username=" + ACL_USER, "spring.data.redis.password=" + ACL_CANARY };
		this.context = KvTestApplication.start(this.redis, with(credentials, "redis.governor.application=secrets",
				"logging.level.io.github.redisgovernor=DEBUG", "management.endpoints.web.exposure.include=*",
				"management.endpoint.redisgovernor.access=read-only", "management.endpoint.health.show-details=always",
				"management.endpoint.env.show-values=" + showValues,
				"management.endpoint.configprops.show-values=" + showValues));
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("secrets", "ok");
		assertThat(this.redis.clientList()).anyMatch((client) -> ACL_USER.equals(client.get("user")));
		Map<String, String> bodies = new LinkedHashMap<>(read(ENDPOINTS));
		bodies.putAll(read(meterPaths(bodies.get("/actuator/metrics"))));

		this.redis.stop();
		await().until(() -> KvTestApplication.get(this.context, "/actuator/health/redis").body().contains("DOWN"));
		Map<String, String> whileDown = read(List.of("/actuator/health", "/actuator/health/redis"));
		whileDown.forEach((path, body) -> bodies.put(path + " (Redis down)", body));
		System.out.println("health while Redis is down: " + whileDown.get("/actuator/health/redis"));

		assertThat(bodies).isNotEmpty();
		List<String> leaks = new ArrayList<>();
		bodies.forEach((path, body) -> {
			if (containsCanary(body)) {
				leaks.add(path);
			}
		});
		if (containsCanary(output.getAll())) {
			leaks.add("log output");
		}
		assertThat(leaks).as("outputs that contain a canary password").isEmpty();
		assertThat(output.getAll()).contains("Redis Governor [secrets:");
		System.out.println("show-values=" + showValues + ": checked " + bodies.size() + " responses and "
				+ output.getAll().lines().count() + " log lines for the canaries");
	}

	@Test
	void wrongPasswordErrorsDoNotEchoIt(CapturedOutput output) throws Exception {
		String wrong = "Canary-Wrong-9d2e61f0";
		this.context = KvTestApplication.start(this.redis, "spring.data.redis.username=" + ACL_USER,
				"spring.data.redis.password=" + wrong, "redis.governor.application=secrets",
				"logging.level.io.github.redisgovernor=DEBUG");
		HttpResponse<String> health = KvTestApplication.get(this.context, "/actuator/health");
		System.out.println("health with a wrong password: " + health.body());
		assertThat(health.body()).contains("DOWN").doesNotContain(wrong);
		assertThat(output.getAll()).doesNotContain(wrong);
	}

	private static String[] with(String[] first, String... more) {
		List<String> all = new ArrayList<>(List.of(first));
		all.addAll(List.of(more));
		return all.toArray(String[]::new);
	}

	private static boolean containsCanary(String text) {
		return text.contains(SERVER_CANARY) || text.contains(ACL_CANARY);
	}

	private Map<String, String> read(List<String> paths) throws Exception {
		Map<String, String> bodies = new LinkedHashMap<>();
		for (String path : paths) {
			HttpResponse<String> response = KvTestApplication.get(this.context, path);
			if (response.statusCode() == 404) {
				System.out.println("secrets check: " + path + " is not present in this build, skipped");
				continue;
			}
			bodies.put(path, response.body());
		}
		return bodies;
	}

	private static List<String> meterPaths(String metrics) {
		List<String> names = JsonPath.read(metrics, "$.names");
		List<String> paths = new ArrayList<>();
		for (String name : names) {
			if (name.startsWith("redis") || name.startsWith("lettuce") || name.startsWith("spring.data")) {
				paths.add("/actuator/metrics/" + name);
			}
		}
		return paths;
	}

}
