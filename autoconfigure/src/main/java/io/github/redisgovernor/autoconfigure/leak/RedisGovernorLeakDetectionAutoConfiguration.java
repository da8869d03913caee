package io.github.redisgovernor.autoconfigure.leak;

import java.time.Duration;
import java.util.List;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.leak.DedicatedConnectionLeakDetector;
import io.lettuce.core.RedisClient;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of dedicated-connection leak detection, when
 * {@code redis.governor.leak-detection-threshold} is set to a positive duration.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean({ GovernedClientCustomizer.class, LettuceConnectionFactory.class })
@ConditionalOnProperty("redis.governor.leak-detection-threshold")
public final class RedisGovernorLeakDetectionAutoConfiguration {

	private static final Log logger = LogFactory.getLog(RedisGovernorLeakDetectionAutoConfiguration.class);

	/** Below this, ordinary transactions and pipelines would be reported as leaks. */
	static final Duration MINIMUM_THRESHOLD = Duration.ofMillis(500);

	@Bean
	@ConditionalOnMissingBean
	DedicatedConnectionLeakDetector redisGovernorLeakDetector(ObjectProvider<LettuceConnectionFactory> factories,
			RedisGovernorProperties properties, InstanceIdentity identity) {
		Duration threshold = properties.getLeakDetectionThreshold();
		List<LettuceConnectionFactory> watched = (threshold == null || threshold.isZero()) ? List.of()
				: factories.orderedStream().toList();
		if (threshold == null || threshold.isZero()) {
			threshold = Duration.ZERO;
		}
		else if (threshold.compareTo(MINIMUM_THRESHOLD) < 0) {
			logger.warn("Redis Governor [" + identity + "] redis.governor.leak-detection-threshold ("
					+ threshold.toMillis() + "ms) is below " + MINIMUM_THRESHOLD.toMillis() + "ms, where ordinary "
					+ "transactions would be reported as leaks; using " + MINIMUM_THRESHOLD.toMillis() + "ms.");
			threshold = MINIMUM_THRESHOLD;
		}
		return new DedicatedConnectionLeakDetector(watched, threshold, identity);
	}

}
