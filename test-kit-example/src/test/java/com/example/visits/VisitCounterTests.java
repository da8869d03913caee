package com.example.visits;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerProperties;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;
import org.springframework.util.ClassUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application against a real Redis started by the test kit, with no Docker: the
 * server is a bean of the test's own configuration, and the application connects to it
 * directly.
 */
@SpringBootTest
class VisitCounterTests {

	@TestConfiguration(proxyBeanMethods = false)
	static class Redis {

		@Bean
		RedisServer redisServer() {
			return RedisServer.start();
		}

		@Bean
		DynamicPropertyRegistrar redisProperties(RedisServer redisServer) {
			return RedisServerProperties.registrar(redisServer);
		}

	}

	@Autowired
	VisitCounter counter;

	@Autowired
	RedisServer redis;

	@Test
	void countsVisitsInTheRealServer() {
		assertThat(this.counter.visit("home")).isEqualTo(1);
		assertThat(this.counter.visit("home")).isEqualTo(2);
		assertThat(this.counter.visits("home")).isEqualTo(2);
		assertThat(this.redis.command("GET", "visits:home")).isEqualTo("2");
		// The application's connection, named by the governor after
		// spring.application.name.
		assertThat(this.redis.clientList())
			.anySatisfy((client) -> assertThat(client.get("name")).startsWith("visits:"));
	}

	@Test
	void needsNoDocker() {
		System.out.printf("redis-server %s from %s, pid %d, on %s%n", this.redis.version(), this.redis.source(),
				this.redis.pid(), this.redis.uri());
		assertThat(this.redis.source()).isNotEqualTo(RedisServer.Source.TESTCONTAINERS);
		assertThat(this.redis.pid()).isPositive();
		assertThat(ClassUtils.isPresent("org.testcontainers.DockerClientFactory", null))
			.as("Testcontainers on the class path")
			.isFalse();
	}

}
