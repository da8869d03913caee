package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.redisgovernor.test.redis.RedisServer;

import static org.awaitility.Awaitility.await;

/**
 * Reads the server's {@code CLIENT LIST}, leaving out the fixture's own short-lived admin
 * connection.
 */
final class Clients {

	private Clients() {
	}

	static List<Map<String, String>> applicationClients(RedisServer redis) {
		return redis.clientList()
			.stream()
			.filter((client) -> !"redis-governor-fixture".equals(client.get("name")))
			.toList();
	}

	static void awaitNone(RedisServer redis) {
		await().atMost(Duration.ofSeconds(15)).until(() -> applicationClients(redis).isEmpty());
	}

}
