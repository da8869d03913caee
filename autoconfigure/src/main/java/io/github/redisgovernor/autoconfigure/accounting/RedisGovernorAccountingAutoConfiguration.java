package io.github.redisgovernor.autoconfigure.accounting;

import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.budget.FollowedAllowance;
import io.github.redisgovernor.client.ConnectionTracker;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.server.ServerFiguresSampler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.resource.ClientResources;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * Auto-configuration of connection accounting: the instance registry, the server figures
 * sampler, the budget monitor and this instance's connection counts. All of them use the
 * governed, shared connection; none opens one of its own.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorConnectionAutoConfiguration.class)
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean(GovernedConnection.class)
@EnableConfigurationProperties(RedisGovernorProperties.class)
public final class RedisGovernorAccountingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	InstanceRegistry redisGovernorInstanceRegistry(GovernedConnection connection, GovernorScheduler scheduler,
			RedisGovernorProperties properties) {
		RedisGovernorProperties.Registry registry = properties.getRegistry();
		return new InstanceRegistry(connection, scheduler, connection.getIdentity(), registry.getKey(),
				registry.getHeartbeatInterval(), registry.getTtl(), registry.getFleetHeartbeatRate(),
				connection.getFactory().getDatabase());
	}

	@Bean
	@ConditionalOnMissingBean
	ServerFiguresSampler redisGovernorServerFiguresSampler(GovernedConnection connection, GovernorScheduler scheduler,
			RedisGovernorProperties properties, ObjectProvider<InstanceRegistry> registry) {
		RedisGovernorProperties.Server server = properties.getServer();
		ServerFiguresSampler sampler = new ServerFiguresSampler(connection, scheduler, connection.getIdentity(),
				server.getSampleInterval(), server.getFastSampleInterval(), server.getClientListMaxAge(),
				server.getClientListInterval());
		// One flow: the registry elects the fleet's sampler and hands its samples over;
		// the other instances adopt them from their heartbeats (docs/budget.md).
		registry.ifUnique((instances) -> instances.sampleFor(sampler));
		return sampler;
	}

	@Bean
	@ConditionalOnMissingBean
	FollowedAllowance redisGovernorConnectionAllowance(GovernedConnection connection,
			ObjectProvider<RedisMessageListenerContainer> listenerContainers, InstanceIdentity identity) {
		return new FollowedAllowance(connection.getFactory(), listenerContainers, identity);
	}

	@Bean
	@ConditionalOnMissingBean
	BudgetMonitor redisGovernorBudgetMonitor(ServerFiguresSampler sampler, InstanceRegistry registry,
			InstanceIdentity identity, RedisGovernorProperties properties, FollowedAllowance allowance) {
		// Read at every sample: a listener container that starts listening adds one.
		BudgetMonitor monitor = new BudgetMonitor(() -> properties.getBudget().toPolicy(allowance.get()),
				registry::current, identity);
		monitor.listenTo(sampler);
		return monitor;
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionTracker redisGovernorConnectionTracker(ObjectProvider<ClientResources> clientResources,
			GovernedConnection connection) {
		ClientResources resources = clientResources.getIfUnique();
		if (resources == null) {
			resources = connection.getFactory().getClientResources();
		}
		if (resources == null) {
			throw new IllegalStateException("Redis Governor found no unique Lettuce ClientResources to count "
					+ "connections on: define one ClientResources bean, or set redis.governor.enabled=false.");
		}
		return new ConnectionTracker(resources);
	}

}
