package io.github.redisgovernor.autoconfigure.startup;

import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.startup.StartupConnectivityCheck;
import io.lettuce.core.RedisClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of {@code redis.governor.fail-fast}: when true, startup fails if
 * Redis cannot be reached. By default nothing is added: the application starts, the
 * {@code redis} health component is DOWN and the connection opens once Redis answers.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorConnectionAutoConfiguration.class)
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean(GovernedConnection.class)
@ConditionalOnBooleanProperty("redis.governor.fail-fast")
public final class RedisGovernorStartupAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	StartupConnectivityCheck redisGovernorStartupConnectivityCheck(GovernedConnection connection,
			GovernedClientCustomizer customizer) {
		return new StartupConnectivityCheck(connection, customizer.getPolicy().connectTimeout());
	}

}
