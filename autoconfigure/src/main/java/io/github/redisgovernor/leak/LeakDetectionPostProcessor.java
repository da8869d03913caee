package io.github.redisgovernor.leak;

import org.aopalliance.intercept.MethodInterceptor;

import org.springframework.aop.framework.Advised;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.NameMatchMethodPointcutAdvisor;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Puts the {@link ConnectionLeakDetector} between the {@link LettuceConnectionFactory}
 * and its callers. The factory is proxied by subclass, so it keeps its type, and only
 * {@code getConnection()} and {@code getClusterConnection()} are intercepted.
 *
 * @author Redis Governor contributors
 */
public class LeakDetectionPostProcessor implements BeanPostProcessor {

	private final ObjectProvider<ConnectionLeakDetector> detector;

	public LeakDetectionPostProcessor(ObjectProvider<ConnectionLeakDetector> detector) {
		this.detector = detector;
	}

	@Override
	public Object postProcessAfterInitialization(Object bean, String beanName) {
		if (!(bean instanceof LettuceConnectionFactory)) {
			return bean;
		}
		NameMatchMethodPointcutAdvisor advisor = new NameMatchMethodPointcutAdvisor(trackConnections());
		advisor.setMappedNames("getConnection", "getClusterConnection");
		if (bean instanceof Advised advised && !advised.isFrozen()) {
			// Already proxied (the drain defers the factory's stop): add to that proxy
			// rather than proxying a proxy.
			advised.addAdvisor(advisor);
			return bean;
		}
		ProxyFactory proxyFactory = new ProxyFactory(bean);
		proxyFactory.setProxyTargetClass(true);
		proxyFactory.addAdvisor(advisor);
		return proxyFactory.getProxy(bean.getClass().getClassLoader());
	}

	private MethodInterceptor trackConnections() {
		return (invocation) -> {
			Object connection = invocation.proceed();
			return (connection instanceof RedisConnection redisConnection)
					? this.detector.getObject().track(redisConnection) : connection;
		};
	}

}
