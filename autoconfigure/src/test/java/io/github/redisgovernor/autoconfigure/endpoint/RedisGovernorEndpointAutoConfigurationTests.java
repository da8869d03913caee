package io.github.redisgovernor.autoconfigure.endpoint;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.autoconfigure.connection.RedisGovernorConnectionAutoConfiguration;
import io.github.redisgovernor.autoconfigure.accounting.RedisGovernorAccountingAutoConfiguration;
import io.github.redisgovernor.endpoint.RedisGovernorEndpoint;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.ApplicationConversionService;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorEndpointAutoConfiguration}: the endpoint bean exists only
 * when access is granted and the endpoint is exposed. Redis is pointed at a closed port:
 * the heartbeat and sampler fail quietly in the background.
 */
class RedisGovernorEndpointAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		// As SpringApplication does: the access condition reads 'read-only' as
		// Access.READ_ONLY.
		.withInitializer((context) -> context.getEnvironment().setConversionService(new ApplicationConversionService()))
		.withConfiguration(AutoConfigurations.of(RedisGovernorAutoConfiguration.class,
				RedisGovernorConnectionAutoConfiguration.class, DataRedisAutoConfiguration.class,
				RedisGovernorAccountingAutoConfiguration.class, RedisGovernorEndpointAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.port=1", "redis.governor.connect-timeout=200ms",
				"management.endpoints.web.exposure.include=health,redisgovernor");

	@Test
	void runWhenExposedWithoutAccessShouldNotCreateTheEndpoint() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorEndpoint.class));
	}

	@Test
	void runWhenExposedToEverythingWithoutAccessShouldNotCreateTheEndpoint() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=*")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorEndpoint.class));
	}

	@Test
	void runWithReadOnlyAccessShouldCreateTheEndpoint() {
		this.contextRunner.withPropertyValues("management.endpoint.redisgovernor.access=read-only")
			.run((context) -> assertThat(context).hasSingleBean(RedisGovernorEndpoint.class));
	}

	@Test
	void runWithAccessNoneShouldNotCreateTheEndpoint() {
		this.contextRunner
			.withPropertyValues("management.endpoints.access.default=read-only",
					"management.endpoint.redisgovernor.access=none")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorEndpoint.class));
	}

	@Test
	void runWithDefaultAccessForAllEndpointsShouldCreateTheEndpoint() {
		this.contextRunner.withPropertyValues("management.endpoints.access.default=read-only")
			.run((context) -> assertThat(context).hasSingleBean(RedisGovernorEndpoint.class));
	}

	@Test
	void runWithNoAccessPermittedShouldNotCreateTheEndpoint() {
		this.contextRunner
			.withPropertyValues("management.endpoint.redisgovernor.access=read-only",
					"management.endpoints.access.max-permitted=none")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorEndpoint.class));
	}

	@Test
	void runWithAccessButNotExposedShouldNotCreateTheEndpoint() {
		this.contextRunner
			.withPropertyValues("management.endpoint.redisgovernor.access=read-only",
					"management.endpoints.web.exposure.include=health")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorEndpoint.class));
	}

	@Test
	void runWithAccessButExcludedShouldNotCreateTheEndpoint() {
		this.contextRunner
			.withPropertyValues("management.endpoint.redisgovernor.access=read-only",
					"management.endpoints.web.exposure.include=*",
					"management.endpoints.web.exposure.exclude=redisgovernor")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisGovernorEndpoint.class));
	}

}
