package io.github.redisgovernor.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import io.github.redisgovernor.test.redis.RedisServer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Dev-time Redis: starts a real {@code redis-server} (the tests' fixture) on 6379 when
 * that port is free, otherwise on a free port, unless a Redis is configured.
 */
@TestConfiguration(proxyBeanMethods = false)
@Conditional(LocalRedisConfiguration.NoRedisConfigured.class)
class LocalRedisConfiguration {

	private static final Log logger = LogFactory.getLog(LocalRedisConfiguration.class);

	@Bean(destroyMethod = "close")
	RedisServer localRedisServer() {
		RedisServer server = RedisServer.builder().name("sample-app").port(isFree(6379) ? 6379 : 0).start();
		logger.info("No Redis configured: started a local redis-server " + server.version() + " on " + server.uri()
				+ " (pid " + server.pid() + "). Try: redis-cli -p " + server.port() + " CLIENT LIST");
		return server;
	}

	@Bean
	DataRedisConnectionDetails localRedisConnectionDetails(RedisServer localRedisServer) {
		return new DataRedisConnectionDetails() {

			@Override
			public Standalone getStandalone() {
				return Standalone.of(localRedisServer.host(), localRedisServer.port());
			}

		};
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	static class NoRedisConfigured extends SpringBootCondition {

		private static final String[] CONNECTION_PROPERTIES = { "spring.data.redis.url", "spring.data.redis.host",
				"spring.data.redis.port", "spring.data.redis.sentinel.master", "spring.data.redis.cluster.nodes" };

		@Override
		public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
			Environment environment = context.getEnvironment();
			for (String property : CONNECTION_PROPERTIES) {
				if (environment.containsProperty(property)) {
					return ConditionOutcome.noMatch(property + " is set");
				}
			}
			return ConditionOutcome.match("no Redis connection is configured");
		}

	}

}
