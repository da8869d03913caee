package io.github.redisgovernor.watchdog;

import java.lang.reflect.Field;

import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.protocol.DefaultEndpoint;
import org.jspecify.annotations.Nullable;

import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ReflectionUtils;

/**
 * Closes the channel under a dead connection without closing the connection, so that
 * Lettuce's own reconnect takes over and the application keeps its connection object.
 *
 * @author Redis Governor contributors
 */
final class ChannelCloser {

	private static final @Nullable Field DISTRIBUTION_WRITER = distributionWriter();

	private ChannelCloser() {
	}

	/**
	 * Close the connection's channel; where the channel is out of reach (a cluster
	 * connection has one per node), reset the factory's shared connection instead.
	 * @param connection the dead connection
	 * @param factory the factory that shares it
	 * @return {@code true} if the channel was closed, {@code false} if the factory was
	 * reset
	 */
	static boolean close(StatefulConnection<?, ?> connection, LettuceConnectionFactory factory) {
		if (connection instanceof RedisChannelHandler<?, ?> handler) {
			RedisChannelWriter writer = handler.getChannelWriter();
			while (writer instanceof Delegating<?> delegating && delegating.unwrap() instanceof RedisChannelWriter inner
					&& inner != writer) {
				writer = inner;
			}
			if (DISTRIBUTION_WRITER != null && DISTRIBUTION_WRITER.getDeclaringClass().isInstance(writer)) {
				// A cluster connection: its default connection (keyless commands), not
				// the
				// node connections, which are watched on their own.
				writer = (RedisChannelWriter) ReflectionUtils.getField(DISTRIBUTION_WRITER, writer);
			}
			if (writer instanceof DefaultEndpoint endpoint) {
				endpoint.disconnect();
				return true;
			}
		}
		factory.resetConnection();
		return false;
	}

	private static @Nullable Field distributionWriter() {
		try {
			Class<?> type = Class.forName("io.lettuce.core.cluster.ClusterDistributionChannelWriter", false,
					ChannelCloser.class.getClassLoader());
			Field field = ReflectionUtils.findField(type, "defaultWriter");
			if (field != null) {
				ReflectionUtils.makeAccessible(field);
			}
			return field;
		}
		catch (ClassNotFoundException | RuntimeException ex) {
			return null;
		}
	}

}
