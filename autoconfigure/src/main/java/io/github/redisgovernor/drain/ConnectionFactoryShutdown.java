package io.github.redisgovernor.drain;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;

import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.leak.LeakDetectionPostProcessor;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.framework.AopProxyUtils;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.NameMatchMethodPointcutAdvisor;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Moves the close of the governed {@link LettuceConnectionFactory}'s connection from its
 * lifecycle stop to its destruction, when the context closes. Why: Spring stops every
 * {@code SmartLifecycle} bean before it destroys any bean, so with plain Spring Boot a
 * {@code @PreDestroy} method, or a thread the application manages itself, that still uses
 * Redis fails with "LettuceConnectionFactory has been STOPPED" (spring-data-redis#2843,
 * spring-boot#39501). Once the {@link GracefulDrain} has drained, the factory's
 * {@code stop()} is skipped; the factory is destroyed after the beans that depend on it,
 * and just before its {@code destroy()} this post-processor closes it through
 * {@link GracefulDrain#close(Runnable)}, which waits for the connection to be quiet
 * first. A {@code stop()} called while the application runs ({@code context.stop()}, a
 * checkpoint) still stops the factory at once, and {@code start()} opens it again.
 * <p>
 * Every Lettuce factory is wrapped; which one is governed is decided when it stops, by
 * the {@link GovernedConnection}, the one place that chooses it.
 *
 * @author Redis Governor contributors
 */
public class ConnectionFactoryShutdown implements DestructionAwareBeanPostProcessor, BeanFactoryAware, Ordered {

	private final Map<Object, DeferStopInterceptor> interceptors = Collections.synchronizedMap(new IdentityHashMap<>());

	private final ObjectProvider<GovernedConnection> governed;

	private final ObjectProvider<GracefulDrain> drain;

	private @Nullable ListableBeanFactory beanFactory;

	/**
	 * Create the post-processor; its collaborators are looked up only when a factory
	 * stops, so that it does not create them early.
	 * @param governed the governed connection, which names the governed factory
	 * @param drain the drain
	 */
	public ConnectionFactoryShutdown(ObjectProvider<GovernedConnection> governed, ObjectProvider<GracefulDrain> drain) {
		this.governed = governed;
		this.drain = drain;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof LettuceConnectionFactory factory)) {
			return bean;
		}
		// Every Lettuce factory is prepared; only the one the governed connection holds
		// has its close deferred (decided at stop time, once the choice is made).
		DeferStopInterceptor interceptor = new DeferStopInterceptor(factory, this.governed, this.drain);
		this.interceptors.put(factory, interceptor);
		NameMatchMethodPointcutAdvisor deferStop = new NameMatchMethodPointcutAdvisor(interceptor);
		deferStop.setMappedName("stop");
		ProxyFactory proxyFactory = new ProxyFactory(factory);
		proxyFactory.setProxyTargetClass(true);
		proxyFactory.addInterface(Deferred.class);
		proxyFactory.addAdvisor(deferStop);
		// Frozen, the proxy hands every method but stop() straight to the factory, with
		// no interceptor chain and no reflection: getConnection(), on every command of
		// the application, costs what it costs without the proxy. It stays open to
		// advice only when leak detection will add its own (to getConnection()).
		proxyFactory.setFrozen(!leakDetectionFollows());
		return proxyFactory.getProxy(factory.getClass().getClassLoader());
	}

	@Override
	public void setBeanFactory(BeanFactory beanFactory) {
		this.beanFactory = (beanFactory instanceof ListableBeanFactory listable) ? listable : null;
	}

	private boolean leakDetectionFollows() {
		return this.beanFactory != null
				&& this.beanFactory.getBeanNamesForType(LeakDetectionPostProcessor.class, true, false).length > 0;
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

	/**
	 * Marks a factory prepared by this post-processor.
	 */
	public interface Deferred {

	}

	private static final class DeferStopInterceptor implements MethodInterceptor {

		private final LettuceConnectionFactory target;

		private final ObjectProvider<GovernedConnection> governed;

		private final ObjectProvider<GracefulDrain> drainProvider;

		private volatile @Nullable GracefulDrain drain;

		DeferStopInterceptor(LettuceConnectionFactory target, ObjectProvider<GovernedConnection> governed,
				ObjectProvider<GracefulDrain> drainProvider) {
			this.target = target;
			this.governed = governed;
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
			GovernedConnection connection = this.governed.getIfAvailable();
			if (connection == null || AopProxyUtils.getSingletonTarget(connection.getFactory()) != this.target) {
				return false;
			}
			GracefulDrain current = this.drainProvider.getIfAvailable();
			if (current == null || !current.hasDrained()) {
				return false;
			}
			this.drain = current;
			return true;
		}

	}

}
