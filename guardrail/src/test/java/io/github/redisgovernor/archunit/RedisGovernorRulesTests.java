package io.github.redisgovernor.archunit;

import java.util.List;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import io.github.redisgovernor.archunit.fixture.clean.CleanApplication;
import io.github.redisgovernor.archunit.fixture.clean.ClusterClientComponent;
import io.github.redisgovernor.archunit.fixture.clean.RedisConfiguration;
import io.github.redisgovernor.archunit.fixture.violating.ClientPerCallService;
import io.github.redisgovernor.archunit.fixture.violating.ClosingConnectionService;
import io.github.redisgovernor.archunit.fixture.violating.PerRequestHandler;
import io.github.redisgovernor.archunit.fixture.violating.TracingLettuceConnectionFactory;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * {@link RedisGovernorRules} on two fixture packages: {@code fixture.violating} (clients,
 * factories and connections made by hand in services) and {@code fixture.clean} (the same
 * made in configuration, and services that inject the template).
 *
 * @author Redis Governor contributors
 */
class RedisGovernorRulesTests {

	private static final String FIXTURE = "io.github.redisgovernor.archunit.fixture.";

	private static final String LETTUCE_CONNECTION_FACTORY = "org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory";

	private static final JavaClasses violating = new ClassFileImporter().importPackages(FIXTURE + "violating");

	private static final JavaClasses clean = new ClassFileImporter().importPackages(FIXTURE + "clean");

	@Test
	void allOnViolatingPackageShouldFailNamingEachClassAndTheReason() {
		assertThatExceptionOfType(AssertionError.class).isThrownBy(() -> RedisGovernorRules.ALL.check(violating))
			.withMessageContaining("was violated (7 times)")
			.withMessageContaining(PerRequestHandler.class.getName())
			.withMessageContaining(ClientPerCallService.class.getName())
			.withMessageContaining(ClosingConnectionService.class.getName())
			.withMessageContaining("that is how three tasks leaked 8,847 connections")
			.withMessageContaining(
					"Inject the application's StringRedisTemplate, RedisTemplate or RedisConnectionFactory bean");
	}

	@Test
	void noRedisClientsOutsideConfigurationShouldReportEachConstructionAndStaticFactory() {
		List<String> details = details(RedisGovernorRules.NO_REDIS_CLIENTS_OUTSIDE_CONFIGURATION, violating);
		assertThat(details).hasSize(4);
		assertHas(details, "Method <" + PerRequestHandler.class.getName() + ".ping()> calls constructor <"
				+ LETTUCE_CONNECTION_FACTORY + ".<init>(");
		// LettuceConnectionFactory::new in a field initializer.
		assertHas(details, "Constructor <" + PerRequestHandler.class.getName() + ".<init>()> references constructor <"
				+ LETTUCE_CONNECTION_FACTORY + ".<init>(");
		// A subclass is caught where it is constructed...
		assertHas(details, "Method <" + PerRequestHandler.class.getName() + ".tracing()> calls constructor <"
				+ TracingLettuceConnectionFactory.class.getName() + ".<init>(");
		assertHas(details, "Method <" + ClientPerCallService.class.getName()
				+ ".get(java.lang.String)> calls method <io.lettuce.core.RedisClient.create(java.lang.String)>");
		// ...not where its constructor calls super(...).
		assertThat(details).noneMatch(
				(detail) -> detail.startsWith("Constructor <" + TracingLettuceConnectionFactory.class.getName()));
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> RedisGovernorRules.NO_REDIS_CLIENTS_OUTSIDE_CONFIGURATION.check(violating))
			.withMessageContaining("should construct a Redis client, pool or connection factory, because")
			.withMessageContaining("built per request, that is how three tasks leaked 8,847 connections");
	}

	@Test
	void noConnectionsTakenOutsideConfigurationShouldReportEachConnectionTaken() {
		List<String> details = details(RedisGovernorRules.NO_CONNECTIONS_TAKEN_OUTSIDE_CONFIGURATION, violating);
		assertThat(details).hasSize(3);
		assertHas(details, "Method <" + PerRequestHandler.class.getName() + ".ping()> calls method <"
				+ LETTUCE_CONNECTION_FACTORY + ".getConnection()>");
		assertHas(details, "Method <" + ClientPerCallService.class.getName()
				+ ".get(java.lang.String)> calls method <io.lettuce.core.RedisClient.connect()>");
		// Closed in a try-with-resources, and still reported: the rule sees the call
		// only.
		assertHas(details, "Method <" + ClosingConnectionService.class.getName()
				+ ".ping()> calls method <org.springframework.data.redis.connection.RedisConnectionFactory.getConnection()>");
		assertThatExceptionOfType(AssertionError.class)
			.isThrownBy(() -> RedisGovernorRules.NO_CONNECTIONS_TAKEN_OUTSIDE_CONFIGURATION.check(violating))
			.withMessageContaining(
					"should take a Redis connection from a connection factory or a Lettuce client " + "itself, because")
			.withMessageContaining("such connections add up on the server as the 8,847 leaked by three tasks did")
			.withMessageContaining(
					"its operations and execute(...) use the governed shared connection and close what they take");
	}

	@Test
	void allOnCleanPackageShouldPass() {
		assertThatNoException().isThrownBy(() -> RedisGovernorRules.ALL.check(clean));
		assertThat(RedisGovernorRules.NO_REDIS_CLIENTS_OUTSIDE_CONFIGURATION.evaluate(clean).hasViolation()).isFalse();
		assertThat(RedisGovernorRules.NO_CONNECTIONS_TAKEN_OUTSIDE_CONFIGURATION.evaluate(clean).hasViolation())
			.isFalse();
	}

	@Test
	void cleanPackageShouldPassBecauseItsClientsAndConnectionsAreMadeInConfiguration() {
		// Without the exemption for configuration, the clean package builds clients in
		// each of these places: the pass above is the exemption's doing, not a blind
		// spot.
		List<String> constructions = details(
				noClasses().should().accessTargetWhere(RedisGovernorRules.constructsClient()), clean);
		assertThat(constructions).hasSize(6);
		// @Configuration, its private helper and its @Bean methods.
		assertHas(constructions, "Method <" + RedisConfiguration.class.getName() + ".redisConnectionFactory()>");
		assertHas(constructions, "Method <" + RedisConfiguration.class.getName() + ".redisClient()>");
		// @SpringBootApplication (meta-annotated) and classes nested in it.
		assertHas(constructions, "Method <" + CleanApplication.class.getName() + ".adminClient()>");
		assertHas(constructions, "Constructor <" + CleanApplication.class.getName() + "$Clients.<init>(");
		assertHas(constructions, "Method <" + CleanApplication.class.getName() + "$1.get()>");
		// A @Bean method of a @Component.
		assertHas(constructions, "Method <" + ClusterClientComponent.class.getName() + ".redisClusterClient()>");

		List<String> connections = details(noClasses().should().accessTargetWhere(RedisGovernorRules.takesConnection()),
				clean);
		assertThat(connections).singleElement()
			.asString()
			.startsWith("Method <" + RedisConfiguration.class.getName() + ".redisConnection(");
	}

	private static List<String> details(ArchRule rule, JavaClasses classes) {
		return rule.evaluate(classes).getFailureReport().getDetails();
	}

	private static void assertHas(List<String> details, String prefix) {
		assertThat(details).as("a violation starting with %s", prefix).anyMatch((detail) -> detail.startsWith(prefix));
	}

}
