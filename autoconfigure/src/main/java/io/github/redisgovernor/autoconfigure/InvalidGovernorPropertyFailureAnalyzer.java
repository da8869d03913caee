package io.github.redisgovernor.autoconfigure;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.beans.BeanWrapperImpl;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.util.ClassUtils;

/**
 * Reports a bad {@code redis.governor.*} value with the property, the rejected value and
 * a valid example: an {@link InvalidGovernorPropertyException}, and a value that cannot
 * even be converted to the property's type ({@code enabled=yes please},
 * {@code request-queue-size=3000000000}).
 * <p>
 * It runs before Spring Boot's own {@code BindFailureAnalyzer}, which reports a
 * conversion failure without an example.
 *
 * @author Redis Governor contributors
 */
class InvalidGovernorPropertyFailureAnalyzer implements FailureAnalyzer, Ordered {

	private static final String PREFIX = "redis.governor.";

	@Override
	public @Nullable FailureAnalysis analyze(Throwable failure) {
		InvalidGovernorPropertyException invalid = findCause(failure, InvalidGovernorPropertyException.class);
		if (invalid != null) {
			return analysis(invalid, null, invalid);
		}
		BindException bindFailure = findCause(failure, BindException.class);
		InvalidGovernorPropertyException unconvertible = (bindFailure != null) ? fromBindFailure(bindFailure) : null;
		if (unconvertible == null) {
			return null;
		}
		ConfigurationProperty property = bindFailure.getProperty();
		return analysis(unconvertible, (property != null) ? property.getOrigin() : null, bindFailure);
	}

	private FailureAnalysis analysis(InvalidGovernorPropertyException cause, @Nullable Origin origin,
			Throwable reported) {
		String description = "Redis Governor could not start: the value '" + cause.getValue() + "' of property '"
				+ cause.getProperty() + "' is invalid. It " + cause.getReason() + "."
				+ ((origin != null) ? " Origin: " + origin + "." : "");
		String action = "Update '" + cause.getProperty() + "' in your configuration (application.yaml, "
				+ "application.properties or the environment), for example:\n\n    " + cause.getProperty() + "="
				+ cause.getExample() + "\n\nor remove it to use the default.";
		return new FailureAnalysis(description, action, reported);
	}

	/**
	 * A value of a {@code redis.governor.*} property that Spring Boot could not convert.
	 */
	private static @Nullable InvalidGovernorPropertyException fromBindFailure(BindException failure) {
		ConfigurationProperty property = failure.getProperty();
		String name = (property != null) ? property.getName().toString() : "";
		if (!name.startsWith(PREFIX) || property == null) {
			return null;
		}
		Class<?> type = ClassUtils.resolvePrimitiveIfNecessary(failure.getTarget().getType().toClass());
		return new InvalidGovernorPropertyException(name, property.getValue(), expected(type),
				example(name.substring(PREFIX.length()), type));
	}

	private static String expected(Class<?> type) {
		if (type == Boolean.class) {
			return "must be true or false";
		}
		if (type == Duration.class) {
			return "must be a duration such as 500ms, 2s or 1m (units ms, s, m, h, d)";
		}
		if (type == Integer.class) {
			return "must be a whole number no larger than " + Integer.MAX_VALUE;
		}
		if (type == Double.class) {
			return "must be a decimal number such as 0.8";
		}
		if (type.isEnum()) {
			return "must be one of " + Arrays.stream(type.getEnumConstants())
				.map((constant) -> ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-'))
				.collect(Collectors.joining(", "));
		}
		return "cannot be converted to " + ResolvableType.forClass(type);
	}

	/**
	 * The property's default, read from a fresh {@link RedisGovernorProperties}, so the
	 * example is always a value the governor accepts.
	 */
	private static String example(String path, Class<?> type) {
		String beanPath = Arrays.stream(path.split("\\."))
			.map(InvalidGovernorPropertyFailureAnalyzer::camelCase)
			.collect(Collectors.joining("."));
		BeanWrapperImpl defaults = new BeanWrapperImpl(new RedisGovernorProperties());
		Object value = defaults.isReadableProperty(beanPath) ? defaults.getPropertyValue(beanPath) : null;
		if (value instanceof Duration duration) {
			return PropertyChecks.exampleOf(duration);
		}
		if (value instanceof Enum<?> constant) {
			return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
		}
		if (value != null) {
			return String.valueOf(value);
		}
		// Unset by default: connect-timeout and command-timeout fall back to 2s.
		return path.equals("leak-detection-threshold") ? "30s" : "2s";
	}

	private static String camelCase(String dashed) {
		StringBuilder camel = new StringBuilder(dashed.length());
		boolean upper = false;
		for (char c : dashed.toCharArray()) {
			if (c == '-') {
				upper = true;
			}
			else {
				camel.append(upper ? Character.toUpperCase(c) : c);
				upper = false;
			}
		}
		return camel.toString();
	}

	private static <E extends Throwable> @Nullable E findCause(@Nullable Throwable failure, Class<E> type) {
		while (failure != null) {
			if (type.isInstance(failure)) {
				return type.cast(failure);
			}
			failure = failure.getCause();
		}
		return null;
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
