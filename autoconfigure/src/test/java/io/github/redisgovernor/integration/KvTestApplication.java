package io.github.redisgovernor.integration;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.redisgovernor.test.redis.RedisServer;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A minimal web application with Spring Boot's full auto-configuration (data-redis,
 * actuator, web MVC) plus the governor, as a user would have it.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class KvTestApplication {

	private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	/**
	 * Start the application against the given server.
	 * @param redis the server
	 * @param properties extra properties
	 * @return the running context
	 */
	public static ConfigurableApplicationContext start(RedisServer redis, String... properties) {
		return start(redis.port(), properties);
	}

	/**
	 * Start the application against a port, whether or not a server listens there.
	 * @param redisPort the port
	 * @param properties extra properties
	 * @return the running context
	 */
	public static ConfigurableApplicationContext start(int redisPort, String... properties) {
		List<String> all = new ArrayList<>(List.of("server.port=0", "spring.data.redis.host=127.0.0.1",
				"spring.data.redis.port=" + redisPort, "management.endpoints.web.exposure.include=health",
				"management.endpoint.health.show-details=always", "spring.main.banner-mode=off"));
		all.addAll(List.of(properties));
		return new SpringApplicationBuilder(KvTestApplication.class).properties(all.toArray(String[]::new)).run();
	}

	/**
	 * GET a path of the running application.
	 * @param context the running context
	 * @param path the path, for example {@code /actuator/health}
	 * @return the response
	 * @throws Exception on I/O failure
	 */
	public static HttpResponse<String> get(ConfigurableApplicationContext context, String path) throws Exception {
		String port = context.getEnvironment().getProperty("local.server.port");
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
			.timeout(Duration.ofSeconds(30))
			.build();
		return http.send(request, HttpResponse.BodyHandlers.ofString());
	}

}
