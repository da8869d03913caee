package io.github.redisgovernor.autoconfigure.cache;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.autoconfigure.cache.RedisGovernorCacheAutoConfiguration.RedisGovernorCachingConfigurer;
import io.github.redisgovernor.cache.FailOpenCacheErrorHandler;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.cache.interceptor.SimpleCacheErrorHandler;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheManager;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorCacheAutoConfiguration}: conditions and back-off. Nothing
 * here connects to Redis.
 */
class RedisGovernorCacheAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class,
				CacheAutoConfiguration.class, RedisGovernorCacheAutoConfiguration.class))
		.withUserConfiguration(CachingEnabled.class)
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.cache.type=redis");

	@Test
	void runWhenFailOpenShouldContributeFailOpenErrorHandler() {
		this.contextRunner.withPropertyValues("redis.governor.cache.fail-open=true").run((context) -> {
			assertThat(context).hasSingleBean(RedisCacheManager.class);
			assertThat(context.getBean(RedisGovernorCachingConfigurer.class).errorHandler())
				.isInstanceOf(FailOpenCacheErrorHandler.class);
		});
	}

	@Test
	void runByDefaultShouldFailClosed() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorCachingConfigurer.class));
	}

	@Test
	void runWhenGovernorDisabledShouldNotContributeErrorHandler() {
		this.contextRunner.withPropertyValues("redis.governor.cache.fail-open=true", "redis.governor.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorCachingConfigurer.class));
	}

	@Test
	void runWithUserCachingConfigurerShouldBackOff() {
		this.contextRunner.withPropertyValues("redis.governor.cache.fail-open=true")
			.withBean("userCachingConfigurer", CachingConfigurer.class, () -> new CachingConfigurer() {
			})
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(RedisGovernorCachingConfigurer.class));
	}

	@Test
	void runWithUserCacheErrorHandlerShouldBackOff() {
		this.contextRunner.withPropertyValues("redis.governor.cache.fail-open=true")
			.withBean(CacheErrorHandler.class, SimpleCacheErrorHandler::new)
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorCachingConfigurer.class));
	}

	@Test
	void runWithoutSpringCacheShouldNotContributeErrorHandler() {
		this.contextRunner.withPropertyValues("redis.governor.cache.fail-open=true", "spring.cache.type=none")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorCachingConfigurer.class));
	}

	@Test
	void runWithoutSpringDataRedisCacheShouldNotContributeErrorHandler() {
		this.contextRunner.withPropertyValues("redis.governor.cache.fail-open=true")
			.withClassLoader(new FilteredClassLoader(RedisCacheManager.class))
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorCachingConfigurer.class));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	static class CachingEnabled {

	}

}
