package io.github.redisgovernor.client;

import java.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.event.Event;
import io.lettuce.core.event.connection.ConnectedEvent;
import io.lettuce.core.event.connection.DisconnectedEvent;
import io.lettuce.core.event.connection.ReconnectAttemptEvent;
import io.lettuce.core.resource.ClientResources;
import reactor.core.Disposable;

import org.springframework.beans.factory.DisposableBean;

/**
 * Counts this instance's own Redis connections from Lettuce's connection events: the
 * connections open now, every connection opened since startup, and reconnects. It sees
 * every connection made through the application's {@link ClientResources}, the governed
 * one and any dedicated connection (transactions, blocking commands, pub/sub), but not
 * connections of a client built with resources of its own.
 *
 * @author Redis Governor contributors
 */
public class ConnectionTracker implements DisposableBean {

	private final AtomicLong open = new AtomicLong();

	private final AtomicLong opened = new AtomicLong();

	private final AtomicLong reconnects = new AtomicLong();

	/** Remote addresses with a reconnect attempt in progress. */
	private final Set<String> reconnecting = ConcurrentHashMap.newKeySet();

	private final Disposable subscription;

	/**
	 * Start counting the connections made through the given resources.
	 * @param clientResources the application's Lettuce client resources
	 */
	public ConnectionTracker(ClientResources clientResources) {
		this.subscription = clientResources.eventBus().get().subscribe(this::onEvent);
	}

	void onEvent(Event event) {
		if (event instanceof ConnectedEvent connected) {
			this.open.incrementAndGet();
			this.opened.incrementAndGet();
			if (this.reconnecting.remove(key(connected.remoteAddress()))) {
				this.reconnects.incrementAndGet();
			}
		}
		else if (event instanceof DisconnectedEvent) {
			this.open.updateAndGet((value) -> Math.max(0, value - 1));
		}
		else if (event instanceof ReconnectAttemptEvent attempt) {
			this.reconnecting.add(key(attempt.remoteAddress()));
		}
	}

	private static String key(SocketAddress address) {
		return String.valueOf(address);
	}

	/**
	 * Return the connections this instance holds open now.
	 * @return the count
	 */
	public long getOpen() {
		return this.open.get();
	}

	/**
	 * Return the connections this instance has opened since startup, reconnects included.
	 * @return the count
	 */
	public long getOpened() {
		return this.opened.get();
	}

	/**
	 * Return the connections that were re-established after they were lost.
	 * @return the count
	 */
	public long getReconnects() {
		return this.reconnects.get();
	}

	@Override
	public void destroy() {
		this.subscription.dispose();
	}

}
