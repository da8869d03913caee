package io.github.redisgovernor.autoconfigure;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.BeanCreationException;
import org.springframework.boot.diagnostics.FailureAnalysis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InvalidGovernorPropertyFailureAnalyzer}.
 */
class InvalidGovernorPropertyFailureAnalyzerTests {

	@Test
	void analyzeShouldNameThePropertyTheValueAndAnExample() {
		InvalidGovernorPropertyException cause = new InvalidGovernorPropertyException("redis.governor.command-timeout",
				"-1000ms", "must be a positive duration", "2s");
		FailureAnalysis analysis = new InvalidGovernorPropertyFailureAnalyzer()
			.analyze(new BeanCreationException("redisGovernorProperties", "failed", cause));
		assertThat(analysis).isNotNull();
		assertThat(analysis.getDescription()).contains("'redis.governor.command-timeout'")
			.contains("'-1000ms'")
			.contains("must be a positive duration");
		assertThat(analysis.getAction()).contains("redis.governor.command-timeout=2s");
	}

	@Test
	void analyzeShouldIgnoreOtherFailures() {
		assertThat(new InvalidGovernorPropertyFailureAnalyzer().analyze(new IllegalStateException("other"))).isNull();
	}

}
