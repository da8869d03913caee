package io.github.redisgovernor.archunit.usage;

import io.github.redisgovernor.archunit.fixture.violating.PerRequestHandler;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * The one line that docs/guardrail.md gives, run as a user's build runs it: by ArchUnit's
 * JUnit engine ({@code archunit-junit6}, for the JUnit 6 of Spring Boot 4).
 *
 * @author Redis Governor contributors
 */
class OneLineUsageTests {

	@Test
	void oneLineOnViolatingPackageShouldFail() {
		Events tests = run(ViolatingPackageRules.class);
		tests.assertStatistics((stats) -> stats.started(1).failed(1));
		Throwable failure = tests.failed()
			.stream()
			.findFirst()
			.flatMap((event) -> event.getPayload(TestExecutionResult.class))
			.flatMap(TestExecutionResult::getThrowable)
			.orElseThrow();
		assertThat(failure).isInstanceOf(AssertionError.class)
			.hasMessageContaining(PerRequestHandler.class.getName())
			.hasMessageContaining("three tasks leaked 8,847 connections");
	}

	@Test
	void oneLineOnCleanPackageShouldPass() {
		run(CleanPackageRules.class).assertStatistics((stats) -> stats.started(1).succeeded(1).failed(0));
	}

	private static Events run(Class<?> rules) {
		return EngineTestKit.engine("archunit").selectors(selectClass(rules)).execute().testEvents();
	}

}
