package io.github.redisgovernor.autoconfigure.cache;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.cache.FailOpenCacheErrorHandler;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.client.InstanceIdentity;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.cache.annotation.CachingConfigurer;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.cache.RedisCacheManager;

/**
 * Auto-configuration of the fail-open cache: with
 * {@code redis.governor.cache.fail-open=true} and a {@link RedisCacheManager}, Redis
 * faults in {@code @Cacheable} and friends count as misses instead of failing the call.
 * <p>
 * Spring's cache abstraction takes its {@link CacheErrorHandler} from the one
 * {@link CachingConfigurer} of the application, and fails when there are two. This
 * configuration therefore backs off when the application has a {@code CachingConfigurer}
 * of its own, or a {@code CacheErrorHandler} bean: its choice wins.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class,
		afterName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
				"org.springframework.boot.cache.autoconfigure.CacheAutoConfiguration" })
@ConditionalOnClass({ CachingConfigurer.class, RedisCacheManager.class })
@ConditionalOnBean({ GovernedClientCustomizer.class, RedisCacheManager.class })
@ConditionalOnBooleanProperty("redis.governor.cache.fail-open")
public final class RedisGovernorCacheAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean({ CachingConfigurer.class, CacheErrorHandler.class })
	RedisGovernorCachingConfigurer redisGovernorCachingConfigurer(InstanceIdentity identity,
			RedisGovernorProperties properties) {
		return new RedisGovernorCachingConfigurer(
				new FailOpenCacheErrorHandler(identity, properties.getCache().getLogInterval()));
	}

	/**
	 * Contributes the fail-open error handler, and nothing else, to Spring's cache
	 * abstraction.
	 */
	public static final class RedisGovernorCachingConfigurer implements CachingConfigurer {

		private final FailOpenCacheErrorHandler errorHandler;

		RedisGovernorCachingConfigurer(FailOpenCacheErrorHandler errorHandler) {
			this.errorHandler = errorHandler;
		}

		@Override
		public FailOpenCacheErrorHandler errorHandler() {
			return this.errorHandler;
		}

	}

}
