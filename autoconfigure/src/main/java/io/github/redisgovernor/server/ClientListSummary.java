package io.github.redisgovernor.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Who holds the server's connections: {@code CLIENT LIST} grouped by client name and by
 * address. Only names, addresses (without port) and counts are kept; nothing else from
 * the reply (no commands, no arguments) leaves this class.
 *
 * @param total connections in the list
 * @param unnamed connections without a client name, the usual fingerprint of code that
 * builds its own client instead of using the governed one
 * @param byName connection counts per client name, largest first; unnamed connections are
 * listed under the empty name
 * @param byAddress connection counts per client address (IP without port), largest first
 * @param unnamedByAddress unnamed connection counts per client address, largest first
 * @param readAt when {@code CLIENT LIST} was read, or {@code null} if it never was
 * @param problem why it could not be read, or {@code null}
 * @param kinds the same connections by kind: charged to the fleet (governed, ungoverned)
 * or not (Sentinel, replication, {@code MONITOR}, other hosts)
 * @author Redis Governor contributors
 */
public record ClientListSummary(long total, long unnamed, List<Group> byName, List<Group> byAddress,
		List<Group> unnamedByAddress, @Nullable Instant readAt, @Nullable String problem, ClientMix kinds) {

	static ClientListSummary unreadable(String problem) {
		return new ClientListSummary(0, 0, List.of(), List.of(), List.of(), null, problem,
				ClientMix.unreadable(problem));
	}

	/**
	 * Summarize the text of a {@code CLIENT LIST} reply, with the kinds of connections.
	 * @param clientList the reply, one line per connection
	 * @param readAt when it was read
	 * @param governedNames the client names of the live governed instances
	 * @return the summary
	 */
	public static ClientListSummary parse(String clientList, Instant readAt, Set<String> governedNames) {
		return parse(clientList, readAt, ClientMix.classify(clientList, governedNames, readAt));
	}

	/**
	 * Summarize the text of a {@code CLIENT LIST} reply.
	 * @param clientList the reply, one line per connection
	 * @param readAt when it was read
	 * @return the summary
	 */
	public static ClientListSummary parse(String clientList, Instant readAt) {
		return parse(clientList, readAt, ClientMix.classify(clientList, Set.of(), readAt));
	}

	private static ClientListSummary parse(String clientList, Instant readAt, ClientMix kinds) {
		Map<String, Long> byName = new HashMap<>();
		Map<String, Long> byAddress = new HashMap<>();
		Map<String, Long> unnamedByAddress = new HashMap<>();
		long total = 0;
		long unnamed = 0;
		for (String line : clientList.split("\r?\n")) {
			if (line.isBlank()) {
				continue;
			}
			String name = "";
			String address = "";
			for (String field : line.trim().split(" ")) {
				if (field.startsWith("name=")) {
					name = field.substring(5);
				}
				else if (field.startsWith("addr=")) {
					address = host(field.substring(5));
				}
			}
			total++;
			byName.merge(name, 1L, Long::sum);
			byAddress.merge(address, 1L, Long::sum);
			if (name.isEmpty()) {
				unnamed++;
				unnamedByAddress.merge(address, 1L, Long::sum);
			}
		}
		return new ClientListSummary(total, unnamed, groups(byName), groups(byAddress), groups(unnamedByAddress),
				readAt, null, kinds);
	}

	/** {@code 10.0.1.17:53122} and {@code [::1]:53122} without the port. */
	static String host(String address) {
		int colon = address.lastIndexOf(':');
		String host = (colon > 0) ? address.substring(0, colon) : address;
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		return host;
	}

	private static List<Group> groups(Map<String, Long> counts) {
		List<Group> groups = new ArrayList<>();
		counts.forEach((key, count) -> groups.add(new Group(key, count)));
		groups.sort(Comparator.comparingLong(Group::count).reversed().thenComparing(Group::key));
		return List.copyOf(groups);
	}

	/**
	 * Connections that share a client name or an address.
	 *
	 * @param key the client name (empty for unnamed connections) or the address
	 * @param count the number of connections
	 */
	public record Group(String key, long count) {

	}

}
