package io.github.redisgovernor.budget;

import java.util.List;
import java.util.function.Supplier;

import io.github.redisgovernor.client.InstanceIdentity;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettucePoolingClientConfiguration;
import org.springframework.data.redis.listener.RedisMessageListenerContainer;

/**
 * The {@link ConnectionAllowance} that follows the governed factory's pool and the
 * {@link RedisMessageListenerContainer}s on it, used when
 * {@code redis.governor.budget.connections-per-instance} is not set.
 * <p>
 * The pool's {@code max-active} is read once, from the factory's public client
 * configuration. A container is counted while it listens
 * ({@link RedisMessageListenerContainer#isListening()}): only then does it hold its
 * subscription connection. Spring Boot 4.1 defines a container in every application, and
 * one without listeners opens no connection, so counting every container would raise
 * every application's budget by one.
 *
 * @author Redis Governor contributors
 */
public class FollowedAllowance implements Supplier<ConnectionAllowance>, SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(FollowedAllowance.class);

	private final Object governed;

	private final @Nullable Integer poolMaxActive;

	private final ObjectProvider<RedisMessageListenerContainer> containerProvider;

	private volatile List<RedisMessageListenerContainer> containers = List.of();

	/**
	 * Follow a factory.
	 * @param factory the governed factory (a proxy around it is fine)
	 * @param containers the application's listener containers, looked at once every
	 * singleton exists
	 * @param identity this instance, for the log line of a pool without a limit
	 */
	public FollowedAllowance(LettuceConnectionFactory factory, ObjectProvider<RedisMessageListenerContainer> containers,
			InstanceIdentity identity) {
		this.governed = target(factory);
		this.containerProvider = containers;
		this.poolMaxActive = (factory.getClientConfiguration() instanceof LettucePoolingClientConfiguration pooling)
				? pooling.getPoolConfig().getMaxTotal() : null;
		if (this.poolMaxActive != null && this.poolMaxActive <= 0) {
			logger.warn("Redis Governor [" + identity + "] cannot follow the connection pool's size: it has no "
					+ "max-active (" + this.poolMaxActive + "), so the budget counts the shared connection only. Set "
					+ "spring.data.redis.lettuce.pool.max-active, or redis.governor.budget.connections-per-instance.");
		}
	}

	@Override
	public void afterSingletonsInstantiated() {
		this.containers = this.containerProvider.orderedStream()
			.filter((container) -> container.getConnectionFactory() != null
					&& target(container.getConnectionFactory()) == this.governed)
			.toList();
	}

	@Override
	public ConnectionAllowance get() {
		int listening = 0;
		for (RedisMessageListenerContainer container : this.containers) {
			if (container.isListening()) {
				listening++;
			}
		}
		return ConnectionAllowance.derive(this.poolMaxActive, listening);
	}

	/**
	 * Return the pool's {@code max-active}.
	 * @return the pool's limit, or {@code null} when the factory does not pool
	 */
	public @Nullable Integer getPoolMaxActive() {
		return this.poolMaxActive;
	}

	/**
	 * The object itself, not a proxy around it (the drain and leak detection proxy the
	 * factory).
	 */
	private static Object target(Object bean) {
		Object target = AopProxyUtils.getSingletonTarget(bean);
		return (target != null) ? target : bean;
	}

}
