package io.github.redisgovernor.autoconfigure.leak;

import java.time.Duration;

import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.leak.ConnectionLeakDetector;
import io.github.redisgovernor.leak.LeakDetectionPostProcessor;
import io.github.redisgovernor.scheduling.GovernorScheduler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Auto-configuration of {@link ConnectionLeakDetector}, active when
 * {@code redis.governor.leak-detection-threshold} is set to a positive duration.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorConnectionAutoConfiguration.class)
@ConditionalOnBean(GovernorScheduler.class)
@Conditional(RedisGovernorLeakDetectionAutoConfiguration.OnLeakDetectionThreshold.class)
public final class RedisGovernorLeakDetectionAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ConnectionLeakDetector redisGovernorConnectionLeakDetector(RedisGovernorProperties properties,
			InstanceIdentity identity, GovernorScheduler scheduler) {
		return new ConnectionLeakDetector(properties.getLeakDetectionThreshold(), identity, scheduler);
	}

	@Bean
	@ConditionalOnMissingBean
	static LeakDetectionPostProcessor redisGovernorLeakDetectionPostProcessor(
			ObjectProvider<ConnectionLeakDetector> detector) {
		return new LeakDetectionPostProcessor(detector);
	}

	static class OnLeakDetectionThreshold extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Duration threshold = Binder.get(context.getEnvironment())
				.bind("redis.governor.leak-detection-threshold", Duration.class)
				.orElse(Duration.ZERO);
			return (threshold.isNegative() || threshold.isZero())
					? ConditionOutcome.noMatch("redis.governor.leak-detection-threshold is not set")
					: ConditionOutcome.match("redis.governor.leak-detection-threshold is " + threshold);
		}

	}

}
