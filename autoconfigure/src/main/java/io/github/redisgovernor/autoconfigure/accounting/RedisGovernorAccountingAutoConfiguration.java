package io.github.redisgovernor.autoconfigure.accounting;

import java.util.Map;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.client.ConnectionTracker;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.SharedConnectionCommands;
import io.github.redisgovernor.registry.InstanceRegistry;
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
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of connection accounting: the instance registry, the server
 * figures sampler, the budget monitor and this instance's connection counts. All of them
 * use the governed, shared connection; none opens one of its own.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean({ GovernedClientCustomizer.class, RedisConnectionFactory.class })
@EnableConfigurationProperties(RedisGovernorProperties.class)
public final class RedisGovernorAccountingAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	SharedConnectionCommands redisGovernorSharedConnectionCommands(ObjectProvider<RedisConnectionFactory> factories,
			Map<String, RedisConnectionFactory> factoriesByName, GovernedClientCustomizer customizer) {
		RedisConnectionFactory factory = factories.getIfUnique(() -> factoriesByName.get("redisConnectionFactory"));
		if (factory == null) {
			throw new IllegalStateException("Redis Governor could not choose the connection factory to account on among "
					+ factoriesByName.keySet() + ": mark the governed one @Primary or name it 'redisConnectionFactory'.");
		}
		return new SharedConnectionCommands(factory, customizer.getPolicy().commandTimeout());
	}

	@Bean
	@ConditionalOnMissingBean
	InstanceRegistry redisGovernorInstanceRegistry(SharedConnectionCommands commands, InstanceIdentity identity,
			RedisGovernorProperties properties) {
		RedisGovernorProperties.Registry registry = properties.getRegistry();
		return new InstanceRegistry(commands, identity, registry.getKey(), registry.getHeartbeatInterval(),
				registry.getTtl());
	}

	@Bean
	@ConditionalOnMissingBean
	ServerFiguresSampler redisGovernorServerFiguresSampler(SharedConnectionCommands commands,
			InstanceIdentity identity, RedisGovernorProperties properties, ObjectProvider<InstanceRegistry> registry) {
		RedisGovernorProperties.Server server = properties.getServer();
		ServerFiguresSampler sampler = new ServerFiguresSampler(commands, identity, server.getSampleInterval(),
				server.getFastSampleInterval(), server.getClientListMaxAge());
		// A heartbeat at least as frequent as the sampling reads INFO clients in its own
		// script: one command per interval for both (docs/fleet-benchmark.md).
		registry.ifUnique((instances) -> instances.carrySamplesTo(sampler));
		return sampler;
	}

	@Bean
	@ConditionalOnMissingBean
	BudgetMonitor redisGovernorBudgetMonitor(ServerFiguresSampler sampler, InstanceRegistry registry,
			InstanceIdentity identity, RedisGovernorProperties properties) {
		BudgetMonitor monitor = new BudgetMonitor(properties.getBudget().toPolicy(), registry::current, identity);
		monitor.listenTo(sampler);
		return monitor;
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionTracker redisGovernorConnectionTracker(ObjectProvider<ClientResources> clientResources,
			ObjectProvider<LettuceConnectionFactory> factories) {
		ClientResources resources = clientResources.getIfUnique();
		if (resources == null) {
			LettuceConnectionFactory factory = factories.getIfUnique();
			resources = (factory != null) ? factory.getClientResources() : null;
		}
		if (resources == null) {
			throw new IllegalStateException("Redis Governor found no unique Lettuce ClientResources to count "
					+ "connections on: define one ClientResources bean, or set redis.governor.enabled=false.");
		}
		return new ConnectionTracker(resources);
	}

}
