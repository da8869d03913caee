package io.github.redisgovernor.watchdog;

import java.time.Clock;

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
 * outage's length and its failed attempts when a connection is established again (see
 * {@link OutageLog}). A server that refuses connections because other clients hold all
 * of its {@code maxclients} gets advice of its own: the governed application cannot fix
 * that by retrying faster.
 *
 * @author Redis Governor contributors
 */
public class ReconnectFailureReporter implements SmartLifecycle {

	static final String MAX_CLIENTS_REACHED = "max number of clients reached";

	static final String HANDSHAKE_CLOSED = "RedisHandshakeHandler not registered";

	private static final Log logger = LogFactory.getLog(ReconnectFailureReporter.class);

	private final LettuceConnectionFactory connectionFactory;

	private final InstanceIdentity identity;

	private final OutageLog outageLog;

	private volatile @Nullable Disposable subscription;

	public ReconnectFailureReporter(LettuceConnectionFactory connectionFactory, InstanceIdentity identity) {
		this(connectionFactory, identity, Clock.systemUTC());
	}

	ReconnectFailureReporter(LettuceConnectionFactory connectionFactory, InstanceIdentity identity, Clock clock) {
		this.connectionFactory = connectionFactory;
		this.identity = identity;
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
		else {
			// A connection completed its handshake: the server accepts connections again.
			reconnected();
		}
	}

	void report(ReconnectFailedEvent event) {
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
			advice = "Lettuce keeps retrying with back-off; commands are rejected at once until it succeeds. Check "
					+ "that Redis is up and reachable from this instance.";
		}
		String failure = reason;
		this.outageLog.failed(failure,
				() -> "Redis Governor [" + this.identity + "] could not reconnect to "
						+ RedisEndpoint.describe(this.connectionFactory) + " (attempt " + event.getAttempt() + "): "
						+ failure + ". " + advice);
	}

	void reconnected() {
		this.outageLog.succeeded();
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
