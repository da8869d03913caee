package io.github.redisgovernor.client;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.util.Assert;

/**
 * Runs the governor's own commands (heartbeats, {@code INFO}, {@code CLIENT LIST}) on the
 * application's shared Lettuce connection. It never opens a connection of its own:
 * Spring Data Redis's pipelining would take a dedicated connection, so commands are sent
 * through Lettuce's asynchronous API instead, which writes them back to back on the
 * shared socket and awaits the replies together.
 *
 * @author Redis Governor contributors
 */
public class SharedConnectionCommands {

	private final RedisConnectionFactory connectionFactory;

	private final Duration timeout;

	/**
	 * Create an instance.
	 * @param connectionFactory the governed connection factory
	 * @param timeout the longest any one reply is awaited
	 */
	public SharedConnectionCommands(RedisConnectionFactory connectionFactory, Duration timeout) {
		Assert.notNull(connectionFactory, "'connectionFactory' must not be null");
		Assert.isTrue(timeout != null && !timeout.isNegative() && !timeout.isZero(), "'timeout' must be positive");
		this.connectionFactory = connectionFactory;
		this.timeout = timeout;
	}

	/**
	 * Run work on the shared connection.
	 * @param <T> the result type
	 * @param work what to send
	 * @return the work's result
	 * @throws Exception the server's error reply, a timeout, or a connection failure;
	 * never wrapped in an {@link ExecutionException}
	 */
	public <T> T execute(Work<T> work) throws Exception {
		if (this.connectionFactory instanceof LettuceConnectionFactory lettuce && !lettuce.getShareNativeConnection()) {
			throw new IllegalStateException("the connection factory does not share its native connection "
					+ "(shareNativeConnection=false), and the governor does not open connections of its own");
		}
		RedisConnection connection = this.connectionFactory.getConnection();
		try {
			Object nativeConnection = connection.getNativeConnection();
			if (!(nativeConnection instanceof RedisClusterAsyncCommands<?, ?>)) {
				throw new IllegalStateException("the connection factory is not backed by Lettuce");
			}
			@SuppressWarnings("unchecked")
			RedisClusterAsyncCommands<byte[], byte[]> commands = (RedisClusterAsyncCommands<byte[], byte[]>) nativeConnection;
			return work.run(new Session(commands, this.timeout));
		}
		finally {
			// Closing a connection that shares the native connection leaves the socket open.
			connection.close();
		}
	}

	/**
	 * Return the longest any one reply is awaited.
	 * @return the timeout
	 */
	public Duration getTimeout() {
		return this.timeout;
	}

	/**
	 * Describe a failure in one line for health details, logs and the endpoint: the
	 * server's error reply (for example {@code NOPERM ...}) or the client's message.
	 * @param ex the failure
	 * @return the description, never containing credentials
	 */
	public static String describe(Throwable ex) {
		Throwable cause = (ex instanceof ExecutionException && ex.getCause() != null) ? ex.getCause() : ex;
		if (cause instanceof TimeoutException) {
			return "no reply within the command timeout";
		}
		String message = cause.getMessage();
		if (message == null || message.isBlank()) {
			return cause.getClass().getSimpleName();
		}
		message = message.strip();
		// Callers append their own sentence: "Commands are rejected." must not end in "..".
		return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
	}

	/**
	 * Work to run on the shared connection.
	 *
	 * @param <T> the result type
	 */
	@FunctionalInterface
	public interface Work<T> {

		/**
		 * Send commands and await their replies.
		 * @param session the shared connection's commands
		 * @return the result
		 * @throws Exception on failure
		 */
		T run(Session session) throws Exception;

	}

	/**
	 * The shared connection's asynchronous commands, and a bounded wait for a reply.
	 */
	public static final class Session {

		private final RedisClusterAsyncCommands<byte[], byte[]> commands;

		private final Duration timeout;

		Session(RedisClusterAsyncCommands<byte[], byte[]> commands, Duration timeout) {
			this.commands = commands;
			this.timeout = timeout;
		}

		/**
		 * Return the asynchronous commands of the shared connection.
		 * @return the commands
		 */
		public RedisClusterAsyncCommands<byte[], byte[]> commands() {
			return this.commands;
		}

		/**
		 * Wait for a reply, at most the command timeout.
		 * @param <R> the reply type
		 * @param future the pending reply
		 * @return the reply
		 * @throws Exception the server's error reply, the cause of a failure, or a
		 * {@link TimeoutException}
		 */
		public <R> R await(RedisFuture<R> future) throws Exception {
			try {
				return future.get(this.timeout.toNanos(), TimeUnit.NANOSECONDS);
			}
			catch (TimeoutException ex) {
				future.cancel(false);
				throw ex;
			}
			catch (ExecutionException ex) {
				Throwable cause = ex.getCause();
				throw (cause instanceof Exception exception) ? exception : ex;
			}
		}

	}

}
