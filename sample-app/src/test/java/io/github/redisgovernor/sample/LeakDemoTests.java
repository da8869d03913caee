package io.github.redisgovernor.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code sample.leak-demo.enabled=true}, every {@code GET /demo/leak} leaves one
 * more unnamed connection on a real {@code redis-server}, and the governor's endpoint
 * attributes them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = "sample.leak-demo.enabled=true")
@Import(LocalRedisConfiguration.class)
class LeakDemoTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private RedisServer redis;

	@Test
	void eachCallLeavesOneMoreUnnamedConnection() throws Exception {
		long before = unnamedOnServer();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> response = get("/demo/leak");
			assertThat(response.statusCode()).isEqualTo(200);
			assertThat(response.body()).startsWith("PONG");
		}
		assertThat(unnamedOnServer()).isEqualTo(before + 3);
		String endpoint = get("/actuator/redisgovernor").body();
		assertThat(JsonPath.<Integer>read(endpoint, "$.clients.unnamed")).isGreaterThanOrEqualTo(3);
	}

	private long unnamedOnServer() {
		return this.redis.clientList().stream().filter((client) -> client.get("name").isEmpty()).count();
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).GET().build(),
				HttpResponse.BodyHandlers.ofString());
	}

}
