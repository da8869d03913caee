package io.github.redisgovernor.client;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.DefaultEndpoint;
import io.lettuce.core.protocol.Endpoint;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * Lets a command wait a short, bounded time for a connection that is being
 * re-established, and fails commands at once once the connection has been down longer
 * than that.
 * <p>
 * Lettuce offers two behaviours while a connection is down: reject every command at once
 * (a planned failover then fails the requests of its few hundred milliseconds), or buffer
 * them until the connection is back or the command timeout passes (an outage then holds
 * every caller for the whole command timeout). The governor lets Lettuce buffer, and adds
 * the bound: when a connection has stayed down for the grace period, the commands it
 * buffered fail with a {@link RedisConnectionException} that says why, and every command
 * after them fails at once, until the connection is back (Lettuce clears the error when
 * the new channel is active).
 * <p>
 * It is a Netty customizer: every channel of the governed client gets a handler at the
 * tail of its pipeline that notes when its connection goes down and comes back. Nothing
 * runs per command.
 *
 * @author Redis Governor contributors
 */
final class ReconnectGrace implements NettyCustomizer {

	static final String NAME = "redisGovernorReconnectGrace";

	private static final Log logger = LogFactory.getLog(ReconnectGrace.class);

	private static final @Nullable BufferedCommands BUFFERED = BufferedCommands.find();

	private final Duration grace;

	private final String property;

	/** Per connection (its Lettuce endpoint): the channels it has had. */
	private final Map<Endpoint, long[]> generations = new WeakHashMap<>();

	/**
	 * Create the customizer.
	 * @param grace how long a command may wait for a connection that is down; positive
	 * @param property the property that sets it, named in the error
	 */
	ReconnectGrace(Duration grace, String property) {
		this.grace = grace;
		this.property = property;
	}

	@Override
	public void afterChannelInitialized(Channel channel) {
		CommandHandler commandHandler = channel.pipeline().get(CommandHandler.class);
		if (commandHandler == null || channel.pipeline().get(NAME) != null) {
			return;
		}
		channel.pipeline().addLast(NAME, new Watch(commandHandler.getEndpoint()));
	}

	private long generation(Endpoint endpoint, boolean next) {
		synchronized (this.generations) {
			long[] generation = this.generations.computeIfAbsent(endpoint, (key) -> new long[1]);
			if (next) {
				generation[0]++;
			}
			return generation[0];
		}
	}

	private void expire(Endpoint endpoint, long generation, @Nullable Object remote) {
		if (generation(endpoint, false) != generation
				|| (endpoint instanceof DefaultEndpoint defaultEndpoint && defaultEndpoint.isClosed())) {
			return;
		}
		RedisConnectionException error = new RedisConnectionException("Not connected to Redis"
				+ ((remote != null) ? " at " + remote : "") + " for more than " + this.grace.toMillis() + "ms ("
				+ this.property + "): commands fail at once until the connection is back");
		// Commands from now on fail at once (Lettuce completes a command with this error
		// instead of buffering it while the connection is down).
		endpoint.notifyException(error);
		int failed = (BUFFERED != null) ? BUFFERED.fail(endpoint, error) : 0;
		if (logger.isDebugEnabled()) {
			logger.debug(error.getMessage() + "; " + failed + " buffered command(s) failed");
		}
	}

	/**
	 * Watches one channel of a connection.
	 */
	private final class Watch extends ChannelInboundHandlerAdapter {

		private final Endpoint endpoint;

		private Watch(Endpoint endpoint) {
			this.endpoint = endpoint;
		}

		@Override
		public void channelActive(ChannelHandlerContext ctx) throws Exception {
			generation(this.endpoint, true);
			ctx.fireChannelActive();
		}

		@Override
		public void channelInactive(ChannelHandlerContext ctx) throws Exception {
			long generation = generation(this.endpoint, true);
			Object remote = ctx.channel().remoteAddress();
			ctx.fireChannelInactive();
			ctx.channel()
				.eventLoop()
				.schedule(() -> expire(this.endpoint, generation, remote), ReconnectGrace.this.grace.toNanos(),
						TimeUnit.NANOSECONDS);
		}

	}

	/**
	 * The commands a Lettuce endpoint buffered while disconnected. Lettuce has no public
	 * way to fail them before their timeout, so this reaches {@code DefaultEndpoint}'s
	 * protected {@code drainCommands()} under its own lock. When a Lettuce version lacks
	 * it, the buffered commands fail at their command timeout instead, and commands sent
	 * after the grace period still fail at once.
	 */
	private record BufferedCommands(Method doExclusive, Method drainCommands) {

		static @Nullable BufferedCommands find() {
			try {
				Method doExclusive = DefaultEndpoint.class.getDeclaredMethod("doExclusive", Supplier.class);
				Method drainCommands = DefaultEndpoint.class.getDeclaredMethod("drainCommands");
				doExclusive.setAccessible(true);
				drainCommands.setAccessible(true);
				return new BufferedCommands(doExclusive, drainCommands);
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				logger.info("Redis Governor cannot fail the commands Lettuce buffered while a connection is "
						+ "down before their command timeout (" + ex + "); commands sent later still fail at once");
				return null;
			}
		}

		int fail(Endpoint endpoint, RedisConnectionException error) {
			if (!(endpoint instanceof DefaultEndpoint)) {
				return 0;
			}
			try {
				Supplier<Object> drain = () -> {
					try {
						return this.drainCommands.invoke(endpoint);
					}
					catch (ReflectiveOperationException ex) {
						throw new IllegalStateException(ex);
					}
				};
				Collection<?> commands = (Collection<?>) this.doExclusive.invoke(endpoint, drain);
				for (Object command : commands) {
					((RedisCommand<?, ?, ?>) command).completeExceptionally(error);
				}
				return commands.size();
			}
			catch (ReflectiveOperationException | RuntimeException ex) {
				logger.debug("Could not fail the buffered commands", ex);
				return 0;
			}
		}

	}

}
