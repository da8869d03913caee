package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The governor's lifecycle in a real application against a real {@code redis-server}:
 * {@code context.stop()} leaves no governor thread and no socket, {@code start()} brings
 * back exactly one registered, watched connection; and an application whose factories the
 * governor cannot choose from still starts.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class LifecycleIntegrationTests {

	private static final String KEY = "{redis-governor}:instances";

	private ConfigurableApplicationContext context;

	@AfterEach
	void close(RedisServer redis) {
		if (this.context != null) {
			this.context.close();
		}
		Clients.awaitNone(redis);
		redis.flushAll();
	}

	@Test
	void stopAndStartThreeTimesLeavesOneRegisteredConnectionAndNoThreadWhileStopped(RedisServer redis) {
		this.context = KvTestApplication.start(redis, "redis.governor.application=cycle",
				"redis.governor.instance-id=a", "redis.governor.registry.heartbeat-interval=200ms",
				"redis.governor.registry.ttl=1s", "redis.governor.server.sample-interval=200ms");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		awaitRunning(redis, template);
		for (int cycle = 1; cycle <= 3; cycle++) {
			this.context.stop();
			await().atMost(Duration.ofSeconds(5)).until(() -> governorThreads() == 0);
			await().atMost(Duration.ofSeconds(10))
				.untilAsserted(() -> assertThat(named(redis, "cycle:a")).as("sockets after stop").isZero());
			assertThat(redis.command("ZSCORE", KEY, "cycle/a")).as("deregistered after stop").isNull();
			this.context.start();
			awaitRunning(redis, template);
			assertThat(governorThreads()).as("governor threads after start %d", cycle).isEqualTo(1);
		}
		GovernedConnection connection = this.context.getBean(GovernedConnection.class);
		assertThat(connection.sharedConnections()).hasSize(1);
	}

	@Test
	void drainDoesNotWaitForAConsumerParkedOnADedicatedConnection(RedisServer redis, CapturedOutput output)
			throws Exception {
		this.context = KvTestApplication.start(redis, "redis.governor.application=parked",
				"redis.governor.instance-id=a", "redis.governor.shutdown.drain-timeout=5s");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("parked", "x");
		// A consumer parked in BLPOP: Spring Data Redis gives it a dedicated connection.
		Thread consumer = new Thread(() -> {
			try {
				template.opsForList().leftPop("nothing-arrives", Duration.ofSeconds(30));
			}
			catch (RuntimeException ex) {
				// The close ends it.
			}
		}, "parked-consumer");
		consumer.setDaemon(true);
		consumer.start();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> redis.clientList().stream().anyMatch((client) -> "blpop".equals(client.get("cmd"))));
		this.context.close();
		this.context = null;
		assertThat(output.getOut()).contains("Redis Governor [parked:a] drained the Redis connection in")
			.doesNotContain("Redis work was still running after redis.governor.shutdown.drain-timeout");
		consumer.join(TimeUnit.SECONDS.toMillis(40));
	}

	@Test
	void drainStopsBeforeAFactoryWhosePhaseWasRaised(RedisServer redis, CapturedOutput output) {
		this.context = new SpringApplicationBuilder(RaisedFactoryPhase.class)
			.properties("spring.main.web-application-type=none", "spring.main.banner-mode=off",
					"spring.data.redis.port=" + redis.port(), "redis.governor.application=raised",
					"redis.governor.instance-id=a")
			.run();
		this.context.getBean(StringRedisTemplate.class).opsForValue().set("raised", "running");
		this.context.close();
		this.context = null;
		// The @PreDestroy write landed: the factory was not stopped before it.
		assertThat(redis.command("GET", "raised")).isEqualTo("destroyed");
		assertThat(output.getOut()).contains("Redis Governor [raised:a] drained the Redis connection in")
			.doesNotContain("has been STOPPED");
	}

	private void awaitRunning(RedisServer redis, StringRedisTemplate template) {
		template.opsForValue().set("cycle", "x");
		assertThat(template.opsForValue().get("cycle")).isEqualTo("x");
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(redis.command("ZSCORE", KEY, "cycle/a")).isNotNull());
		assertThat(named(redis, "cycle:a")).as("connections after start").isEqualTo(1);
	}

	@Test
	void twoFactoriesWithoutAPrimaryStartWithOneWarning(RedisServer redis, CapturedOutput output) {
		// Plain Spring Boot starts with two factories only without its templates and
		// repositories, which need a single one: so does the test, governed.
		this.context = new SpringApplicationBuilder(TwoFactories.class)
			.properties("spring.main.web-application-type=none", "spring.main.banner-mode=off",
					"spring.application.name=two", "redis.port=" + redis.port(),
					"spring.data.redis.repositories.enabled=false",
					"spring.autoconfigure.exclude=org.springframework.boot.data.redis.autoconfigure."
							+ "DataRedisReactiveAutoConfiguration")
			.run();
		assertThat(this.context.getBeansOfType(GovernedConnection.class)).isEmpty();
		assertThat(output.getOut()).containsOnlyOnce("governs no connection factory")
			.contains("'first'")
			.contains("'second'")
			.contains("@Primary");
		// The application's own factories work as before.
		assertThat(this.context.getBean("first", LettuceConnectionFactory.class).getConnection().ping())
			.isEqualTo("PONG");
	}

	@Test
	void twoFactoriesWithAPrimaryGovernThePrimary(RedisServer redis, CapturedOutput output) {
		this.context = new SpringApplicationBuilder(TwoFactoriesOnePrimary.class)
			.properties("spring.main.web-application-type=none", "spring.main.banner-mode=off",
					"spring.application.name=two", "redis.port=" + redis.port())
			.run();
		GovernedConnection connection = this.context.getBean(GovernedConnection.class);
		assertThat(connection.getFactory()).isSameAs(this.context.getBean("first"));
		assertThat(output.getOut()).containsOnlyOnce("governs 'first' among 2 RedisConnectionFactory beans");
	}

	private static long named(RedisServer redis, String name) {
		List<Map<String, String>> clients = redis.clientList();
		return clients.stream().filter((client) -> name.equals(client.get("name"))).count();
	}

	private static long governorThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().startsWith(GovernorScheduler.THREAD_NAME))
			.count();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class RaisedFactoryPhase {

		@Bean
		static BeanPostProcessor raiseFactoryPhase() {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessBeforeInitialization(Object bean, String beanName) {
					if (bean instanceof LettuceConnectionFactory factory) {
						// Above the drain's phase: without a dependency it would stop
						// first.
						factory.setPhase(Integer.MAX_VALUE - 100);
					}
					return bean;
				}

			};
		}

		@Bean
		WritesOnDestroy writesOnDestroy(StringRedisTemplate template) {
			return new WritesOnDestroy(template);
		}

	}

	static class WritesOnDestroy {

		private final StringRedisTemplate template;

		WritesOnDestroy(StringRedisTemplate template) {
			this.template = template;
		}

		@jakarta.annotation.PreDestroy
		void destroy() {
			this.template.opsForValue().set("raised", "destroyed");
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TwoFactories {

		@Bean
		LettuceConnectionFactory first(org.springframework.core.env.Environment environment) {
			return factory(environment);
		}

		@Bean
		LettuceConnectionFactory second(org.springframework.core.env.Environment environment) {
			return factory(environment);
		}

		static LettuceConnectionFactory factory(org.springframework.core.env.Environment environment) {
			return new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1",
					environment.getRequiredProperty("redis.port", int.class)));
		}

	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class TwoFactoriesOnePrimary {

		@Bean
		@org.springframework.context.annotation.Primary
		LettuceConnectionFactory first(org.springframework.core.env.Environment environment) {
			return TwoFactories.factory(environment);
		}

		@Bean
		LettuceConnectionFactory second(org.springframework.core.env.Environment environment) {
			return TwoFactories.factory(environment);
		}

	}

}
