package io.github.redisgovernor.integration;

import java.util.List;
import java.util.Map;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.RedisServerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Spring Boot's {@code spring.data.redis.*} connection settings keep working under the
 * governor, against a real password-protected {@code redis-server}.
 */
@ExtendWith(RedisServerExtension.class)
class ConnectionSettingsIntegrationTests {

	private static final String PASSWORD = "fixture-secret-1";

	private final RedisServer redis;

	private ConfigurableApplicationContext context;

	ConnectionSettingsIntegrationTests(@RedisServerSettings(password = PASSWORD) RedisServer redis) {
		this.redis = redis;
	}

	@BeforeEach
	void createUser() {
		this.redis.command("ACL", "SETUSER", "appuser", "on", ">app-secret-2", "~*", "&*", "+@all");
	}

	@AfterEach
	void closeContext() {
		if (this.context != null) {
			this.context.close();
		}
		Clients.awaitNone(this.redis);
	}

	@Test
	void urlWithPasswordAndDatabaseIsHonoured() {
		this.context = KvTestApplication.start(this.redis,
				"spring.data.redis.url=redis://:" + PASSWORD + "@127.0.0.1:" + this.redis.port() + "/3",
				"redis.governor.application=urlapp", "redis.governor.instance-id=a");
		this.context.getBean(StringRedisTemplate.class).opsForValue().set("url-key", "v");
		assertThat(this.redis.infoMap("keyspace")).containsKey("db3");
		List<Map<String, String>> clients = Clients.applicationClients(this.redis);
		assertThat(clients).singleElement().satisfies((client) -> {
			assertThat(client).containsEntry("db", "3").containsEntry("name", "urlapp:a");
			assertThat(client).containsEntry("user", "default");
		});
	}

	@Test
	void usernamePasswordAndDatabaseAreHonoured() {
		this.context = KvTestApplication.start(this.redis, "spring.data.redis.username=appuser",
				"spring.data.redis.password=app-secret-2", "spring.data.redis.database=2",
				"redis.governor.application=aclapp", "redis.governor.instance-id=b");
		this.context.getBean(StringRedisTemplate.class).opsForValue().set("acl-key", "v");
		assertThat(this.redis.infoMap("keyspace")).containsKey("db2");
		assertThat(Clients.applicationClients(this.redis)).singleElement().satisfies((client) -> {
			assertThat(client).containsEntry("db", "2").containsEntry("user", "appuser");
			assertThat(client).containsEntry("name", "aclapp:b");
		});
	}

}
