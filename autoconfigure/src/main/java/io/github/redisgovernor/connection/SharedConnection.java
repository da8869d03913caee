package io.github.redisgovernor.connection;

import java.lang.reflect.Field;
import java.lang.reflect.Method;

import io.lettuce.core.RedisAsyncCommandsImpl;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.RedisAdvancedClusterAsyncCommandsImpl;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.ReflectionUtils;

/**
 * One of the factory's shared native connections, with asynchronous {@code byte[]}
 * commands on it whatever codec the connection was opened with (the reactive shared
 * connection uses {@code ByteBuffer}s; a command carries its own codec, so both kinds
 * travel on the same socket).
 * <p>
 * Spring Data Redis hands out the imperative shared connection through public API. The
 * reactive one, and the question whether a shared connection exists at all without
 * opening it, are only reachable through the factory's internals: that access is confined
 * to this class, and {@code GovernedConnectionTests} fails if a new Spring Data Redis
 * version moves them.
 *
 * @param connection the native connection
 * @param commands asynchronous commands on it
 * @author Redis Governor contributors
 */
record SharedConnection(StatefulConnection<?, ?> connection, RedisClusterAsyncCommands<byte[], byte[]> commands) {

	private static final @Nullable Method SHARED_REACTIVE = findMethod("getSharedReactiveConnection");

	private static final @Nullable Field IMPERATIVE_HOLDER = findField(LettuceConnectionFactory.class, "connection");

	private static final @Nullable Field REACTIVE_HOLDER = findField(LettuceConnectionFactory.class,
			"reactiveConnection");

	/**
	 * Open (or reuse) the factory's shared connection of the given style. Blocks at most
	 * the connect timeout.
	 */
	@SuppressWarnings({ "unchecked", "rawtypes" })
	static SharedConnection obtain(LettuceConnectionFactory factory, SharedConnectionStyle style) {
		if (!factory.getShareNativeConnection()) {
			throw new IllegalStateException("the connection factory does not share its native connection "
					+ "(shareNativeConnection=false), and the governor does not open connections of its own");
		}
		if (style == SharedConnectionStyle.REACTIVE) {
			if (SHARED_REACTIVE == null) {
				throw new IllegalStateException("this Spring Data Redis version does not expose the shared reactive "
						+ "connection; set redis.governor.shared-connection=imperative");
			}
			StatefulConnection<?, ?> connection = (StatefulConnection<?, ?>) ReflectionUtils
				.invokeMethod(SHARED_REACTIVE, target(factory));
			if (connection instanceof StatefulRedisClusterConnection cluster) {
				return new SharedConnection(connection,
						new RedisAdvancedClusterAsyncCommandsImpl<byte[], byte[]>(cluster, ByteArrayCodec.INSTANCE));
			}
			if (connection instanceof StatefulRedisConnection standalone) {
				return new SharedConnection(connection,
						new RedisAsyncCommandsImpl<byte[], byte[]>(standalone, ByteArrayCodec.INSTANCE));
			}
			throw new IllegalStateException("the factory has no shared reactive connection");
		}
		RedisConnection connection = factory.getConnection();
		try {
			Object nativeConnection = connection.getNativeConnection();
			if (nativeConnection instanceof RedisAsyncCommands<?, ?> standalone) {
				return new SharedConnection(standalone.getStatefulConnection(),
						(RedisClusterAsyncCommands<byte[], byte[]>) standalone);
			}
			if (nativeConnection instanceof RedisAdvancedClusterAsyncCommands<?, ?> cluster) {
				return new SharedConnection(cluster.getStatefulConnection(),
						(RedisClusterAsyncCommands<byte[], byte[]>) cluster);
			}
			throw new IllegalStateException("the connection factory is not backed by Lettuce");
		}
		finally {
			// Closing a connection that shares the native connection leaves the socket
			// open.
			connection.close();
		}
	}

	/**
	 * Return the factory's shared connection of the given style if it has one now,
	 * without opening it.
	 */
	static @Nullable StatefulConnection<?, ?> existing(LettuceConnectionFactory factory, SharedConnectionStyle style) {
		Field holderField = (style == SharedConnectionStyle.REACTIVE) ? REACTIVE_HOLDER : IMPERATIVE_HOLDER;
		if (holderField == null) {
			return null;
		}
		Object holder = ReflectionUtils.getField(holderField, target(factory));
		if (holder == null) {
			return null;
		}
		Field connectionField = findField(holder.getClass(), "connection");
		return (connectionField != null) ? (StatefulConnection<?, ?>) ReflectionUtils.getField(connectionField, holder)
				: null;
	}

	/**
	 * The factory itself, not a proxy around it (the drain and leak detection proxy it):
	 * a proxy's own fields are empty.
	 */
	private static Object target(LettuceConnectionFactory factory) {
		Object target = AopProxyUtils.getSingletonTarget(factory);
		return (target != null) ? target : factory;
	}

	/**
	 * Return whether the factory's internals this class relies on are where it expects.
	 */
	static boolean internalsReachable() {
		return SHARED_REACTIVE != null && IMPERATIVE_HOLDER != null && REACTIVE_HOLDER != null;
	}

	private static @Nullable Method findMethod(String name) {
		Method method = ReflectionUtils.findMethod(LettuceConnectionFactory.class, name);
		if (method != null) {
			ReflectionUtils.makeAccessible(method);
		}
		return method;
	}

	private static @Nullable Field findField(Class<?> type, String name) {
		Field field = ReflectionUtils.findField(type, name);
		if (field != null) {
			ReflectionUtils.makeAccessible(field);
		}
		return field;
	}

}
