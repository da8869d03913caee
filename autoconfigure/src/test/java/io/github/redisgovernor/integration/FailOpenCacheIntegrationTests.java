package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.redisgovernor.autoconfigure.cache.RedisGovernorCacheAutoConfiguration.RedisGovernorCachingConfigurer;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.dao.DataAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * {@code @Cacheable} on a {@code RedisCacheManager} against a real {@code redis-server}
 * that is stopped or paused (SIGSTOP): with {@code redis.governor.cache.fail-open=true}
 * the method still returns computed values; without it the Redis exception propagates.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class FailOpenCacheIntegrationTests {

	private ConfigurableApplicationContext context;

	@AfterEach
	void closeContext(RedisServer redis) {
		if (redis.isRunning()) {
			redis.resume();
		}
		else {
			redis.restart();
		}
		if (this.context != null) {
			this.context.close();
		}
		Clients.awaitNone(redis);
		redis.flushAll();
	}

	@Test
	void failOpenServesComputedValuesWhileRedisIsStopped(RedisServer redis, CapturedOutput output) {
		this.context = start(redis, "redis.governor.cache.fail-open=true");
		PriceService prices = this.context.getBean(PriceService.class);
		assertThat(prices.price("a")).isEqualTo("price-a-1");
		assertThat(redis.command("EXISTS", "prices::a")).as("cached in Redis").isEqualTo("1");
		redis.stop();
		for (int i = 0; i < 20; i++) {
			String price = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> prices.price("a"));
			assertThat(price).isEqualTo("price-a-" + (i + 2));
		}
		assertThat(this.context.getBean(RedisGovernorCachingConfigurer.class).errorHandler().getAbsorbedErrors())
			.isGreaterThanOrEqualTo(20);
		assertThat(occurrences(output.getOut(), "because redis.governor.cache.fail-open=true")).as("rate-limited WARN")
			.isEqualTo(1);
	}

	@Test
	void failOpenServesComputedValuesWhileRedisIsPaused(RedisServer redis) {
		this.context = start(redis, "redis.governor.cache.fail-open=true", "redis.governor.command-timeout=300ms");
		PriceService prices = this.context.getBean(PriceService.class);
		assertThat(prices.price("b")).isEqualTo("price-b-1");
		redis.pause();
		long start = System.nanoTime();
		String price = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> prices.price("b"));
		System.out.println("fail-open @Cacheable with Redis paused returned in "
				+ Duration.ofNanos(System.nanoTime() - start).toMillis() + "ms");
		assertThat(price).isEqualTo("price-b-2");
	}

	@Test
	void failClosedPropagatesTheRedisFault(RedisServer redis) {
		this.context = start(redis);
		PriceService prices = this.context.getBean(PriceService.class);
		assertThat(prices.price("c")).isEqualTo("price-c-1");
		redis.stop();
		assertThatExceptionOfType(DataAccessException.class)
			.isThrownBy(() -> assertTimeoutPreemptively(Duration.ofSeconds(10), () -> prices.price("c")));
		assertThat(this.context.getBeansOfType(RedisGovernorCachingConfigurer.class)).isEmpty();
	}

	private ConfigurableApplicationContext start(RedisServer redis, String... properties) {
		return new SpringApplicationBuilder(KvTestApplication.class, CacheConfiguration.class)
			.properties("spring.main.web-application-type=none", "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + redis.port(), "spring.main.banner-mode=off", "spring.cache.type=redis",
					"redis.governor.application=cache", "redis.governor.cache.log-interval=1h")
			.properties(properties)
			.run();
	}

	private static int occurrences(String text, String part) {
		int count = 0;
		for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
			count++;
		}
		return count;
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CacheConfiguration {

		@Bean
		PriceService priceService() {
			return new PriceService();
		}

	}

	static class PriceService {

		private final AtomicInteger computed = new AtomicInteger();

		@Cacheable("prices")
		public String price(String item) {
			return "price-" + item + "-" + this.computed.incrementAndGet();
		}

	}

}
