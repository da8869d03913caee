package io.github.redisgovernor.pool;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.util.ReflectionUtils;

/**
 * The commons-pool2 connection pools of a {@link LettuceConnectionFactory} configured
 * with a {@link LettucePoolingClientConfiguration} (Spring Boot's
 * {@code spring.data.redis.lettuce.pool.*}).
 * <p>
 * The pool's configuration is public API. The pools themselves are not: Spring Data Redis
 * creates them on first use, one per connection type, inside its
 * {@code LettucePoolingConnectionProvider}, and exposes neither them nor any figure of
 * them (spring-data-redis#2275). They are reached through the factory's fields
 * {@code connectionProvider}, then {@code delegate}, then {@code pools}; that access is
 * confined to this class, every step is checked, and a missing step makes the pools read
 * as absent (the meters then read 0 connections) rather than fail.
 * {@code PoolIntegrationTests} fails if a new Spring Data Redis version moves them
 * (docs/decisions.md).
 *
 * @author Redis Governor contributors
 */
public final class ConnectionPools {

	private static final @Nullable Field CONNECTION_PROVIDER = findField(LettuceConnectionFactory.class,
			"connectionProvider");

	private final LettuceConnectionFactory factory;

	/**
	 * Read the pools of a factory.
	 * @param factory the factory (a proxy around it is fine)
	 */
	public ConnectionPools(LettuceConnectionFactory factory) {
		this.factory = factory;
	}

	/**
	 * Return the pool configuration of a factory.
	 * @param factory the factory
	 * @return the pool configuration, or {@code null} when the factory does not pool
	 */
	public static @Nullable GenericObjectPoolConfig<?> poolConfig(LettuceConnectionFactory factory) {
		return (factory.getClientConfiguration() instanceof LettucePoolingClientConfiguration pooling)
				? pooling.getPoolConfig() : null;
	}

	/**
	 * Return the pool configuration of this factory.
	 * @return the pool configuration, or {@code null} when the factory does not pool
	 */
	public @Nullable GenericObjectPoolConfig<?> poolConfig() {
		return poolConfig(this.factory);
	}

	/**
	 * Return the pools the factory's imperative connections come from now, of one kind.
	 * Empty before the first connection of that kind, when the factory is stopped, and
	 * when Spring Data Redis keeps its pools elsewhere than this class expects.
	 * @param kind the kind of connections
	 * @return the pools
	 */
	public List<GenericObjectPool<?>> pools(Kind kind) {
		Map<?, ?> pools = poolsByType();
		if (pools == null) {
			return List.of();
		}
		List<GenericObjectPool<?>> found = new ArrayList<>(1);
		for (Map.Entry<?, ?> entry : pools.entrySet()) {
			if (entry.getKey() instanceof Class<?> type && entry.getValue() instanceof GenericObjectPool<?> pool
					&& Kind.of(type) == kind) {
				found.add(pool);
			}
		}
		return found;
	}

	/**
	 * Return whether the factory's internals this class relies on are where it expects.
	 * @return whether the pools can be read, once the factory has started
	 */
	public boolean internalsReachable() {
		return CONNECTION_PROVIDER != null && poolsByType() != null;
	}

	private @Nullable Map<?, ?> poolsByType() {
		if (CONNECTION_PROVIDER == null) {
			return null;
		}
		Object provider = ReflectionUtils.getField(CONNECTION_PROVIDER, target(this.factory));
		// ExceptionTranslatingConnectionProvider around LettucePoolingConnectionProvider.
		Object pooling = field(provider, "delegate");
		Object pools = field(pooling, "pools");
		return (pools instanceof Map<?, ?> map) ? map : null;
	}

	private static @Nullable Object field(@Nullable Object owner, String name) {
		if (owner == null) {
			return null;
		}
		Field field = findField(owner.getClass(), name);
		return (field != null) ? ReflectionUtils.getField(field, owner) : null;
	}

	/**
	 * The factory itself, not a proxy around it (the drain and leak detection proxy it):
	 * a proxy's own fields are empty.
	 */
	private static Object target(LettuceConnectionFactory factory) {
		Object target = AopProxyUtils.getSingletonTarget(factory);
		return (target != null) ? target : factory;
	}

	private static @Nullable Field findField(Class<?> type, String name) {
		Field field = ReflectionUtils.findField(type, name);
		if (field != null) {
			ReflectionUtils.makeAccessible(field);
		}
		return field;
	}

	/**
	 * The kinds of pooled connections, the values of the meters' {@code pool} tag.
	 */
	public enum Kind {

		/**
		 * Connections for commands: the shared connection, and dedicated ones for
		 * transactions and blocking commands.
		 */
		COMMANDS("commands"),

		/**
		 * Subscription connections: a {@code RedisMessageListenerContainer}'s, or
		 * {@code RedisConnection.subscribe}'s.
		 */
		PUBSUB("pubsub");

		private final String tag;

		Kind(String tag) {
			this.tag = tag;
		}

		/**
		 * Return the value of the meters' {@code pool} tag.
		 * @return the tag value
		 */
		public String tag() {
			return this.tag;
		}

		static Kind of(Class<?> connectionType) {
			return StatefulRedisPubSubConnection.class.isAssignableFrom(connectionType) ? PUBSUB : COMMANDS;
		}

	}

}
