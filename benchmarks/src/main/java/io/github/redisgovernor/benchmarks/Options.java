package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.boot.convert.DurationStyle;

/**
 * The command-line options of a benchmark program: {@code --name=value}, or
 * {@code --flag} for {@code --flag=true}. An argument of another form, or a name the
 * program does not know, stops it with a message that names the argument and lists the
 * known ones; so does a value of the wrong type.
 *
 * @author Redis Governor contributors
 */
final class Options {

	private final String program;

	private final Map<String, String> values;

	private Options(String program, Map<String, String> values) {
		this.program = program;
		this.values = values;
	}

	/**
	 * Parses the arguments of a program.
	 * @param program the program's name, for messages
	 * @param args the arguments
	 * @param known the option names the program takes
	 * @return the options
	 * @throws IllegalArgumentException for an argument of another form or an unknown name
	 */
	static Options parse(String program, String[] args, String... known) {
		Set<String> names = new TreeSet<>(Arrays.asList(known));
		Map<String, String> values = new LinkedHashMap<>();
		for (String arg : args) {
			if (!arg.startsWith("--") || arg.length() == 2) {
				throw new IllegalArgumentException(program + ": expected --name=value or --flag, got '" + arg
						+ "'; known options: " + String.join(", ", names));
			}
			int equals = arg.indexOf('=');
			String name = (equals < 0) ? arg.substring(2) : arg.substring(2, equals);
			if (!names.contains(name)) {
				throw new IllegalArgumentException("Unknown option --" + name + " for " + program + "; known options: "
						+ String.join(", ", names));
			}
			values.put(name, (equals < 0) ? "true" : arg.substring(equals + 1));
		}
		return new Options(program, values);
	}

	boolean has(String name) {
		return this.values.containsKey(name);
	}

	String string(String name, String fallback) {
		return this.values.getOrDefault(name, fallback);
	}

	boolean flag(String name) {
		String value = string(name, "false");
		if (!value.equals("true") && !value.equals("false")) {
			throw invalid(name, value, "true or false");
		}
		return Boolean.parseBoolean(value);
	}

	int integer(String name, int fallback) {
		String value = string(name, Integer.toString(fallback));
		try {
			return Integer.parseInt(value.replace("_", ""));
		}
		catch (NumberFormatException ex) {
			throw invalid(name, value, "a whole number, such as " + fallback);
		}
	}

	Duration duration(String name, String fallback) {
		String value = string(name, fallback);
		try {
			return DurationStyle.detectAndParse(value);
		}
		catch (IllegalArgumentException ex) {
			throw invalid(name, value, "a duration such as " + fallback + ", 90s or 2m");
		}
	}

	List<String> list(String name, String fallback) {
		return Arrays.stream(string(name, fallback).split(",")).map(String::trim).filter((s) -> !s.isEmpty()).toList();
	}

	private IllegalArgumentException invalid(String name, String value, String expected) {
		return new IllegalArgumentException(this.program + ": --" + name + "=" + value + " is not valid; use "
				+ expected + " (--" + name + "=...)");
	}

}
