package io.github.redisgovernor.integration;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.connection.SharedConnectionStyle;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.RedisServerSettings;
import io.github.redisgovernor.test.redis.TcpProxy;
import io.github.redisgovernor.watchdog.ConnectionWatchdog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
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
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class ReactiveApplicationIntegrationTests {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final RedisServer serverA;

	private final RedisServer serverB;

	private TcpProxy proxy;

	private ConfigurableApplicationContext context;

	ReactiveApplicationIntegrationTests(@RedisServerSettings(name = "reactive-a") RedisServer serverA,
			@RedisServerSettings(name = "reactive-b") RedisServer serverB) {
		this.serverA = serverA;
		this.serverB = serverB;
	}

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
		if (this.proxy != null) {
			this.proxy.close();
		}
		Clients.awaitNone(this.serverA);
	}

	@Test
	void reactiveApplicationHoldsExactlyOneNamedConnection() throws Exception {
		this.context = start(this.serverA.port());
		assertThat(this.context.getBean(GovernedConnection.class).getStyle()).isEqualTo(SharedConnectionStyle.REACTIVE);
		this.serverA.command("SET", "who", "A");
		for (int i = 0; i < 100; i++) {
			assertThat(get("/kv/who").body()).isEqualTo("A");
		}
		for (int i = 0; i < 20; i++) {
			assertThat(get("/actuator/health").statusCode()).isEqualTo(200);
		}
		List<Map<String, String>> clients = Clients.applicationClients(this.serverA);
		System.out.printf("reactive application: %d connection(s): %s%n", clients.size(),
				clients.stream().map((client) -> client.get("name")).toList());
		assertThat(clients).singleElement().satisfies((client) -> assertThat(client.get("name")).isEqualTo("flux:a"));
	}

	@Test
	void reactiveApplicationRecoversFromASilentFailover() throws Exception {
		this.serverA.command("SET", "who", "A");
		this.serverB.command("SET", "who", "B");
		this.proxy = TcpProxy.start(this.serverA.port());
		this.context = start(this.proxy.port());
		assertThat(get("/kv/who").body()).isEqualTo("A");
		long failedAt = System.nanoTime();
		this.proxy.retarget(this.serverB.port());
		this.proxy.silenceOpenConnections();
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> "B".equals(get("/kv/who").body()));
		long recoveredMillis = (System.nanoTime() - failedAt) / 1_000_000;
		System.out.printf("reactive application: first reply from B %d ms after the silent failover%n",
				recoveredMillis);
		assertThat(this.context.getBean(ConnectionWatchdog.class).getRecoveries()).isEqualTo(1);
		assertThat(Clients.applicationClients(this.serverB)).singleElement()
			.satisfies((client) -> assertThat(client.get("name")).isEqualTo("flux:a"));
	}

	@Test
	void reactiveApplicationRecoversFromARedisRestart() throws Exception {
		this.serverA.command("SET", "who", "A");
		this.context = start(this.serverA.port());
		assertThat(get("/kv/who").body()).isEqualTo("A");
		this.serverA.stop();
		long stoppedAt = System.nanoTime();
		long slowestMillis = 0;
		for (int i = 0; i < 5; i++) {
			long start = System.nanoTime();
			assertThat(get("/kv/who").statusCode()).isEqualTo(500);
			slowestMillis = Math.max(slowestMillis, (System.nanoTime() - start) / 1_000_000);
		}
		this.serverA.restart();
		this.serverA.command("SET", "who", "A again");
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.ignoreExceptions()
			.until(() -> "A again".equals(get("/kv/who").body()));
		System.out.printf("reactive application: slowest call while Redis was down %d ms; first reply %d ms after "
				+ "the restart began%n", slowestMillis, (System.nanoTime() - stoppedAt) / 1_000_000);
		assertThat(Clients.applicationClients(this.serverA)).singleElement()
			.satisfies((client) -> assertThat(client.get("name")).isEqualTo("flux:a"));
	}

	@Test
	void reactiveCommandInFlightCompletesBeforeTheConnectionCloses(CapturedOutput output) {
		this.context = start(this.serverA.port());
		ReactiveStringRedisTemplate template = this.context.getBean(ReactiveStringRedisTemplate.class);
		AtomicReference<Object> result = new AtomicReference<>();
		// A script that runs 1 s, sent without anyone waiting for it, then shutdown.
		template.execute(RedisScript
			.of("redis.call('SET', 'flux:script', '1') local t = redis.call('TIME') local start = t[1] * 1000 + t[2] / 1000 "
					+ "local now = start while now - start < 1000 do t = redis.call('TIME') "
					+ "now = t[1] * 1000 + t[2] / 1000 end return 'done'", String.class))
			.subscribe(result::set, result::set);
		// The script reached the server. It marks itself first: the fixture's GET waits
		// while it runs (Redis runs one thing at a time) and sees the mark afterwards,
		// whatever command the connection ran next (the fleet sampler's EVALSHA queues
		// behind it).
		await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(this.serverA.command("GET", "flux:script")));
		this.context.close();
		this.context = null;
		assertThat(result.get()).isEqualTo("done");
		// The command finished on the open connection (the registry's ZREM queued behind
		// it),
		// and nothing was abandoned.
		assertThat(output.getOut()).contains("Redis Governor [flux:a] drained the Redis connection in")
			.contains("0 abandoned.")
			.doesNotContain("Redis work was still running");
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
				.GET("/kv/{key}",
						(request) -> template.opsForValue()
							.get(request.pathVariable("key"))
							.flatMap((value) -> ServerResponse.ok().bodyValue(value))
							.switchIfEmpty(Mono.defer(() -> ServerResponse.notFound().build())))
				.build();
		}

	}

}
