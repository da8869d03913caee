package io.github.redisgovernor.autoconfigure.cluster;

import java.time.Duration;

import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.autoconfigure.accounting.RedisGovernorAccountingAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.cluster.TopologyRefresher;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.lettuce.core.cluster.RedisClusterClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for the governor's Redis Cluster topology refresh. The refresher
 * does nothing unless the governed factory talks to a cluster.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(
		after = { RedisGovernorConnectionAutoConfiguration.class, RedisGovernorAccountingAutoConfiguration.class })
@ConditionalOnClass(RedisClusterClient.class)
@ConditionalOnBean(GovernedConnection.class)
public final class RedisGovernorClusterAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	TopologyRefresher redisGovernorTopologyRefresher(GovernedConnection connection, GovernorScheduler scheduler,
			RedisGovernorProperties properties, ObjectProvider<InstanceRegistry> registry, Environment environment) {
		RedisGovernorProperties.Cluster.Refresh refresh = properties.getCluster().getRefresh();
		// Spring Boot's period, when set, is the period the governor paces.
		Duration period = Binder.get(environment)
			.bind("spring.data.redis.lettuce.cluster.refresh.period", Duration.class)
			.orElse(refresh.getPeriod());
		Duration heartbeat = properties.getRegistry().getHeartbeatInterval();
		InstanceRegistry instances = registry.getIfUnique();
		return new TopologyRefresher(connection, scheduler, period, refresh.getWhileNodeDown(),
				(instances != null) ? instances::getEffectiveHeartbeatInterval : () -> heartbeat);
	}

}
