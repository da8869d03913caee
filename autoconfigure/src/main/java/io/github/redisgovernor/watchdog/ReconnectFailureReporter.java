package io.github.redisgovernor.watchdog;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.OutageLog;
import io.github.redisgovernor.client.RedisEndpoint;
import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Logs Lettuce's failed reconnects once per outage, not once per back-off step: a WARN
 * with the server's own reason and what to do about it when the first attempt fails, at
 * most one summary a minute while the attempts keep failing, and an INFO with the
 * outage's length and its failed attempts when a connection to an address that failed
 * completes its handshake again (see {@link OutageLog}). A server that refuses
 * connections because other clients hold all of its {@code maxclients} gets advice of its
 * own: the governed application cannot fix that by retrying faster.
 *
 * @author Redis Governor contributors
 */
public class ReconnectFailureReporter implements SmartLifecycle {

	static final String MAX_CLIENTS_REACHED = "max number of clients reached";

	static final String HANDSHAKE_CLOSED = "RedisHandshakeHandler not registered";

	/**
	 * How long without a failed attempt before a connection to any address ends the
	 * outage: Lettuce retries every few seconds while it lasts.
	 */
	static final Duration QUIET = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(ReconnectFailureReporter.class);

	private final LettuceConnectionFactory connectionFactory;

	private final InstanceIdentity identity;

	private final Clock clock;

	private final OutageLog outageLog;

	/** Addresses whose reconnects failed in this outage. */
	private final Set<String> failing = new HashSet<>();

	private Instant lastFailure = Instant.MIN;

	private volatile @Nullable Disposable subscription;

	public ReconnectFailureReporter(LettuceConnectionFactory connectionFactory, InstanceIdentity identity) {
		this(connectionFactory, identity, Clock.systemUTC());
	}

	ReconnectFailureReporter(LettuceConnectionFactory connectionFactory, InstanceIdentity identity, Clock clock) {
		this.connectionFactory = connectionFactory;
		this.identity = identity;
		this.clock = clock;
		this.outageLog = new OutageLog(logger,
				"Redis Governor [" + identity + "] connection to " + RedisEndpoint.describe(connectionFactory), clock);
	}

	@Override
	public synchronized void start() {
		if (this.subscription == null) {
			this.subscription = this.connectionFactory.getRequiredNativeClient()
				.getResources()
				.eventBus()
				.get()
				.filter((event) -> event instanceof ReconnectFailedEvent || event instanceof ConnectionActivatedEvent)
				.subscribe(this::onEvent);
		}
	}

	@Override
	public synchronized void stop() {
		Disposable subscription = this.subscription;
		this.subscription = null;
		if (subscription != null) {
			subscription.dispose();
		}
	}

	@Override
	public boolean isRunning() {
		return this.subscription != null;
	}

	@Override
	public int getPhase() {
		return ConnectionWatchdog.PHASE;
	}

	private void onEvent(Event event) {
		if (event instanceof ReconnectFailedEvent failed) {
			report(failed);
		}
		else if (event instanceof ConnectionActivatedEvent activated) {
			activated(activated);
		}
	}

	synchronized void report(ReconnectFailedEvent event) {
		this.failing.addAll(names(event.remoteAddress()));
		this.lastFailure = this.clock.instant();
		String reason = reason(event.getCause());
		String advice;
		if (reason.contains(MAX_CLIENTS_REACHED)) {
			advice = "The server is full: other clients hold all of its maxclients connections, and this instance "
					+ "keeps retrying with back-off. Find who holds them (CLIENT LIST, grouped by name and "
					+ "address; unnamed connections usually leak from code that bypasses the governor), "
					+ "stop the leak or raise maxclients.";
		}
		else if (reason.contains(HANDSHAKE_CLOSED)) {
			// Lettuce's words when the peer closed the socket before the handshake could
			// read a reply: what a full server does when its error is not read in time.
			reason = "the server closed the connection during the handshake (" + reason + ")";
			advice = "A full server closes new connections this way (maxclients reached), and so does a proxy or "
					+ "firewall that drops them. Lettuce keeps retrying with back-off. Compare the server's "
					+ "connected_clients with its maxclients (INFO clients) and, if it is full, find who holds the "
					+ "connections (CLIENT LIST).";
		}
		else {
			advice = "Lettuce keeps retrying with back-off; commands fail at once (after redis.governor.reconnect.grace) "
					+ "until it succeeds. Check that Redis is up and reachable from this instance.";
		}
		String failure = reason;
		this.outageLog.failed(failure,
				() -> "Redis Governor [" + this.identity + "] could not reconnect to "
						+ RedisEndpoint.describe(this.connectionFactory) + " (attempt " + event.getAttempt() + "): "
						+ failure + ". " + advice);
	}

	/**
	 * A connection completed its handshake. It ends the outage if it goes to an address
	 * that failed. Others say nothing about the outage (each reconnect through Sentinel
	 * first connects to a sentinel; a cluster has other nodes), unless no attempt has
	 * failed for a while: then the reconnect went elsewhere, a failover to a new address,
	 * and succeeded.
	 */
	synchronized void activated(ConnectionActivatedEvent event) {
		if (this.failing.isEmpty()) {
			return;
		}
		if (names(event.remoteAddress()).stream().anyMatch(this.failing::contains)
				|| !this.clock.instant().isBefore(this.lastFailure.plus(QUIET))) {
			this.failing.clear();
			this.outageLog.succeeded();
		}
	}

	/**
	 * The names of an address: Lettuce reports a failed reconnect to the address it has
	 * not resolved ({@code redis.internal:6379}, {@code 127.0.0.1:6379}), and an
	 * activated connection at its resolved one, with or without the host name.
	 */
	private static List<String> names(SocketAddress address) {
		if (!(address instanceof InetSocketAddress inet)) {
			return List.of(String.valueOf(address));
		}
		String name = inet.getHostString() + ":" + inet.getPort();
		return (inet.getAddress() != null) ? List.of(name, inet.getAddress().getHostAddress() + ":" + inet.getPort())
				: List.of(name);
	}

	/**
	 * The innermost message: Redis's own error (for example "ERR max number of clients
	 * reached") sits at the bottom of Lettuce's connection exception.
	 */
	private static String reason(@Nullable Throwable cause) {
		if (cause == null) {
			return "unknown reason";
		}
		Throwable root = cause;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String message = root.getMessage();
		return (message != null) ? message : root.getClass().getSimpleName();
	}

}
