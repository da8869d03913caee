package io.github.redisgovernor.server;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * The server's client figures from one sample.
 *
 * @param connectedClients {@code connected_clients} from {@code INFO clients}, or
 * {@code null} when it could not be read
 * @param maxClients {@code maxclients}, or {@code null} when it could not be read
 * @param sampledAt when the sample was taken, or {@code null} before the first one
 * @param unreadable what could not be read, and why (for example
 * {@code "INFO clients" -> "NOPERM this user has no permissions to run the 'info' command"})
 * @author Redis Governor contributors
 */
public record ServerFigures(@Nullable Long connectedClients, @Nullable Long maxClients, @Nullable Instant sampledAt,
		Map<String, String> unreadable) {

	/** Before the first sample. */
	public static final ServerFigures NONE = new ServerFigures(null, null, null,
			Map.of("INFO clients", "not sampled yet"));

	public ServerFigures {
		unreadable = Map.copyOf(unreadable);
	}

}
