package io.github.redisgovernor.leak;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionProvider;

/**
 * Wraps the connection factory's {@link LettuceConnectionProvider}: every dedicated
 * connection it hands out gets a {@link LeakTask}, cancelled when the connection is
 * released. Left out:
 * <ul>
 * <li>the factory's own shared connection, which is held for the factory's lifetime by
 * design;</li>
 * <li>pub/sub connections, which a subscription holds for as long as it listens.</li>
 * </ul>
 *
 * @author Redis Governor contributors
 */
class TrackingConnectionProvider implements LettuceConnectionProvider, LettuceConnectionProvider.TargetAware,
		DisposableBean {

	private static final String SHARED_CONNECTION_CLASS = "org.springframework.data.redis.connection.lettuce."
			+ "LettuceConnectionFactory$SharedConnection";

	private static final StackWalker stackWalker = StackWalker.getInstance();

	private final LettuceConnectionProvider delegate;

	private final DedicatedConnectionLeakDetector detector;

	private final Map<StatefulConnection<?, ?>, LeakTask> out = new ConcurrentHashMap<>();

	TrackingConnectionProvider(LettuceConnectionProvider delegate, DedicatedConnectionLeakDetector detector) {
		this.delegate = delegate;
		this.detector = detector;
	}

	LettuceConnectionProvider getDelegate() {
		return this.delegate;
	}

	@Override
	public <T extends StatefulConnection<?, ?>> T getConnection(Class<T> connectionType) {
		LeakTask task = taskFor(connectionType);
		T connection = this.delegate.getConnection(connectionType);
		return track(connection, task);
	}

	@Override
	public <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType) {
		LeakTask task = taskFor(connectionType);
		return this.delegate.getConnectionAsync(connectionType).thenApply((connection) -> track(connection, task));
	}

	@Override
	public <T extends StatefulConnection<?, ?>> CompletionStage<T> getConnectionAsync(Class<T> connectionType,
			RedisURI redisUri) {
		if (!(this.delegate instanceof TargetAware targetAware)) {
			throw new UnsupportedOperationException(
					"Connection provider " + this.delegate.getClass().getName() + " cannot connect to a given node");
		}
		LeakTask task = taskFor(connectionType);
		return targetAware.getConnectionAsync(connectionType, redisUri)
			.thenApply((connection) -> track(connection, task));
	}

	@Override
	public void release(StatefulConnection<?, ?> connection) {
		returned(connection);
		this.delegate.release(connection);
	}

	@Override
	public CompletableFuture<Void> releaseAsync(StatefulConnection<?, ?> connection) {
		returned(connection);
		return this.delegate.releaseAsync(connection);
	}

	@Override
	public void destroy() throws Exception {
		if (this.delegate instanceof DisposableBean disposable) {
			disposable.destroy();
		}
	}

	int connectionsOut() {
		return this.out.size();
	}

	private LeakTask taskFor(Class<?> connectionType) {
		if (StatefulRedisPubSubConnection.class.isAssignableFrom(connectionType) || isSharedConnection()) {
			return LeakTask.NO_LEAK;
		}
		return this.detector.newTask();
	}

	private <T extends StatefulConnection<?, ?>> T track(T connection, LeakTask task) {
		if (task != LeakTask.NO_LEAK) {
			this.out.put(connection, task);
		}
		return connection;
	}

	private void returned(StatefulConnection<?, ?> connection) {
		LeakTask task = this.out.remove(connection);
		if (task != null) {
			task.returned();
		}
	}

	private static boolean isSharedConnection() {
		return stackWalker
			.walk((frames) -> frames.limit(16).anyMatch((frame) -> SHARED_CONNECTION_CLASS.equals(frame.getClassName())));
	}

}
