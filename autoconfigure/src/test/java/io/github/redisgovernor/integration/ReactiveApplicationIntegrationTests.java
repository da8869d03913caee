package io.github.redisgovernor.integration;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.connection.SharedConnectionStyle;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.TcpProxy;
import io.github.redisgovernor.watchdog.ConnectionWatchdog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A WebFlux application that uses only {@code ReactiveStringRedisTemplate}, against real
 * {@code redis-server} processes: the governor's own commands use the application's
 * reactive shared connection, so the application holds exactly one connection, and that
 * connection is the one the watchdog replaces after a silent failover.
 */
class ReactiveApplicationIntegrationTests {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static RedisServer serverA;

	private static RedisServer serverB;

	private TcpProxy proxy;

	private ConfigurableApplicationContext context;

	@BeforeAll
	static void startServers() {
		serverA = RedisServer.builder().name("reactive-a").start();
		serverB = RedisServer.builder().name("reactive-b").start();
	}

	@AfterAll
	static void stopServers() {
		serverA.close();
		serverB.close();
	}

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
		if (this.proxy != null) {
			this.proxy.close();
		}
		Clients.awaitNone(serverA);
	}

	@Test
	void reactiveApplicationHoldsExactlyOneNamedConnection() throws Exception {
		this.context = start(serverA.port());
		assertThat(this.context.getBean(GovernedConnection.class).getStyle()).isEqualTo(SharedConnectionStyle.REACTIVE);
		serverA.command("SET", "who", "A");
		for (int i = 0; i < 100; i++) {
			assertThat(get("/kv/who").body()).isEqualTo("A");
		}
		for (int i = 0; i < 20; i++) {
			assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
		}
		List<Map<String, String>> clients = Clients.applicationClients(serverA);
		System.out.printf("reactive application: %d connection(s): %s%n", clients.size(),
				clients.stream().map((client) -> client.get("name")).toList());
		assertThat(clients).singleElement().satisfies((client) -> assertThat(client.get("name")).isEqualTo("flux:a"));
	}

	@Test
	void reactiveApplicationRecoversFromASilentFailover() throws Exception {
		serverA.command("SET", "who", "A");
		serverB.command("SET", "who", "B");
		this.proxy = TcpProxy.start(serverA.port());
		this.context = start(this.proxy.port());
		assertThat(get("/kv/who").body()).isEqualTo("A");
		long failedAt = System.nanoTime();
		this.proxy.retarget(serverB.port());
		this.proxy.silenceOpenConnections();
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
			.until(() -> "B".equals(get("/kv/who").body()));
		long recoveredMillis = (System.nanoTime() - failedAt) / 1_000_000;
		System.out.printf("reactive application: first reply from B %d ms after the silent failover%n",
				recoveredMillis);
		assertThat(this.context.getBean(ConnectionWatchdog.class).getRecoveries()).isEqualTo(1);
		assertThat(Clients.applicationClients(serverB)).singleElement()
			.satisfies((client) -> assertThat(client.get("name")).isEqualTo("flux:a"));
	}

	private ConfigurableApplicationContext start(int port) {
		return new SpringApplicationBuilder(FluxApplication.class)
			.properties("spring.main.web-application-type=reactive", "server.port=0", "spring.main.banner-mode=off",
					"spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + port,
					"redis.governor.application=flux", "redis.governor.instance-id=a",
					"management.endpoints.web.exposure.include=health",
					"management.endpoint.health.show-details=always")
			.run();
	}

	private HttpResponse<String> get(String path) throws Exception {
		String port = this.context.getEnvironment().getProperty("local.server.port");
		return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(10))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class FluxApplication {

		@Bean
		RouterFunction<ServerResponse> kv(ReactiveStringRedisTemplate template) {
			return RouterFunctions.route()
				.GET("/kv/{key}", (request) -> template.opsForValue()
					.get(request.pathVariable("key"))
					.flatMap((value) -> ServerResponse.ok().bodyValue(value))
					.switchIfEmpty(Mono.defer(() -> ServerResponse.notFound().build())))
				.build();
		}

	}

}
