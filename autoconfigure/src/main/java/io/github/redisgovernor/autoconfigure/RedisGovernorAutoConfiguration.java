package io.github.redisgovernor.autoconfigure;

import java.time.Duration;

import io.github.redisgovernor.client.ClientPolicy;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.NativeTransport;
import io.github.redisgovernor.connection.ConnectionActivity;
import io.github.redisgovernor.connection.ConnectionFactoryAudit;
import io.github.redisgovernor.connection.GovernedConnection;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.StringUtils;

/**
 * Auto-configuration that governs the {@link LettuceConnectionFactory} Spring Boot builds
 * from {@code spring.data.redis.*}: one shared, named connection with short timeouts,
 * bounded queues and a jittered reconnect. It only contributes customizers, so every Boot
 * connection setting keeps working.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(beforeName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class,
		LettuceClientConfigurationBuilderCustomizer.class })
@Conditional(RedisGovernorAutoConfiguration.OnGovernorEnabled.class)
@ConditionalOnProperty(name = "spring.data.redis.client-type", havingValue = "lettuce", matchIfMissing = true)
@EnableConfigurationProperties(RedisGovernorProperties.class)
public final class RedisGovernorAutoConfiguration {

	private static final Log logger = LogFactory.getLog(RedisGovernorAutoConfiguration.class);

	/**
	 * The longest default of {@code redis.governor.reconnect.grace}: longer than a
	 * planned failover takes to reconnect, short enough that an outage fails fast.
	 */
	static final Duration DEFAULT_RECONNECT_GRACE = Duration.ofSeconds(1);

	@Bean
	@ConditionalOnMissingBean
	InstanceIdentity redisGovernorInstanceIdentity(RedisGovernorProperties properties, Environment environment) {
		return InstanceIdentity.resolve(properties.getApplication(), properties.getInstanceId(),
				environment.getProperty("spring.application.name"));
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionActivity redisGovernorConnectionActivity() {
		return new ConnectionActivity();
	}

	@Bean
	@ConditionalOnMissingBean
	GovernedClientCustomizer redisGovernorClientCustomizer(InstanceIdentity identity,
			RedisGovernorProperties properties, Environment environment, ConnectionActivity activity) {
		Binder binder = Binder.get(environment);
		String bootClientName = binder.bind("spring.data.redis.client-name", String.class).orElse(null);
		if (StringUtils.hasText(bootClientName)) {
			logger.warn("Redis Governor [" + identity + "] names every connection '" + identity.getClientName()
					+ "', so spring.data.redis.client-name='" + bootClientName + "' is not used. Set "
					+ "redis.governor.application (and redis.governor.instance-id) to choose the name instead.");
		}
		Duration bootConnectTimeout = binder.bind("spring.data.redis.connect-timeout", Duration.class).orElse(null);
		Duration bootCommandTimeout = binder.bind("spring.data.redis.timeout", Duration.class).orElse(null);
		// Boot's timeouts reach Lettuce through the governor when its own are unset: they
		// get the same checks, named after the property that holds them.
		PropertyChecks bootChecks = new PropertyChecks("spring.data.redis");
		if (properties.getConnectTimeout() == null) {
			bootChecks.positive("connect-timeout", bootConnectTimeout, "2s");
		}
		if (properties.getCommandTimeout() == null) {
			bootChecks.positive("timeout", bootCommandTimeout, "2s");
		}
		Duration connectTimeout = firstNonNull(properties.getConnectTimeout(), bootConnectTimeout,
				RedisGovernorProperties.DEFAULT_CONNECT_TIMEOUT);
		Duration commandTimeout = firstNonNull(properties.getCommandTimeout(), bootCommandTimeout,
				RedisGovernorProperties.DEFAULT_COMMAND_TIMEOUT);
		RedisGovernorProperties.Tcp tcp = properties.getTcp();
		Duration grace = properties.getReconnect().getGrace();
		new PropertyChecks("redis.governor").shorterThan("reconnect.grace", grace,
				"the command timeout" + ((properties.getCommandTimeout() != null) ? " 'redis.governor.command-timeout'"
						: (bootCommandTimeout != null) ? " 'spring.data.redis.timeout'" : ""),
				commandTimeout, "1s");
		if (grace == null) {
			grace = min(DEFAULT_RECONNECT_GRACE, commandTimeout.dividedBy(2));
		}
		ClientPolicy policy = new ClientPolicy(connectTimeout, commandTimeout, properties.getRequestQueueSize(),
				properties.getReconnect().getMinDelay(), properties.getReconnect().getMaxDelay(),
				tcp.getKeepAliveIdle(), tcp.getKeepAliveInterval(), tcp.getKeepAliveCount(), tcp.getUserTimeout(),
				grace);
		GovernedClientCustomizer customizer = new GovernedClientCustomizer(identity, policy, NativeTransport.detect(),
				activity);
		customizer.useClusterRefresh(clusterRefresh(binder, properties.getCluster().getRefresh()));
		return customizer;
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionFactoryAudit redisGovernorConnectionFactoryAudit(ListableBeanFactory beanFactory,
			GovernedClientCustomizer customizer, ObjectProvider<GovernedConnection> governed) {
		return new ConnectionFactoryAudit(beanFactory, customizer, governed);
	}

	/**
	 * Matches unless {@code redis.governor.enabled} is false. Unlike
	 * {@code @ConditionalOnBooleanProperty}, a value that is not a boolean
	 * ({@code enabled=ture}) fails startup instead of switching the governor off without
	 * a word, and the values Spring Boot binds as booleans ({@code on}, {@code yes}) mean
	 * the same here as in {@link RedisGovernorProperties}.
	 */
	static class OnGovernorEnabled extends SpringBootCondition {

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			boolean enabled = Binder.get(context.getEnvironment())
				.bind("redis.governor.enabled", Boolean.class)
				.orElse(true);
			return enabled ? ConditionOutcome.match("redis.governor.enabled is not false")
					: ConditionOutcome.noMatch("redis.governor.enabled is false");
		}

	}

	/**
	 * Lettuce 7's refresh options (every adaptive trigger on, at most one refresh per
	 * {@code adaptive-timeout}, periodic refresh off, dynamic sources, stale connections
	 * closed), with Spring Boot's settings carried over. The periodic refresh and the
	 * refresh while a node is down run on the governor's thread instead, paced by the
	 * fleet ({@code TopologyRefresher}).
	 */
	static ClusterTopologyRefreshOptions clusterRefresh(Binder binder,
			RedisGovernorProperties.Cluster.Refresh refresh) {
		ClusterTopologyRefreshOptions.Builder options = ClusterTopologyRefreshOptions.builder()
			.dynamicRefreshSources(
					binder.bind("spring.data.redis.lettuce.cluster.refresh.dynamic-refresh-sources", Boolean.class)
						.orElse(true))
			.closeStaleConnections(true)
			.adaptiveRefreshTriggersTimeout(refresh.getAdaptiveTimeout());
		if (!binder.bind("spring.data.redis.lettuce.cluster.refresh.adaptive", Boolean.class).orElse(true)) {
			options.disableAllAdaptiveRefreshTriggers();
		}
		return options.build();
	}

	private static Duration min(Duration a, Duration b) {
		return (a.compareTo(b) <= 0) ? a : b;
	}

	private static Duration firstNonNull(@Nullable Duration governor, @Nullable Duration boot, Duration fallback) {
		if (governor != null) {
			return governor;
		}
		return (boot != null) ? boot : fallback;
	}

}
