package io.github.redisgovernor.connection;

import java.net.SocketAddress;
import java.util.Map;
import java.util.WeakHashMap;

import io.lettuce.core.Delegating;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisChannelWriter;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.Endpoint;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;

/**
 * The one source of command activity: what each connection of the governed client has
 * sent, received and left waiting. The watchdog, the drain and the meters read it for the
 * connections they care about (the shared ones), so that a dedicated connection parked in
 * {@code BLPOP} never looks like a shared connection waiting for a reply.
 * <p>
 * It is a Lettuce {@link NettyCustomizer}: every channel the governed client opens gets a
 * {@link ChannelActivity} at the tail of its pipeline. Nothing is added to Lettuce's
 * command path (no {@code CommandListener}, whose events read the clock twice and
 * allocate per command).
 * <p>
 * Channels are looked up by their Lettuce endpoint, held weakly: a connection the
 * application forgets stays collectable.
 *
 * @author Redis Governor contributors
 */
public class ConnectionActivity implements NettyCustomizer {

	private final Map<Endpoint, ChannelActivity> channels = new WeakHashMap<>();

	@Override
	public void afterChannelInitialized(Channel channel) {
		CommandHandler commandHandler = channel.pipeline().get(CommandHandler.class);
		if (commandHandler == null || channel.pipeline().get(ChannelActivity.NAME) != null) {
			return;
		}
		Endpoint endpoint = commandHandler.getEndpoint();
		ChannelActivity activity;
		synchronized (this.channels) {
			activity = new ChannelActivity(commandHandler, this.channels.get(endpoint));
			this.channels.put(endpoint, activity);
		}
		channel.pipeline().addLast(ChannelActivity.NAME, activity);
	}

	/**
	 * Return the activity of a connection.
	 * @param connection a standalone connection of the governed client
	 * @return its activity, or {@link Activity#UNKNOWN} when it is not counted
	 */
	public Activity of(StatefulConnection<?, ?> connection) {
		Endpoint endpoint = endpoint(connection);
		if (endpoint == null) {
			return Activity.UNKNOWN;
		}
		ChannelActivity channel;
		synchronized (this.channels) {
			channel = this.channels.get(endpoint);
		}
		return (channel != null) ? new Activity(channel.written(), channel.reads(), channel.waiting(), true)
				: Activity.UNKNOWN;
	}

	/**
	 * Return the address a connection's current channel is connected to.
	 * @param connection a standalone connection of the governed client
	 * @return the address, or {@code null} when the connection is not counted or has not
	 * connected yet
	 */
	public @Nullable SocketAddress remoteAddress(StatefulConnection<?, ?> connection) {
		Endpoint endpoint = endpoint(connection);
		if (endpoint == null) {
			return null;
		}
		ChannelActivity channel;
		synchronized (this.channels) {
			channel = this.channels.get(endpoint);
		}
		return (channel != null) ? channel.remoteAddress() : null;
	}

	/**
	 * Return the endpoint under a standalone connection's writer, or {@code null} for a
	 * cluster connection (one endpoint per node) or an unknown writer.
	 * @param connection the connection
	 * @return the endpoint
	 */
	static @Nullable Endpoint endpoint(StatefulConnection<?, ?> connection) {
		if (!(connection instanceof RedisChannelHandler<?, ?> handler)) {
			return null;
		}
		RedisChannelWriter writer = handler.getChannelWriter();
		while (writer instanceof Delegating<?> delegating && delegating.unwrap() instanceof RedisChannelWriter inner
				&& inner != writer) {
			writer = inner;
		}
		return (writer instanceof Endpoint endpoint) ? endpoint : null;
	}

	/**
	 * A reading of one connection's activity.
	 *
	 * @param written commands written since the connection opened
	 * @param reads a count that changes whenever the server sent anything
	 * @param waiting commands written and waiting for their reply
	 * @param known whether the connection is counted at all
	 */
	public record Activity(long written, long reads, int waiting, boolean known) {

		/**
		 * A connection that is not counted.
		 */
		public static final Activity UNKNOWN = new Activity(0, 0, 0, false);

	}

}
