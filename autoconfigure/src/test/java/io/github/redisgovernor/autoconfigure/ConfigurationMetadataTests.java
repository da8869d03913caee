package io.github.redisgovernor.autoconfigure;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepository;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Locks down the generated configuration metadata: every {@code redis.governor.*}
 * property has a description that follows Spring Boot's wording rules, and the
 * configuration reference in {@code docs/} lists every property.
 */
class ConfigurationMetadataTests {

	private static List<ConfigurationMetadataProperty> properties;

	private static Map<String, ConfigurationMetadataProperty> all;

	@BeforeAll
	static void readMetadata() throws Exception {
		try (InputStream metadata = new ClassPathResource("META-INF/spring-configuration-metadata.json",
				RedisGovernorProperties.class.getClassLoader())
			.getInputStream()) {
			ConfigurationMetadataRepository repository = ConfigurationMetadataRepositoryJsonBuilder.create(metadata)
				.build();
			all = repository.getAllProperties();
			properties = all.values()
				.stream()
				.filter((property) -> property.getId().startsWith("redis.governor."))
				.toList();
		}
	}

	@Test
	void metadataListsTheContractProperties() {
		assertThat(properties).extracting(ConfigurationMetadataProperty::getId)
			.contains("redis.governor.enabled", "redis.governor.application", "redis.governor.instance-id",
					"redis.governor.connect-timeout", "redis.governor.command-timeout");
	}

	@Test
	void accountingDefaultsAreLockedDown() {
		assertThat(all.get("redis.governor.registry.key").getDefaultValue()).isEqualTo("{redis-governor}:instances");
		assertThat(all.get("redis.governor.registry.heartbeat-interval").getDefaultValue()).isEqualTo("10s");
		assertThat(all.get("redis.governor.registry.fleet-heartbeat-rate").getDefaultValue()).isEqualTo(10);
		assertThat(all.get("redis.governor.registry.ttl").getDefaultValue()).isEqualTo("60s");
		assertThat(all.get("redis.governor.server.sample-interval").getDefaultValue()).isEqualTo("2s");
		assertThat(all.get("redis.governor.server.client-list-interval").getDefaultValue()).isEqualTo("60s");
		assertThat(all.get("redis.governor.server.fast-sample-interval").getDefaultValue()).isEqualTo("5s");
		// Unset, it follows the pool and the listener containers (2 without either).
		assertThat(all.get("redis.governor.budget.connections-per-instance").getDefaultValue()).isNull();
		assertThat(all.get("redis.governor.budget.connections-per-instance").getDescription())
			.contains("it follows the application");
		assertThat(all.get("redis.governor.budget.headroom").getDefaultValue()).isEqualTo(0.8);
		assertThat(all.get("redis.governor.budget.saturation.critical").getDefaultValue()).isEqualTo(0.95);
		assertThat(all.get("redis.governor.budget.leak.window").getDefaultValue()).isEqualTo("30s");
	}

	@Test
	void handWrittenMetadataCoversOnlyTheHealthSwitch() {
		ConfigurationMetadataProperty property = all.get("management.health.redisgovernor.enabled");
		assertThat(property.getType()).isEqualTo("java.lang.Boolean");
		assertThat(property.getDefaultValue()).isEqualTo(true);
		assertThat(property.getDescription()).startsWith("Whether");
	}

	@Test
	void endpointIsOffByDefault() {
		ConfigurationMetadataProperty property = all.get("management.endpoint.redisgovernor.access");
		assertThat(property.getType()).isEqualTo("org.springframework.boot.actuate.endpoint.Access");
		assertThat(property.getDefaultValue()).isEqualTo("none");
	}

	@Test
	void everyPropertyHasADescriptionInBootWording() {
		assertThat(properties).allSatisfy((property) -> {
			String description = property.getDescription();
			assertThat(description).as(property.getId()).isNotBlank().doesNotStartWith("The ").doesNotStartWith("A ");
			if ("java.lang.Boolean".equals(property.getType())) {
				assertThat(description).as(property.getId()).containsPattern("^(Whether|Enable)");
			}
		});
	}

	@Test
	void configurationReferenceListsEveryProperty() throws Exception {
		String reference = Files.readString(Path.of("..", "docs", "configuration.md"));
		assertThat(properties).allSatisfy(
				(property) -> assertThat(reference).as("docs/configuration.md").contains("`" + property.getId() + "`"));
	}

}
