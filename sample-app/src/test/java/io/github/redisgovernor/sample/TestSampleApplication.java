package io.github.redisgovernor.sample;

import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.SpringApplication;

/**
 * Runs the sample app for development:
 * {@code ./mvnw -pl sample-app -am spring-boot:test-run}. When no Redis is configured it
 * starts a real local {@code redis-server} (see {@link LocalRedisConfiguration}). Set
 * {@code REDIS_URL} or any {@code spring.data.redis.*} property to use another Redis
 * instead.
 */
public final class TestSampleApplication {

	private TestSampleApplication() {
	}

	public static void main(String[] args) {
		List<String> arguments = new ArrayList<>(List.of(args));
		String redisUrl = System.getenv("REDIS_URL");
		if (redisUrl != null && !redisUrl.isBlank()) {
			arguments.add("--spring.data.redis.url=" + redisUrl);
		}
		SpringApplication.from(SampleApplication::main)
			.with(LocalRedisConfiguration.class)
			.run(arguments.toArray(String[]::new));
	}

}
