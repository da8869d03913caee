package io.github.redisgovernor.autoconfigure.secrets;

import io.github.redisgovernor.autoconfigure.RedisGovernorAutoConfiguration;
import io.github.redisgovernor.secrets.RedisCredentialsSanitizingFunction;
import org.junit.jupiter.api.Test;

import org.springframework.boot.actuate.autoconfigure.env.EnvironmentEndpointAutoConfiguration;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.actuate.env.EnvironmentEndpoint;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RedisGovernorSecretsAutoConfiguration}: with it, Spring Boot's
 * {@code env} endpoint masks Redis credentials even when it shows every other value.
 */
class RedisGovernorSecretsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(RedisGovernorAutoConfiguration.class, RedisGovernorSecretsAutoConfiguration.class,
						DataRedisAutoConfiguration.class, EnvironmentEndpointAutoConfiguration.class))
		.withPropertyValues("spring.application.name=orders", "redis.governor.instance-id=i-1",
				"spring.data.redis.host=redis.internal", "spring.data.redis.password=s3cret",
				"management.endpoints.web.exposure.include=env", "management.endpoint.env.show-values=always");

	@Test
	void runShouldMaskRedisCredentialsInTheEnvEndpoint() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(RedisCredentialsSanitizingFunction.class);
			assertThat(envValue(context, "spring.data.redis.password")).isEqualTo(SanitizableData.SANITIZED_VALUE);
			assertThat(envValue(context, "spring.data.redis.host")).isEqualTo("redis.internal");
		});
	}

	@Test
	void runShouldMaskAUrlThatCarriesCredentials() {
		this.contextRunner.withPropertyValues("spring.data.redis.url=redis://app:s3cret@redis.internal:6379")
			.run((context) -> assertThat(envValue(context, "spring.data.redis.url"))
				.isEqualTo(SanitizableData.SANITIZED_VALUE));
	}

	@Test
	void runWhenGovernorIsDisabledShouldLeaveCredentialsToSpringBoot() {
		this.contextRunner.withPropertyValues("redis.governor.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(RedisCredentialsSanitizingFunction.class);
			assertThat(envValue(context, "spring.data.redis.password")).isEqualTo("s3cret");
		});
	}

	@Test
	void runWithUserFunctionShouldBackOff() {
		RedisCredentialsSanitizingFunction own = new RedisCredentialsSanitizingFunction();
		this.contextRunner.withBean(RedisCredentialsSanitizingFunction.class, () -> own)
			.run((context) -> assertThat(context.getBean(RedisCredentialsSanitizingFunction.class)).isSameAs(own));
	}

	@Test
	void runWithoutActuatorShouldBackOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(SanitizingFunction.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RedisCredentialsSanitizingFunction.class));
	}

	private static Object envValue(AssertableApplicationContext context, String name) {
		return context.getBean(EnvironmentEndpoint.class).environmentEntry(name).getProperty().getValue();
	}

}
