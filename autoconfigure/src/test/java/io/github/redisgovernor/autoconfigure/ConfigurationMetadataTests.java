package io.github.redisgovernor.autoconfigure;

import java.io.InputStream;
import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Locks down the configuration metadata IDEs complete from: the accounting properties
 * with their defaults and descriptions, and the one hand-written key.
 */
class ConfigurationMetadataTests {

	@Test
	void accountingPropertiesAreDocumentedWithTheirDefaults() throws Exception {
		Map<String, ConfigurationMetadataProperty> properties = load();
		assertThat(properties.get("redis.governor.registry.key").getDefaultValue())
			.isEqualTo("{redis-governor}:instances");
		assertThat(properties.get("redis.governor.registry.heartbeat-interval").getDefaultValue()).isEqualTo("10s");
		assertThat(properties.get("redis.governor.registry.ttl").getDefaultValue()).isEqualTo("30s");
		assertThat(properties.get("redis.governor.server.sample-interval").getDefaultValue()).isEqualTo("5s");
		assertThat(properties.get("redis.governor.budget.connections-per-instance").getDefaultValue()).isEqualTo(2);
		assertThat(properties.get("redis.governor.budget.headroom").getDefaultValue()).isEqualTo(0.8);
		assertThat(properties.get("redis.governor.budget.saturation.critical").getDefaultValue()).isEqualTo(0.95);
		assertThat(properties.get("redis.governor.budget.leak.window").getDefaultValue()).isEqualTo("30s");
		assertThat(properties).containsKeys("redis.governor.budget.reserved-clients",
				"redis.governor.budget.saturation.warn", "redis.governor.health.report-out-of-service",
				"redis.governor.leak-detection-threshold", "redis.governor.server.client-list-max-age");
		properties.forEach((name, property) -> assertThat(property.getDescription()).as(name)
			.isNotBlank()
			.doesNotStartWith("The ")
			.doesNotStartWith("A "));
	}

	@Test
	void handWrittenMetadataCoversOnlyTheHealthSwitch() throws Exception {
		ConfigurationMetadataProperty property = load().get("management.health.redisgovernor.enabled");
		assertThat(property.getType()).isEqualTo("java.lang.Boolean");
		assertThat(property.getDefaultValue()).isEqualTo(true);
		assertThat(property.getDescription()).startsWith("Whether");
	}

	private static Map<String, ConfigurationMetadataProperty> load() throws Exception {
		try (InputStream json = ConfigurationMetadataTests.class
			.getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
			return ConfigurationMetadataRepositoryJsonBuilder.create(json).build().getAllProperties();
		}
	}

}
