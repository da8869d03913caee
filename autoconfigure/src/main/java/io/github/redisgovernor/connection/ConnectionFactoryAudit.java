package io.github.redisgovernor.connection;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import io.github.redisgovernor.client.GovernedClientCustomizer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Says at startup, in one WARN, when the application's Redis connections are not all
 * governed:
 * <ul>
 * <li>no single {@link LettuceConnectionFactory} candidate: which factories exist, that
 * none is governed, and how to choose one ({@code @Primary});</li>
 * <li>more than one {@link RedisConnectionFactory}: which one is governed. Each extra
 * factory opens connections the governor neither names nor counts, the usual first step
 * towards a leak;</li>
 * <li>a governed factory that Spring Boot did not build: the governor's client options
 * only reach the factory Boot builds from {@code spring.data.redis.*}.</li>
 * </ul>
 * The application starts in every case: adding the governor never breaks an application
 * that started without it.
 *
 * @author Redis Governor contributors
 */
public class ConnectionFactoryAudit implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(ConnectionFactoryAudit.class);

	private final ListableBeanFactory beanFactory;

	private final GovernedClientCustomizer customizer;

	private final ObjectProvider<GovernedConnection> governed;

	/**
	 * Create the audit.
	 * @param beanFactory the bean factory to look at
	 * @param customizer the governed client customizer
	 * @param governed the governed connection, if one was chosen
	 */
	public ConnectionFactoryAudit(ListableBeanFactory beanFactory, GovernedClientCustomizer customizer,
			ObjectProvider<GovernedConnection> governed) {
		this.beanFactory = beanFactory;
		this.customizer = customizer;
		this.governed = governed;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<String> names = Arrays
			.asList(this.beanFactory.getBeanNamesForType(RedisConnectionFactory.class, true, false));
		GovernedConnection connection = this.governed.getIfAvailable();
		String problem = findProblem(names, (connection != null) ? nameOf(connection.getFactory(), names) : null);
		if (problem != null) {
			logger.warn(problem);
		}
	}

	private @Nullable String nameOf(Object factory, List<String> names) {
		for (String name : names) {
			if (this.beanFactory.getBean(name) == factory) {
				return name;
			}
		}
		return null;
	}

	@Nullable String findProblem(List<String> names, @Nullable String governedName) {
		if (names.isEmpty()) {
			return null;
		}
		String prefix = "Redis Governor [" + this.customizer.getIdentity() + "] ";
		if (governedName == null) {
			return prefix + "governs no connection factory: found " + describe(names) + ", and none is the single "
					+ "Lettuce candidate. The application runs without the governor's watchdog, drain, health and "
					+ "accounting. Mark the factory to govern @Primary, or set redis.governor.enabled=false to "
					+ "silence this.";
		}
		String notBuiltByBoot = "Spring Boot's auto-configuration did not build it, so its connections have none of "
				+ "the governor's names, timeouts or fail-fast options; configure the connection with "
				+ "spring.data.redis.* instead of defining the factory.";
		if (names.size() > 1) {
			return prefix + "governs '" + governedName + "' among " + names.size() + " RedisConnectionFactory beans ("
					+ describe(names) + "). Every factory opens connections of its own, and only the governed one is "
					+ "named, watched, drained and counted: inject the governed factory instead of defining another "
					+ "one." + (this.customizer.isApplied() ? "" : " " + notBuiltByBoot);
		}
		return this.customizer.isApplied() ? null : prefix + "governs '" + governedName + "', but " + notBuiltByBoot;
	}

	private static String describe(List<String> names) {
		return names.stream().map((name) -> "'" + name + "'").collect(Collectors.joining(", "));
	}

}
