package io.github.redisgovernor.benchmarks;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import io.github.redisgovernor.test.redis.RedisServer;

/**
 * Figures the benchmarks read from the server: {@code INFO} fields, command counts from
 * {@code INFO commandstats}, and the clients of {@code CLIENT LIST} grouped by name,
 * without the fixture's own admin connection.
 *
 * @author Redis Governor contributors
 */
final class ServerInfo {

	/** How {@link #clientsByName(RedisServer)} shows a connection without a name. */
	static final String NO_NAME = "(no name)";

	private ServerInfo() {
	}

	static long number(Map<String, String> info, String field) {
		return Long.parseLong(info.get(field));
	}

	/**
	 * The server's {@code connected_clients}, the fixture's admin connection included.
	 * @param redis the server
	 * @return the count
	 */
	static long connectedClients(RedisServer redis) {
		return number(redis.infoMap("clients"), "connected_clients");
	}

	/**
	 * How often Redis ran a command, from {@code INFO commandstats} (commands that
	 * scripts ran included).
	 * @param info {@code INFO commandstats} or {@code INFO everything}
	 * @param command the command, lower case, subcommands as {@code client|list}
	 * @return the calls, 0 for a command never run
	 */
	static long calls(Map<String, String> info, String command) {
		String value = info.get("cmdstat_" + command);
		return (value != null) ? Long.parseLong(value.replaceAll("^calls=(\\d+),.*$", "$1")) : 0;
	}

	/**
	 * The calls of every command between two readings of {@code INFO commandstats}.
	 * @param before the first reading
	 * @param after the second reading
	 * @return calls by command, commands without calls left out
	 */
	static Map<String, Long> callsBetween(Map<String, String> before, Map<String, String> after) {
		Map<String, Long> calls = new TreeMap<>();
		after.keySet().stream().filter((key) -> key.startsWith("cmdstat_")).forEach((key) -> {
			String command = key.substring("cmdstat_".length());
			long delta = calls(after, command) - calls(before, command);
			if (delta > 0) {
				calls.put(command, delta);
			}
		});
		return calls;
	}

	/**
	 * Redis's CPU time so far, system and user.
	 * @param info {@code INFO cpu} or {@code INFO everything}
	 * @return the seconds
	 */
	static double cpuSeconds(Map<String, String> info) {
		return Double.parseDouble(info.get("used_cpu_sys")) + Double.parseDouble(info.get("used_cpu_user"));
	}

	/**
	 * {@code CLIENT LIST} by client name, without the fixture's admin connection;
	 * connections without a name count under {@value #NO_NAME}.
	 * @param redis the server
	 * @return connections by name, sorted by name
	 */
	static Map<String, Long> clientsByName(RedisServer redis) {
		return redis.clientList()
			.stream()
			.map((client) -> client.getOrDefault("name", ""))
			.filter((name) -> !RedisServer.ADMIN_CLIENT_NAME.equals(name))
			.map((name) -> name.isEmpty() ? NO_NAME : name)
			.collect(Collectors.groupingBy((name) -> name, TreeMap::new, Collectors.counting()));
	}

}
