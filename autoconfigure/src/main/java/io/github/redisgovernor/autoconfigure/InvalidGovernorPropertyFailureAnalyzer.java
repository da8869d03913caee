package io.github.redisgovernor.autoconfigure;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link InvalidGovernorPropertyException} with the property, the rejected
 * value and a valid example.
 *
 * @author Redis Governor contributors
 */
class InvalidGovernorPropertyFailureAnalyzer extends AbstractFailureAnalyzer<InvalidGovernorPropertyException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, InvalidGovernorPropertyException cause) {
		String description = "Redis Governor could not start: the value '" + cause.getValue() + "' of property '"
				+ cause.getProperty() + "' is invalid. It " + cause.getReason() + ".";
		String action = "Update '" + cause.getProperty() + "' in your configuration (application.yaml, "
				+ "application.properties or the environment), for example:\n\n    " + cause.getProperty() + "="
				+ cause.getExample() + "\n\nor remove it to use the default.";
		return new FailureAnalysis(description, action, cause);
	}

}
