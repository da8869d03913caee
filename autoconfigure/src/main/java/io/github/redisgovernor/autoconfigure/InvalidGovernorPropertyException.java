package io.github.redisgovernor.autoconfigure;

/**
 * Thrown at startup when a {@code redis.governor.*} property holds a value the governor
 * cannot work with. {@link InvalidGovernorPropertyFailureAnalyzer} turns it into a
 * startup report that names the property and a valid example.
 *
 * @author Redis Governor contributors
 */
public class InvalidGovernorPropertyException extends IllegalStateException {

	private final String property;

	private final String value;

	private final String reason;

	private final String example;

	public InvalidGovernorPropertyException(String property, Object value, String reason, String example) {
		super("Invalid value '" + value + "' for property '" + property + "': it " + reason + ". For example: "
				+ property + "=" + example);
		this.property = property;
		this.value = String.valueOf(value);
		this.reason = reason;
		this.example = example;
	}

	/**
	 * Return the full name of the offending property.
	 * @return the property name, for example {@code redis.governor.command-timeout}
	 */
	public String getProperty() {
		return this.property;
	}

	/**
	 * Return the rejected value as text.
	 * @return the value
	 */
	public String getValue() {
		return this.value;
	}

	/**
	 * Return why the value was rejected.
	 * @return the reason, phrased to follow "it"
	 */
	public String getReason() {
		return this.reason;
	}

	/**
	 * Return a valid example value.
	 * @return the example
	 */
	public String getExample() {
		return this.example;
	}

}
