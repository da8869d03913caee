package io.github.redisgovernor.client;

import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Checks at startup that the application's Redis connections are governed.
 * <ul>
 * <li>More than one {@link RedisConnectionFactory}: a WARN that names them all. Each
 * extra factory opens connections the governor neither names nor counts, the usual first
 * step towards a leak.</li>
 * <li>A factory that Spring Boot did not build: a WARN, because the governor's client
 * options only reach the factory Boot builds from {@code spring.data.redis.*}.</li>
 * </ul>
 *
 * @author Redis Governor contributors
 */
public class ConnectionFactoryAudit implements SmartInitializingSingleton {

	private static final Log logger = LogFactory.getLog(ConnectionFactoryAudit.class);

	/** The names of the factory beans Spring Boot's Lettuce configuration defines. */
	private static final Set<String> BOOT_FACTORY_NAMES = Set.of("redisConnectionFactory",
			"redisConnectionFactoryVirtualThreads");

	private final ListableBeanFactory beanFactory;

	private final GovernedClientCustomizer customizer;

	public ConnectionFactoryAudit(ListableBeanFactory beanFactory, GovernedClientCustomizer customizer) {
		this.beanFactory = beanFactory;
		this.customizer = customizer;
	}

	@Override
	public void afterSingletonsInstantiated() {
		List<String> names = Arrays
			.asList(this.beanFactory.getBeanNamesForType(RedisConnectionFactory.class, true, false));
		String problem = findProblem(names);
		if (problem != null) {
			logger.warn(problem);
		}
	}

	String findProblem(List<String> names) {
		if (names.isEmpty()) {
			return null;
		}
		boolean governed = this.customizer.isApplied();
		String prefix = "Redis Governor [" + this.customizer.getIdentity() + "] ";
		String notGoverned = "Spring Boot's auto-configuration did not build it, so its connections have none of "
				+ "the governor's names, timeouts or fail-fast options. Remove the custom factory and configure "
				+ "the connection with spring.data.redis.* instead.";
		if (names.size() > 1) {
			return prefix + "found " + names.size() + " RedisConnectionFactory beans: " + describe(names, governed)
					+ ". Every factory opens connections of its own, and only the governed one is named, bounded "
					+ "and counted. " + (governed ? "Inject the governed factory instead of defining another one"
							: "None of them is governed: " + notGoverned + " Or")
					+ " set redis.governor.enabled=false if this is deliberate.";
		}
		return governed ? null : prefix + "did not govern " + describe(names, false) + ": " + notGoverned;
	}

	private String describe(List<String> names, boolean markGoverned) {
		return names.stream()
			.map((name) -> "'" + name + "'" + ((markGoverned && BOOT_FACTORY_NAMES.contains(name)) ? " (governed)" : ""))
			.collect(Collectors.joining(", "));
	}

}
