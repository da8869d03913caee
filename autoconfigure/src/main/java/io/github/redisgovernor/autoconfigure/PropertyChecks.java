package io.github.redisgovernor.autoconfigure;

import java.time.Duration;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Rejects impossible property values with an {@link InvalidGovernorPropertyException}
 * that names the full property, the value and a valid example.
 *
 * @author Redis Governor contributors
 */
final class PropertyChecks {

	private static final Pattern CLIENT_NAME_PART = Pattern.compile("[A-Za-z0-9._-]+");

	private final String prefix;

	PropertyChecks(String prefix) {
		this.prefix = prefix;
	}

	void positive(String name, @Nullable Duration value, String example) {
		if (value != null && (value.isNegative() || value.isZero())) {
			throw invalid(name, format(value), "must be a positive duration", example);
		}
	}

	void notNegative(String name, @Nullable Duration value, String example) {
		if (value != null && value.isNegative()) {
			throw invalid(name, format(value), "must not be negative", example);
		}
	}

	void notNegative(String name, @Nullable Duration value, String reason, String example) {
		if (value != null && value.isNegative()) {
			throw invalid(name, format(value), "must not be negative (" + reason + ")", example);
		}
	}

	void atLeast(String name, int value, int minimum, String example) {
		if (value < minimum) {
			throw invalid(name, value, "must be at least " + minimum, example);
		}
	}

	void notBefore(String name, @Nullable Duration value, String otherName, @Nullable Duration other,
			String example) {
		if (value != null && other != null && value.compareTo(other) < 0) {
			throw invalid(name, format(value),
					"must not be shorter than '" + this.prefix + "." + otherName + "' (" + format(other) + ")", example);
		}
	}

	void notAfter(String name, @Nullable Duration value, String otherName, @Nullable Duration other,
			String example) {
		if (value != null && other != null && value.compareTo(other) > 0) {
			throw invalid(name, format(value),
					"must not be longer than '" + this.prefix + "." + otherName + "' (" + format(other) + ")", example);
		}
	}

	void longerThan(String name, @Nullable Duration value, String otherName, @Nullable Duration other,
			String example) {
		if (value != null && other != null && value.compareTo(other) <= 0) {
			throw invalid(name, format(value),
					"must be longer than '" + this.prefix + "." + otherName + "' (" + format(other) + ")", example);
		}
	}

	void ratio(String name, double value, String example) {
		if (!(value > 0 && value <= 1)) {
			throw invalid(name, value, "must be a ratio above 0 and at most 1", example);
		}
	}

	void notBelow(String name, double value, String otherName, double other, String example) {
		if (value < other) {
			throw invalid(name, value, "must not be below '" + this.prefix + "." + otherName + "' (" + other + ")",
					example);
		}
	}

	void hasText(String name, @Nullable String value, String example) {
		if (value == null || value.isBlank()) {
			throw invalid(name, "", "must not be empty", example);
		}
	}

	void clientNamePart(String name, @Nullable String value, String example) {
		if (value != null && !CLIENT_NAME_PART.matcher(value).matches()) {
			throw invalid(name, value,
					"must contain only letters, digits, '.', '_' and '-', because it becomes part of the "
							+ "Redis client name (CLIENT SETNAME) and the registry member",
					example);
		}
	}

	/**
	 * Render a duration the way users write it in properties ({@code -1500ms}), not as
	 * ISO-8601 ({@code PT-1.5S}).
	 */
	static String format(Duration duration) {
		return duration.toMillis() + "ms";
	}

	private InvalidGovernorPropertyException invalid(String name, Object value, String reason, String example) {
		return new InvalidGovernorPropertyException(this.prefix + "." + name, value, reason, example);
	}

}
