package io.github.redisgovernor.autoconfigure.endpoint;

import io.github.redisgovernor.autoconfigure.accounting.RedisGovernorAccountingAutoConfiguration;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.client.ConnectionTracker;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.endpoint.RedisGovernorEndpoint;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.server.ServerFiguresSampler;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@code redisgovernor} Actuator endpoint. Unlike Boot's own
 * endpoints it needs access granted as well as exposure, for example
 * {@code management.endpoint.redisgovernor.access=read-only} and
 * {@code management.endpoints.web.exposure.include=health,redisgovernor}; without both
 * there is no endpoint bean.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAccountingAutoConfiguration.class)
@ConditionalOnClass({ Endpoint.class, ConditionalOnAvailableEndpoint.class })
@ConditionalOnBean({ InstanceRegistry.class, ServerFiguresSampler.class, BudgetMonitor.class })
public final class RedisGovernorEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnAvailableEndpoint
	RedisGovernorEndpoint redisGovernorEndpoint(InstanceRegistry registry, ServerFiguresSampler sampler,
			BudgetMonitor monitor, InstanceIdentity identity, ObjectProvider<ConnectionTracker> connections) {
		return new RedisGovernorEndpoint(registry, sampler, monitor, identity, connections.getIfUnique());
	}

}
