package io.github.redisgovernor.autoconfigure;

import java.time.Duration;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.convert.DurationStyle;

/**
 * Rejects impossible property values with an {@link InvalidGovernorPropertyException}
 * that names the full property, the value and a valid example.
 * <p>
 * Durations are whole milliseconds from 1ms (or 0 where it means "off") to
 * {@link #LONGEST}: Lettuce's back-off, Netty's connect timeout,
 * {@code TCP_USER_TIMEOUT}, Spring Data Redis's command timeout and the governor's
 * schedules all count in milliseconds, so a finer value would be cut without a word. TCP
 * keepalive times are whole seconds, for the same reason.
 *
 * @author Redis Governor contributors
 */
final class PropertyChecks {

	/**
	 * Longest duration the governor accepts. Netty's connect timeout and the kernel's
	 * {@code TCP_USER_TIMEOUT} are {@code int} milliseconds; every other duration is held
	 * to the same range so that one rule covers all of them.
	 */
	static final Duration LONGEST = Duration.ofMillis(Integer.MAX_VALUE);

	/**
	 * Longest TCP keepalive idle time or probe interval Linux accepts
	 * ({@code MAX_TCP_KEEPIDLE}, {@code MAX_TCP_KEEPINTVL}).
	 */
	static final Duration LONGEST_KEEP_ALIVE = Duration.ofSeconds(32767);

	/**
	 * Most TCP keepalive probes Linux accepts ({@code MAX_TCP_KEEPCNT}).
	 */
	static final int MOST_KEEP_ALIVE_PROBES = 127;

	private static final Pattern CLIENT_NAME_PART = Pattern.compile("[A-Za-z0-9._-]+");

	private final String prefix;

	PropertyChecks(String prefix) {
		this.prefix = prefix;
	}

	/**
	 * Check a duration that must be at least 1ms.
	 */
	void positive(String name, @Nullable Duration value, String example) {
		if (value != null && (value.isNegative() || value.isZero())) {
			throw invalid(name, format(value), "must be a positive duration", example);
		}
		wholeMillis(name, value, example);
	}

	/**
	 * Check a duration that may be 0.
	 */
	void notNegative(String name, @Nullable Duration value, String example) {
		if (value != null && value.isNegative()) {
			throw invalid(name, format(value), "must not be negative", example);
		}
		wholeMillis(name, value, example);
	}

	/**
	 * Check a duration that may be 0, and say what 0 means.
	 */
	void notNegative(String name, @Nullable Duration value, String zeroMeans, String example) {
		if (value != null && value.isNegative()) {
			throw invalid(name, format(value), "must not be negative (" + zeroMeans + ")", example);
		}
		wholeMillis(name, value, example);
	}

	/**
	 * Check a TCP keepalive time: whole seconds from 1s to {@link #LONGEST_KEEP_ALIVE}.
	 */
	void keepAliveTime(String name, @Nullable Duration value, String example) {
		if (value == null) {
			return;
		}
		if (value.isNegative() || value.isZero()) {
			throw invalid(name, format(value), "must be a positive duration", example);
		}
		if (value.compareTo(LONGEST_KEEP_ALIVE) > 0) {
			throw invalid(name, format(value), "must not be longer than " + LONGEST_KEEP_ALIVE.toSeconds()
					+ "s, the most the Linux kernel accepts for a TCP keepalive time", example);
		}
		if (value.getNano() != 0) {
			throw invalid(name, format(value), "must be a whole number of seconds: TCP keepalive counts in seconds, "
					+ "so it would silently become " + value.toSeconds() + "s", example);
		}
	}

	void atLeast(String name, int value, int minimum, String example) {
		if (value < minimum) {
			throw invalid(name, value, "must be at least " + minimum, example);
		}
	}

	void atMost(String name, int value, int maximum, String why, String example) {
		if (value > maximum) {
			throw invalid(name, value, "must be at most " + maximum + ", " + why, example);
		}
	}

	void notBefore(String name, @Nullable Duration value, String otherName, @Nullable Duration other, String example) {
		if (value != null && other != null && value.compareTo(other) < 0) {
			String valid = (parse(example).compareTo(other) >= 0) ? example : exampleOf(other);
			throw invalid(name, format(value),
					"must not be shorter than '" + this.prefix + "." + otherName + "' (" + format(other) + ")", valid);
		}
	}

	void notAfter(String name, @Nullable Duration value, String otherName, @Nullable Duration other, String example) {
		if (value != null && other != null && value.compareTo(other) > 0) {
			String valid = (parse(example).compareTo(other) <= 0) ? example : exampleOf(other);
			throw invalid(name, format(value),
					"must not be longer than '" + this.prefix + "." + otherName + "' (" + format(other) + ")", valid);
		}
	}

	void longerThan(String name, @Nullable Duration value, String otherName, @Nullable Duration other, String example) {
		if (value != null && other != null && value.compareTo(other) <= 0) {
			String valid = (parse(example).compareTo(other) > 0) ? example : exampleAbove(other);
			throw invalid(name, format(value),
					"must be longer than '" + this.prefix + "." + otherName + "' (" + format(other) + ")", valid);
		}
	}

	/**
	 * Check a duration that must be shorter than another, described in full (it may come
	 * from another prefix or a default).
	 */
	void shorterThan(String name, @Nullable Duration value, String otherDescription, Duration other, String example) {
		if (value != null && value.compareTo(other) >= 0) {
			String valid = (parse(example).compareTo(other) < 0) ? example : exampleOf(other.dividedBy(2));
			throw invalid(name, format(value), "must be shorter than " + otherDescription + " (" + format(other) + ")",
					valid);
		}
	}

	void ratio(String name, double value, String example) {
		if (!(value > 0 && value <= 1)) {
			throw invalid(name, value, "must be a ratio above 0 and at most 1", example);
		}
	}

	void notBelow(String name, double value, String otherName, double other, String example) {
		if (value < other) {
			String valid = (Double.parseDouble(example) >= other) ? example : String.valueOf(other);
			throw invalid(name, value, "must not be below '" + this.prefix + "." + otherName + "' (" + other + ")",
					valid);
		}
	}

	void hasText(String name, @Nullable String value, String example) {
		if (value == null || value.isBlank()) {
			throw invalid(name, (value != null) ? value : "", "must not be empty", example);
		}
	}

	/**
	 * Check a key that must contain a Redis Cluster hash tag, so that the keys named
	 * after it share its slot.
	 */
	void hashTagged(String name, @Nullable String value, String example) {
		hasText(name, value, example);
		int open = value.indexOf('{');
		int close = (open >= 0) ? value.indexOf('}', open + 1) : -1;
		if (open < 0 || close < open + 2) {
			throw invalid(name, value,
					"must contain a hash tag ('{...}' around a non-empty part), so that the registry's three keys "
							+ "(the key, '<key>:sampler' and '<key>:figures') map to one slot on Redis Cluster",
					example);
		}
	}

	/**
	 * Check a rate per second: positive and finite.
	 */
	void atLeastRate(String name, double value, String example) {
		if (!(value > 0) || Double.isInfinite(value)) {
			throw invalid(name, value, "must be a positive number of heartbeats per second", example);
		}
	}

	/**
	 * Check a part of the Redis client name. Unset is fine (a default applies); set, it
	 * must be a usable name.
	 * @param unsetMeans the default that applies when the property is removed
	 */
	void clientNamePart(String name, @Nullable String value, String unsetMeans, String example) {
		if (value == null) {
			return;
		}
		if (value.isBlank()) {
			throw invalid(name, value,
					"must not be empty; set a name, or remove the property to default to " + unsetMeans, example);
		}
		if (!CLIENT_NAME_PART.matcher(value).matches()) {
			throw invalid(name, value,
					"must contain only letters, digits, '.', '_' and '-', because it becomes part of the "
							+ "Redis client name (CLIENT SETNAME) and the registry member",
					example);
		}
	}

	private void wholeMillis(String name, @Nullable Duration value, String example) {
		if (value == null) {
			return;
		}
		if (value.compareTo(LONGEST) > 0) {
			throw invalid(name, format(value), "must not be longer than " + LONGEST.toMillis() + "ms (about 24.8 days)",
					example);
		}
		if (value.getNano() % 1_000_000 != 0) {
			throw invalid(name, format(value), "must be a whole number of milliseconds: it is applied in "
					+ "milliseconds, so it would silently become " + value.toMillis() + "ms", example);
		}
	}

	/**
	 * Render a duration the way users write it in properties ({@code -1500ms}), not as
	 * ISO-8601 ({@code PT-1.5S}). A duration that is not whole milliseconds keeps its
	 * finer digits ({@code 500us}), so that the message shows what was written.
	 */
	static String format(Duration duration) {
		long seconds = duration.getSeconds();
		if (duration.getNano() % 1_000_000 == 0) {
			boolean millisFit = seconds > Long.MIN_VALUE / 1_000 && seconds < Long.MAX_VALUE / 1_000;
			return millisFit ? duration.toMillis() + "ms" : seconds + "s";
		}
		if (seconds <= Long.MIN_VALUE / 1_000_000_000 || seconds >= Long.MAX_VALUE / 1_000_000_000) {
			return duration.toString();
		}
		long nanos = duration.toNanos();
		return (nanos % 1_000 == 0) ? (nanos / 1_000) + "us" : nanos + "ns";
	}

	/**
	 * Render a duration as a value to suggest: {@code 3s} rather than {@code 3000ms}.
	 */
	static String exampleOf(Duration duration) {
		return (duration.toMillis() % 1_000 == 0) ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
	}

	/**
	 * A duration longer than {@code other}, for an example: three times it, which also
	 * gives a registry ttl room for two late heartbeats.
	 */
	private static String exampleAbove(Duration other) {
		Duration above = other.multipliedBy(3);
		return exampleOf((above.compareTo(LONGEST) <= 0) ? above : LONGEST);
	}

	private static Duration parse(String example) {
		return DurationStyle.detectAndParse(example);
	}

	private InvalidGovernorPropertyException invalid(String name, Object value, String reason, String example) {
		return new InvalidGovernorPropertyException(this.prefix + "." + name, value, reason, example);
	}

}
