package io.github.redisgovernor.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.test.redis.RedisServer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sample app starts against a real local {@code redis-server}, serves
 * {@code /kv/{key}} and the Actuator, and holds one named connection.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@Import(LocalRedisConfiguration.class)
class SampleApplicationTests {

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private RedisServer redis;

	@Autowired
	private InstanceIdentity identity;

	@Test
	void putThenGetRoundTripsThroughRedis() throws Exception {
		HttpResponse<String> put = send(
				HttpRequest.newBuilder(uri("/kv/greeting")).PUT(HttpRequest.BodyPublishers.ofString("hello")));
		assertThat(put.statusCode()).isEqualTo(204);
		HttpResponse<String> get = send(HttpRequest.newBuilder(uri("/kv/greeting")).GET());
		assertThat(get.statusCode()).isEqualTo(200);
		assertThat(get.body()).isEqualTo("hello");
		assertThat(send(HttpRequest.newBuilder(uri("/kv/missing")).GET()).statusCode()).isEqualTo(404);
	}

	@Test
	void putWithCurlStyleFormBodyStoresTheRawBody() throws Exception {
		HttpResponse<String> put = send(HttpRequest.newBuilder(uri("/kv/form"))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.PUT(HttpRequest.BodyPublishers.ofString("hello")));
		assertThat(put.statusCode()).isEqualTo(204);
		assertThat(send(HttpRequest.newBuilder(uri("/kv/form")).GET()).body()).isEqualTo("hello");
	}

	@Test
	void actuatorShowsRedisHealthMetricsAndPrometheus() throws Exception {
		HttpResponse<String> health = send(HttpRequest.newBuilder(uri("/actuator/health")).GET());
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(JsonPath.<String>read(health.body(), "$.components.redis.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(health.body(), "$.components.redis.details.version"))
			.isEqualTo(this.redis.version());
		assertThat(send(HttpRequest.newBuilder(uri("/actuator/metrics")).GET()).statusCode()).isEqualTo(200);
		assertThat(send(HttpRequest.newBuilder(uri("/actuator/prometheus")).GET()).statusCode()).isEqualTo(200);
	}

	@Test
	void appHoldsOneConnectionNamedAfterApplicationAndInstance() throws Exception {
		for (int i = 0; i < 20; i++) {
			send(HttpRequest.newBuilder(uri("/kv/k" + i)).PUT(HttpRequest.BodyPublishers.ofString("v")));
			send(HttpRequest.newBuilder(uri("/actuator/health")).GET());
		}
		List<Map<String, String>> clients = this.redis.clientList()
			.stream()
			.filter((client) -> !"redis-governor-fixture".equals(client.get("name")))
			.toList();
		assertThat(clients).singleElement()
			.satisfies((client) -> assertThat(client.get("name")).isEqualTo(this.identity.getClientName())
				.startsWith("redis-governor-sample:"));
	}

	@Test
	void leakDemoIsOffByDefault() throws Exception {
		assertThat(send(HttpRequest.newBuilder(uri("/demo/leak")).GET()).statusCode()).isEqualTo(404);
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
		return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
	}

}
