package io.github.redisgovernor.autoconfigure.health;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.test.context.support.TestPropertySourceUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link DegradedStatusEnvironmentPostProcessor}.
 */
class DegradedStatusEnvironmentPostProcessorTests {

	private final DegradedStatusEnvironmentPostProcessor postProcessor = new DegradedStatusEnvironmentPostProcessor();

	@Test
	void placesDegradedBetweenOutOfServiceAndUp() {
		StandardEnvironment environment = new StandardEnvironment();
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(order(environment)).containsExactly("DOWN", "OUT_OF_SERVICE", "DEGRADED", "UP", "UNKNOWN");
		assertThat(mappings(environment)).containsEntry("down", 503)
			.containsEntry("out-of-service", 503)
			.containsEntry("degraded", 200);
	}

	@Test
	void applicationSettingsWin() {
		MockEnvironment environment = new MockEnvironment();
		TestPropertySourceUtils.addInlinedPropertiesToEnvironment(environment,
				"management.endpoint.health.status.order=DOWN,DEGRADED,UP",
				"management.endpoint.health.status.http-mapping.down=500");
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(order(environment)).containsExactly("DOWN", "DEGRADED", "UP");
		assertThat(mappings(environment)).containsEntry("down", 500).containsEntry("degraded", 200);
	}

	@Test
	void disabledGovernorAddsNothing() {
		MockEnvironment environment = new MockEnvironment().withProperty("redis.governor.enabled", "false");
		this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
		assertThat(environment.getProperty("management.endpoint.health.status.order")).isNull();
	}

	private static List<String> order(Environment environment) {
		return Binder.get(environment)
			.bind("management.endpoint.health.status.order", Bindable.listOf(String.class))
			.orElse(List.of());
	}

	private static Map<String, Integer> mappings(Environment environment) {
		return Binder.get(environment)
			.bind("management.endpoint.health.status.http-mapping", Bindable.mapOf(String.class, Integer.class))
			.orElse(Map.of());
	}

}
