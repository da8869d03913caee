package io.github.redisgovernor.server;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The server's client figures from one sample, as the fleet's sampler took them (or this
 * instance, while the server refuses the registry's scripts).
 *
 * @param connectedClients {@code connected_clients} from {@code INFO clients}, or
 * {@code null} when it could not be read
 * @param maxClients {@code maxclients}, or {@code null} when it could not be read
 * @param sampledAt when the sample was taken, or {@code null} before the first one
 * @param unreadable what could not be read, and why (for example
 * {@code "INFO clients" -> "NOPERM this user has no permissions to run the 'info' command"})
 * @param instances live instances in the registry at the sample, or {@code null} when the
 * sample does not say
 * @param fleetClients the clients charged to the governed fleet:
 * {@code connected_clients} less the clients the last {@link ClientMix} showed to be
 * outside it; {@code null} when unknown
 * @param mix who the clients are, from the last {@code CLIENT LIST}, or {@code null} when
 * never read
 * @param history the latest samples, oldest first, for the leak rule
 * @param sampledBy the registry member that took the sample, or {@code null}
 * @param nodes on a Redis Cluster, each accounted node's figures (masters, and replicas
 * when the application reads from them); empty otherwise
 * @author Redis Governor contributors
 */
public record ServerFigures(@Nullable Long connectedClients, @Nullable Long maxClients, @Nullable Instant sampledAt,
		Map<String, String> unreadable, @Nullable Long instances, @Nullable Long fleetClients, @Nullable ClientMix mix,
		List<Point> history, @Nullable String sampledBy, List<NodeFigures> nodes) {

	/** Before the first sample. */
	public static final ServerFigures NONE = new ServerFigures(null, null, null,
			Map.of("INFO clients", "not sampled yet"));

	/** The most samples published to the fleet with each one. */
	static final int HISTORY = 32;

	public ServerFigures {
		unreadable = Map.copyOf(unreadable);
		history = List.copyOf(history);
		nodes = List.copyOf(nodes);
	}

	/**
	 * Figures without cluster nodes.
	 * @param connectedClients {@code connected_clients}, or {@code null}
	 * @param maxClients {@code maxclients}, or {@code null}
	 * @param sampledAt when the sample was taken, or {@code null}
	 * @param unreadable what could not be read, and why
	 * @param instances live instances at the sample, or {@code null}
	 * @param fleetClients the clients charged to the fleet, or {@code null}
	 * @param mix who the clients are, or {@code null}
	 * @param history the latest samples, oldest first
	 * @param sampledBy the registry member that took the sample, or {@code null}
	 */
	public ServerFigures(@Nullable Long connectedClients, @Nullable Long maxClients, @Nullable Instant sampledAt,
			Map<String, String> unreadable, @Nullable Long instances, @Nullable Long fleetClients,
			@Nullable ClientMix mix, List<Point> history, @Nullable String sampledBy) {
		this(connectedClients, maxClients, sampledAt, unreadable, instances, fleetClients, mix, history, sampledBy,
				List.of());
	}

	/**
	 * Return these figures with the cluster nodes' figures.
	 * @param nodes the nodes' figures
	 * @return the figures
	 */
	public ServerFigures withNodes(List<NodeFigures> nodes) {
		return new ServerFigures(this.connectedClients, this.maxClients, this.sampledAt, this.unreadable,
				this.instances, this.fleetClients, this.mix, this.history, this.sampledBy, nodes);
	}

	/**
	 * Figures without the fleet's view: no instance count, mix or history.
	 * @param connectedClients {@code connected_clients}, or {@code null}
	 * @param maxClients {@code maxclients}, or {@code null}
	 * @param sampledAt when the sample was taken, or {@code null}
	 * @param unreadable what could not be read, and why
	 */
	public ServerFigures(@Nullable Long connectedClients, @Nullable Long maxClients, @Nullable Instant sampledAt,
			Map<String, String> unreadable) {
		this(connectedClients, maxClients, sampledAt, unreadable, null, connectedClients, null, List.of(), null);
	}

	/**
	 * One sample of the fleet, as the leak rule sees it.
	 *
	 * @param at when it was taken, by the server's clock
	 * @param fleetClients the clients charged to the fleet
	 * @param instances the live instances
	 */
	public record Point(Instant at, long fleetClients, long instances) {

	}

	/**
	 * The fields the sampler publishes in the registry for the rest of the fleet.
	 * @return field names and values
	 */
	public Map<String, String> toFields() {
		Map<String, String> fields = new LinkedHashMap<>();
		put(fields, "sampler", this.sampledBy);
		put(fields, "at", (this.sampledAt != null) ? this.sampledAt.toEpochMilli() : null);
		put(fields, "connected", this.connectedClients);
		put(fields, "max", this.maxClients);
		put(fields, "instances", this.instances);
		put(fields, "fleet", this.fleetClients);
		this.unreadable.forEach((what, why) -> fields.put("unreadable." + what, why));
		if (this.mix != null) {
			fields.putAll(this.mix.toFields());
		}
		StringBuilder history = new StringBuilder();
		for (Point point : this.history) {
			history.append((history.length() > 0) ? "," : "")
				.append(point.at().toEpochMilli())
				.append(':')
				.append(point.fleetClients())
				.append(':')
				.append(point.instances());
		}
		fields.put("history", history.toString());
		if (!this.nodes.isEmpty()) {
			StringBuilder names = new StringBuilder();
			for (NodeFigures node : this.nodes) {
				names.append((names.length() > 0) ? "," : "").append(node.address()).append('|').append(node.role());
				node.figures()
					.toFields()
					.forEach((name, value) -> fields.put(nodePrefix(node.address()) + name, value));
			}
			fields.put("nodes", names.toString());
		}
		return fields;
	}

	private static String nodePrefix(String address) {
		return "node." + address + ".";
	}

	private static List<NodeFigures> nodesFromFields(Map<String, String> fields) {
		String names = fields.get("nodes");
		if (names == null || names.isEmpty()) {
			return List.of();
		}
		List<NodeFigures> nodes = new ArrayList<>();
		for (String entry : names.split(",")) {
			int bar = entry.lastIndexOf('|');
			if (bar <= 0) {
				continue;
			}
			String address = entry.substring(0, bar);
			String prefix = nodePrefix(address);
			Map<String, String> own = new LinkedHashMap<>();
			fields.forEach((name, value) -> {
				if (name.startsWith(prefix)) {
					own.put(name.substring(prefix.length()), value);
				}
			});
			ServerFigures figures = fromFields(own);
			if (figures != null) {
				nodes.add(new NodeFigures(address, entry.substring(bar + 1), figures));
			}
		}
		return nodes;
	}

	/**
	 * Read figures that the fleet's sampler published.
	 * @param fields the published fields
	 * @return the figures, or {@code null} when the fields hold no sample
	 */
	public static @Nullable ServerFigures fromFields(Map<String, String> fields) {
		Long at = number(fields.get("at"));
		if (at == null) {
			return null;
		}
		Map<String, String> unreadable = new LinkedHashMap<>();
		fields.forEach((name, value) -> {
			if (name.startsWith("unreadable.")) {
				unreadable.put(name.substring("unreadable.".length()), value);
			}
		});
		List<Point> history = new ArrayList<>();
		String text = fields.getOrDefault("history", "");
		for (String entry : text.split(",")) {
			String[] parts = entry.split(":");
			if (parts.length == 3) {
				Long pointAt = number(parts[0]);
				Long fleet = number(parts[1]);
				Long instances = number(parts[2]);
				if (pointAt != null && fleet != null && instances != null) {
					history.add(new Point(Instant.ofEpochMilli(pointAt), fleet, instances));
				}
			}
		}
		return new ServerFigures(number(fields.get("connected")), number(fields.get("max")), Instant.ofEpochMilli(at),
				unreadable, number(fields.get("instances")), number(fields.get("fleet")), ClientMix.fromFields(fields),
				history, fields.get("sampler"), nodesFromFields(fields));
	}

	private static void put(Map<String, String> fields, String name, @Nullable Object value) {
		if (value != null) {
			fields.put(name, value.toString());
		}
	}

	static @Nullable Long number(@Nullable String value) {
		if (value == null) {
			return null;
		}
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

}
