package io.github.redisgovernor.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small key-value web service on Redis. Its only Redis-specific dependency is the Redis
 * Governor starter.
 *
 * @author Redis Governor contributors
 */
@SpringBootApplication
public class SampleApplication {

	public static void main(String[] args) {
		SpringApplication.run(SampleApplication.class, args);
	}

}
