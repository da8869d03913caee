package io.github.redisgovernor.autoconfigure.health;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Teaches the health endpoint the {@code DEGRADED} status of the {@code redisGovernor}
 * component, through defaults of the lowest precedence that any configuration of the
 * application overrides: <pre>
 * management.endpoint.health.status.order=DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN
 * management.endpoint.health.status.http-mapping.down=503
 * management.endpoint.health.status.http-mapping.out-of-service=503
 * management.endpoint.health.status.http-mapping.degraded=200
 * </pre> Without the order, Spring Boot's aggregator ignores a status it does not know,
 * and {@code /actuator/health} would say UP while a leak is suspected. The mappings are
 * Spring Boot's own defaults plus DEGRADED: as soon as any mapping is configured Boot
 * uses only the configured ones, so DOWN and OUT_OF_SERVICE must be listed too.
 * <p>
 * An application that sets its own {@code status.order} replaces this one: it should list
 * DEGRADED before UP, or the aggregate will not show it.
 *
 * @author Redis Governor contributors
 */
public class DegradedStatusEnvironmentPostProcessor implements EnvironmentPostProcessor {

	static final String PROPERTY_SOURCE_NAME = "redisGovernorHealthStatusDefaults";

	@Override
	public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
		if ("false".equalsIgnoreCase(environment.getProperty("redis.governor.enabled"))
				|| environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
			return;
		}
		Map<String, Object> defaults = new LinkedHashMap<>();
		defaults.put("management.endpoint.health.status.order", "DOWN,OUT_OF_SERVICE,DEGRADED,UP,UNKNOWN");
		defaults.put("management.endpoint.health.status.http-mapping.down", "503");
		defaults.put("management.endpoint.health.status.http-mapping.out-of-service", "503");
		defaults.put("management.endpoint.health.status.http-mapping.degraded", "200");
		environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, defaults));
	}

}
