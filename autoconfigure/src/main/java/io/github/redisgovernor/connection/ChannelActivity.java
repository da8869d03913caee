package io.github.redisgovernor.connection;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.util.Collection;
import java.util.Queue;

import io.lettuce.core.protocol.CommandHandler;
import io.lettuce.core.protocol.RedisCommand;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import org.jspecify.annotations.Nullable;

/**
 * The traffic of one Lettuce channel, counted where Netty hands it over: commands
 * written, batches of bytes read (every reply arrives in one), and the commands waiting
 * for a reply (Lettuce's command stack). It sits at the tail of the channel's pipeline,
 * where writes enter as commands and every read ends with {@code channelReadComplete}.
 * <p>
 * Every method runs on the channel's event loop, the only writer of the counters; readers
 * on other threads see them through release/acquire. No clock is read and nothing is
 * allocated per command.
 * <p>
 * When a connection reconnects, its new channel starts from the old channel's totals, so
 * that a reader sees one monotonic count per connection.
 *
 * @author Redis Governor contributors
 */
final class ChannelActivity extends ChannelDuplexHandler {

	static final String NAME = "redisGovernorActivity";

	private static final VarHandle WRITTEN;

	private static final VarHandle READS;

	private static final VarHandle WAITING;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			WRITTEN = lookup.findVarHandle(ChannelActivity.class, "written", long.class);
			READS = lookup.findVarHandle(ChannelActivity.class, "reads", long.class);
			WAITING = lookup.findVarHandle(ChannelActivity.class, "waiting", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final @Nullable Queue<RedisCommand<?, ?, ?>> stack;

	@SuppressWarnings("unused") // through WRITTEN
	private long written;

	@SuppressWarnings("unused") // through READS
	private long reads;

	@SuppressWarnings("unused") // through WAITING
	private int waiting;

	private volatile @Nullable SocketAddress remoteAddress;

	ChannelActivity(@Nullable CommandHandler commandHandler, @Nullable ChannelActivity previous) {
		this.stack = (commandHandler != null) ? commandHandler.getStack() : null;
		if (previous != null) {
			WRITTEN.setRelease(this, previous.written());
			// A new channel is proof of a handshake the server answered.
			READS.setRelease(this, previous.reads() + 1);
		}
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		long count = (msg instanceof RedisCommand<?, ?, ?>) ? 1
				: (msg instanceof Collection<?> commands) ? commands.size() : 0;
		ctx.write(msg, promise);
		if (count > 0) {
			// The command handler, between here and the socket, has put the commands on
			// its stack by now.
			WRITTEN.setRelease(this, (long) WRITTEN.getOpaque(this) + count);
			publishWaiting();
		}
	}

	@Override
	public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
		READS.setRelease(this, (long) READS.getOpaque(this) + 1);
		publishWaiting();
		ctx.fireChannelReadComplete();
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		this.remoteAddress = ctx.channel().remoteAddress();
		ctx.fireChannelActive();
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		WAITING.setRelease(this, 0);
		ctx.fireChannelInactive();
	}

	private void publishWaiting() {
		Queue<RedisCommand<?, ?, ?>> stack = this.stack;
		if (stack != null) {
			WAITING.setRelease(this, stack.size());
		}
	}

	/**
	 * Commands written on this connection, its earlier channels included.
	 */
	long written() {
		return (long) WRITTEN.getAcquire(this);
	}

	/**
	 * Reads on this connection: a number that changes whenever the server sent anything.
	 */
	long reads() {
		return (long) READS.getAcquire(this);
	}

	/**
	 * The address this channel is connected to, once it is active.
	 */
	@Nullable SocketAddress remoteAddress() {
		return this.remoteAddress;
	}

	/**
	 * Commands written and still waiting for their reply, as of the last write or read.
	 */
	int waiting() {
		return (int) WAITING.getAcquire(this);
	}

}
