package io.github.redisgovernor.autoconfigure.connection;

import java.util.List;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.client.GovernedClientCustomizer;
import io.github.redisgovernor.connection.ConnectionActivity;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.lettuce.core.RedisClient;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.web.context.reactive.ReactiveWebApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration of the {@link GovernedConnection}, the one component every feature
 * of the governor goes through, and of the {@link GovernorScheduler} its background work
 * runs on.
 * <p>
 * The governed factory is chosen once, the way Spring Boot chooses its templates'
 * factory: the single {@link LettuceConnectionFactory} candidate (one bean, or one marked
 * {@code @Primary}). With no single candidate no connection is governed, every feature
 * backs off, and the application starts; {@code ConnectionFactoryAudit} says why in one
 * WARN.
 *
 * @author Redis Governor contributors
 */
@AutoConfiguration(after = RedisGovernorAutoConfiguration.class,
		afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBean(GovernedClientCustomizer.class)
public final class RedisGovernorConnectionAutoConfiguration {

	private static final String BOOT_FACTORY = "redisConnectionFactory";

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(LettuceConnectionFactory.class)
	GovernorScheduler redisGovernorScheduler() {
		return new GovernorScheduler();
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnSingleCandidate(LettuceConnectionFactory.class)
	GovernedConnection redisGovernorConnection(ObjectProvider<LettuceConnectionFactory> factories,
			ListableBeanFactory beanFactory, GovernedClientCustomizer customizer, ConnectionActivity activity,
			GovernorScheduler scheduler, RedisGovernorProperties properties, ApplicationContext context) {
		LettuceConnectionFactory factory = factories.getIfUnique(() -> candidate(beanFactory));
		return new GovernedConnection(factory, customizer.getIdentity(), customizer.getPolicy().commandTimeout(),
				activity, scheduler,
				properties.getSharedConnection().resolve(context instanceof ReactiveWebApplicationContext));
	}

	/**
	 * The candidate the condition saw, when another factory was declared under another
	 * type (say {@code ReactiveRedisConnectionFactory}) and so is no candidate, although
	 * its instance is a {@link LettuceConnectionFactory}: the one Spring Boot built.
	 */
	private static LettuceConnectionFactory candidate(ListableBeanFactory beanFactory) {
		String[] names = beanFactory.getBeanNamesForType(LettuceConnectionFactory.class);
		if (!List.of(names).contains(BOOT_FACTORY)) {
			throw new IllegalStateException("No single LettuceConnectionFactory candidate among " + List.of(names));
		}
		return beanFactory.getBean(BOOT_FACTORY, LettuceConnectionFactory.class);
	}

}
