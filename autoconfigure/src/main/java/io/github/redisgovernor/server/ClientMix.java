package io.github.redisgovernor.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.jspecify.annotations.Nullable;

/**
 * Who the server's clients are, from one {@code CLIENT LIST}: what is charged to the
 * governed fleet and what is not.
 * <ul>
 * <li><b>governed</b>: connections named {@code <application>:<instance-id>} by a live
 * member of the registry;</li>
 * <li><b>ungoverned</b>: any other connection from a host that runs a governed instance
 * (unnamed, or named by something else), charged to the fleet: code that builds its own
 * client is the usual leak, and it runs where the governed instances run;</li>
 * <li>not charged: Sentinel's links ({@code sentinel-<id>-cmd}, {@code -pubsub}), the
 * link to this server's master (flag {@code M}), {@code MONITOR} clients (flag
 * {@code O}), replicas (flag {@code S}, which {@code connected_clients} does not count
 * anyway), and connections from hosts that run no governed instance (other
 * applications).</li>
 * </ul>
 * Only counts leave this class; no name, address or command of a client does.
 *
 * @param governed connections of live governed instances
 * @param ungoverned other connections from the governed instances' hosts
 * @param sentinel connections of Sentinels
 * @param replication replication links: replicas of this server (not counted in
 * {@code connected_clients}) and this server's link to its master
 * @param monitor {@code MONITOR} connections
 * @param otherHosts connections from hosts without a governed instance
 * @param excluded the connections that {@code connected_clients} counts and that are not
 * charged to the fleet
 * @param readAt when {@code CLIENT LIST} was read, or {@code null} if it never was
 * @param problem why it could not be read, or {@code null}
 * @author Redis Governor contributors
 */
public record ClientMix(long governed, long ungoverned, long sentinel, long replication, long monitor, long otherHosts,
		long excluded, @Nullable Instant readAt, @Nullable String problem) {

	/**
	 * Classify a {@code CLIENT LIST} reply.
	 * @param clientList the reply, one line per connection
	 * @param governedNames the client names of the live governed instances
	 * @param readAt when it was read
	 * @return the mix
	 */
	public static ClientMix classify(String clientList, Set<String> governedNames, Instant readAt) {
		record Client(String name, String host, String flags) {
		}
		List<Client> clients = new ArrayList<>();
		Set<String> fleetHosts = new HashSet<>();
		for (String line : clientList.split("\r?\n")) {
			if (line.isBlank()) {
				continue;
			}
			String name = "";
			String host = "";
			String flags = "";
			for (String field : line.trim().split(" ")) {
				if (field.startsWith("name=")) {
					name = field.substring(5);
				}
				else if (field.startsWith("addr=")) {
					host = ClientListSummary.host(field.substring(5));
				}
				else if (field.startsWith("flags=")) {
					flags = field.substring(6);
				}
			}
			Client client = new Client(name, host, flags);
			clients.add(client);
			if (governedNames.contains(name)) {
				fleetHosts.add(host);
			}
		}
		long governed = 0;
		long ungoverned = 0;
		long sentinel = 0;
		long replicas = 0;
		long master = 0;
		long monitor = 0;
		long otherHosts = 0;
		for (Client client : clients) {
			if (client.flags().contains("S")) {
				replicas++;
			}
			else if (client.flags().contains("M")) {
				master++;
			}
			else if (client.flags().contains("O")) {
				monitor++;
			}
			else if (isSentinel(client.name())) {
				sentinel++;
			}
			else if (governedNames.contains(client.name())) {
				governed++;
			}
			else if (fleetHosts.contains(client.host())) {
				ungoverned++;
			}
			else {
				otherHosts++;
			}
		}
		return new ClientMix(governed, ungoverned, sentinel, replicas + master, monitor, otherHosts,
				sentinel + master + monitor + otherHosts, readAt, null);
	}

	/**
	 * A mix that could not be read.
	 * @param problem why
	 * @return the mix
	 */
	public static ClientMix unreadable(String problem) {
		return new ClientMix(0, 0, 0, 0, 0, 0, 0, null, problem);
	}

	/**
	 * Sentinel names its two links to every server it watches
	 * {@code sentinel-<first 8 characters of its run id>-cmd} and {@code -pubsub}.
	 */
	static boolean isSentinel(String name) {
		return name.startsWith("sentinel-") && (name.endsWith("-cmd") || name.endsWith("-pubsub"));
	}

	/**
	 * Return whether the mix was read.
	 * @return {@code true} when {@code CLIENT LIST} was read and classified
	 */
	public boolean isKnown() {
		return this.problem == null && this.readAt != null;
	}

	/**
	 * The counts by kind, for health details and the endpoint.
	 * @return kind to count
	 */
	public Map<String, Object> toDetails() {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("governed", this.governed);
		details.put("ungoverned", this.ungoverned);
		details.put("sentinel", this.sentinel);
		details.put("replication", this.replication);
		details.put("monitor", this.monitor);
		details.put("otherHosts", this.otherHosts);
		return details;
	}

	/**
	 * The fields published to the fleet.
	 */
	Map<String, String> toFields() {
		Map<String, String> fields = new LinkedHashMap<>();
		if (this.problem != null) {
			fields.put("mix.problem", this.problem);
			return fields;
		}
		fields.put("mix.at", Long.toString((this.readAt != null) ? this.readAt.toEpochMilli() : 0));
		fields.put("mix.governed", Long.toString(this.governed));
		fields.put("mix.ungoverned", Long.toString(this.ungoverned));
		fields.put("mix.sentinel", Long.toString(this.sentinel));
		fields.put("mix.replication", Long.toString(this.replication));
		fields.put("mix.monitor", Long.toString(this.monitor));
		fields.put("mix.otherHosts", Long.toString(this.otherHosts));
		fields.put("mix.excluded", Long.toString(this.excluded));
		return fields;
	}

	static @Nullable ClientMix fromFields(Map<String, String> fields) {
		String problem = fields.get("mix.problem");
		if (problem != null) {
			return unreadable(problem);
		}
		if (!fields.containsKey("mix.at")) {
			return null;
		}
		return new ClientMix(number(fields, "mix.governed"), number(fields, "mix.ungoverned"),
				number(fields, "mix.sentinel"), number(fields, "mix.replication"), number(fields, "mix.monitor"),
				number(fields, "mix.otherHosts"), number(fields, "mix.excluded"),
				Instant.ofEpochMilli(number(fields, "mix.at")), null);
	}

	private static long number(Map<String, String> fields, String name) {
		try {
			return Long.parseLong(fields.getOrDefault(name, "0"));
		}
		catch (NumberFormatException ex) {
			return 0;
		}
	}

}
