package io.github.redisgovernor.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the text of a Redis {@code INFO} reply into its {@code key:value} fields.
 *
 * @author Redis Governor contributors
 */
public final class InfoParser {

	private InfoParser() {
	}

	/**
	 * Parse INFO text.
	 * @param info the reply of {@code INFO} or {@code INFO <section>}
	 * @return the fields in reply order; section headers and blank lines left out
	 */
	public static Map<String, String> parse(String info) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line : info.split("\r?\n")) {
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			int colon = line.indexOf(':');
			if (colon > 0) {
				fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return fields;
	}

}
