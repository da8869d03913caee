package io.github.redisgovernor.client;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisEndpoint}. Nothing here connects.
 */
class RedisEndpointTests {

	private static final String SECRET = "s3cret-canary";

	@Test
	void describeStandaloneShouldGiveHostAndPortOnly() {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration("10.0.1.5", 6380);
		configuration.setUsername("app");
		configuration.setPassword(SECRET);
		assertThat(RedisEndpoint.describe(new LettuceConnectionFactory(configuration))).isEqualTo("10.0.1.5:6380");
	}

	@Test
	void describeSentinelShouldGiveMasterAndSentinels() {
		RedisSentinelConfiguration configuration = new RedisSentinelConfiguration("mymaster", Set.of("10.0.0.1:26379"));
		configuration.setPassword(SECRET);
		configuration.setSentinelPassword(SECRET);
		assertThat(RedisEndpoint.describe(new LettuceConnectionFactory(configuration)))
			.isEqualTo("master 'mymaster' via sentinels [10.0.0.1:26379]");
	}

	@Test
	void describeClusterShouldGiveSeedNodes() {
		RedisClusterConfiguration configuration = new RedisClusterConfiguration(List.of("10.0.0.1:7000"));
		configuration.setPassword(SECRET);
		assertThat(RedisEndpoint.describe(new LettuceConnectionFactory(configuration)))
			.isEqualTo("cluster [10.0.0.1:7000]")
			.doesNotContain(SECRET);
	}

}
