package io.github.redisgovernor.drain;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;

import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.lettuce.core.AbstractRedisClient;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.ProxyFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Prepares the governed {@link LettuceConnectionFactory} for a graceful shutdown, as soon
 * as Spring has initialized it and before anything sends a command:
 * <ul>
 * <li>registers the {@link InFlightCommands} listener on its native client, so every
 * connection it opens counts its commands;</li>
 * <li>moves the close of its connection from its lifecycle stop to its destruction.</li>
 * </ul>
 * Why the second: Spring stops every {@code SmartLifecycle} bean before it destroys any
 * bean, so with plain Spring Boot a {@code @PreDestroy} method, or a thread the
 * application manages itself, that still uses Redis fails with "LettuceConnectionFactory
 * has been STOPPED" (spring-data-redis#2843, spring-boot#39501). Once the
 * {@link GracefulDrain} has drained, the factory's {@code stop()} is skipped; the
 * factory is destroyed after the beans that depend on it, and just before its
 * {@code destroy()} this post-processor closes it through
 * {@link GracefulDrain#close(Runnable)}, which waits for the connection to be quiet
 * first. A {@code stop()} called while the application runs (not on
 * shutdown) still stops the factory at once.
 *
 * @author Redis Governor contributors
 */
public class ConnectionFactoryShutdown implements DestructionAwareBeanPostProcessor, Ordered {

	private final Map<Object, DeferStopInterceptor> interceptors = Collections
		.synchronizedMap(new IdentityHashMap<>());

	private final ObjectProvider<GovernedClientCustomizer> customizer;

	private final ObjectProvider<InFlightCommands> inFlight;

	private final ObjectProvider<GracefulDrain> drain;

	/**
	 * Create the post-processor; its collaborators are looked up only when the governed
	 * factory is initialized, so that it does not create them early.
	 * @param customizer the governed client customizer, which names the governed factory
	 * @param inFlight the in-flight command counter
	 * @param drain the drain
	 */
	public ConnectionFactoryShutdown(ObjectProvider<GovernedClientCustomizer> customizer,
			ObjectProvider<InFlightCommands> inFlight, ObjectProvider<GracefulDrain> drain) {
		this.customizer = customizer;
		this.inFlight = inFlight;
		this.drain = drain;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof LettuceConnectionFactory factory) || !isGoverned(factory)) {
			return bean;
		}
		InFlightCommands counter = this.inFlight.getIfAvailable();
		AbstractRedisClient client = factory.getNativeClient();
		if (counter != null && client != null) {
			client.addListener(counter);
		}
		DeferStopInterceptor interceptor = new DeferStopInterceptor(factory, this.drain);
		this.interceptors.put(factory, interceptor);
		ProxyFactory proxyFactory = new ProxyFactory(factory);
		proxyFactory.setProxyTargetClass(true);
		proxyFactory.addInterface(Deferred.class);
		proxyFactory.addAdvice(interceptor);
		return proxyFactory.getProxy(factory.getClass().getClassLoader());
	}

	/**
	 * Runs before other post-processors that proxy the factory (leak detection adds its
	 * advice to this proxy), so that destruction callbacks, which receive the raw bean,
	 * find their interceptor.
	 */
	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/**
	 * Return whether the given factory closes its connection on destruction, through the
	 * drain, rather than on its lifecycle stop.
	 * @param factory a connection factory bean
	 * @return {@code true} if this post-processor prepared it
	 */
	public static boolean isDeferred(Object factory) {
		return factory instanceof Deferred;
	}

	@Override
	public void postProcessBeforeDestruction(Object bean, String beanName) {
		// Spring destroys the raw bean, not the proxy that was exposed.
		DeferStopInterceptor interceptor = this.interceptors.remove(bean);
		if (interceptor != null) {
			interceptor.beforeDestruction();
		}
	}

	@Override
	public boolean requiresDestruction(Object bean) {
		return this.interceptors.containsKey(bean);
	}

	private boolean isGoverned(LettuceConnectionFactory factory) {
		GovernedClientCustomizer governed = this.customizer.getIfAvailable();
		return governed != null && Objects.equals(factory.getClientConfiguration().getClientName().orElse(null),
				governed.getIdentity().getClientName());
	}

	/**
	 * Marks a factory prepared by this post-processor.
	 */
	public interface Deferred {

	}

	private static final class DeferStopInterceptor implements MethodInterceptor {

		private final LettuceConnectionFactory target;

		private final ObjectProvider<GracefulDrain> drainProvider;

		private volatile @Nullable GracefulDrain drain;

		DeferStopInterceptor(LettuceConnectionFactory target, ObjectProvider<GracefulDrain> drainProvider) {
			this.target = target;
			this.drainProvider = drainProvider;
		}

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			String name = invocation.getMethod().getName();
			Object[] arguments = invocation.getArguments();
			if ("stop".equals(name) && drained()) {
				if (arguments.length == 1 && arguments[0] instanceof Runnable callback) {
					callback.run();
				}
				return null;
			}
			return invocation.proceed();
		}

		void beforeDestruction() {
			GracefulDrain current = this.drain;
			if (current != null) {
				// Spring calls destroy() on the raw factory right after this; stopping it
				// here closes the connection, and the destroy() that follows has nothing
				// left to stop.
				current.close(this.target::stop);
			}
		}

		private boolean drained() {
			// Looked up at stop time: the drain is still a live bean then (bean
			// destruction has not begun) and is kept for the later destroy().
			GracefulDrain current = this.drainProvider.getIfAvailable();
			if (current == null || !current.hasDrained()) {
				return false;
			}
			this.drain = current;
			return true;
		}

	}

}
