package io.github.redisgovernor.client;

import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.springframework.data.redis.connection.RedisClusterConfiguration;
import org.springframework.data.redis.connection.RedisNode;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisSocketConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Where a {@link LettuceConnectionFactory} connects to, as text for log lines and startup
 * failures: {@code host:port}, the Sentinel master and sentinels, the cluster seed nodes
 * or the socket path. It never contains a user name or password.
 *
 * @author Redis Governor contributors
 */
public final class RedisEndpoint {

	private RedisEndpoint() {
	}

	/**
	 * Describe the endpoint of the given factory.
	 * @param factory the connection factory
	 * @return a description without credentials, for example {@code 10.0.1.5:6379}
	 */
	public static String describe(LettuceConnectionFactory factory) {
		RedisClusterConfiguration cluster = factory.getClusterConfiguration();
		if (factory.isClusterAware() && cluster != null) {
			return "cluster " + nodes(cluster.getClusterNodes());
		}
		RedisSentinelConfiguration sentinel = factory.getSentinelConfiguration();
		if (factory.isRedisSentinelAware() && sentinel != null) {
			String master = (sentinel.getMaster() != null) ? sentinel.getMaster().getName() : "?";
			return "master '" + master + "' via sentinels " + nodes(sentinel.getSentinels());
		}
		RedisSocketConfiguration socket = factory.getSocketConfiguration();
		if (socket != null) {
			return "unix socket " + socket.getSocket();
		}
		return factory.getHostName() + ":" + factory.getPort();
	}

	private static String nodes(Iterable<RedisNode> nodes) {
		return StreamSupport.stream(nodes.spliterator(), false)
			.map((node) -> node.getHost() + ":" + node.getPort())
			.collect(Collectors.joining(", ", "[", "]"));
	}

}
