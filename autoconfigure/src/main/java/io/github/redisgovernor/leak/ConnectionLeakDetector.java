package io.github.redisgovernor.leak;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.redisgovernor.client.InstanceIdentity;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.util.ClassUtils;

/**
 * Reports connections taken from the connection factory and not closed within a
 * threshold, in the manner of HikariCP's {@code leakDetectionThreshold}.
 * <p>
 * A {@code RedisConnection} that is never closed keeps whatever dedicated native
 * connection it took (a transaction, a pipeline, a blocking command) open on the server
 * for good. When a connection is handed out, the detector records the thread and the
 * stack; a sweeper looks at the open ones every half threshold and logs each connection
 * still open past the threshold once, with that stack. If it is closed later, that is
 * logged too. Pub/sub connections are skipped: they are held open by design.
 *
 * @author Redis Governor contributors
 */
public class ConnectionLeakDetector implements DisposableBean {

	private static final Log logger = LogFactory.getLog(ConnectionLeakDetector.class);

	private final Duration threshold;

	private final InstanceIdentity identity;

	private final Map<Borrow, Boolean> open = new ConcurrentHashMap<>();

	private final ScheduledExecutorService sweeper;

	public ConnectionLeakDetector(Duration threshold, InstanceIdentity identity) {
		this.threshold = threshold;
		this.identity = identity;
		this.sweeper = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "redis-governor-leak-detector");
			thread.setDaemon(true);
			return thread;
		});
		long period = Math.max(10, threshold.toMillis() / 2);
		this.sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
	}

	/**
	 * Track a connection that was just handed out.
	 * @param connection the connection
	 * @return a connection that reports to this detector when it is closed
	 */
	public RedisConnection track(RedisConnection connection) {
		Borrow borrow = new Borrow(connection, Thread.currentThread().getName(), System.nanoTime(),
				new Exception("Connection taken here"));
		this.open.put(borrow, Boolean.TRUE);
		Class<?>[] interfaces = ClassUtils.getAllInterfacesForClass(connection.getClass(),
				connection.getClass().getClassLoader());
		return (RedisConnection) Proxy.newProxyInstance(connection.getClass().getClassLoader(), interfaces, borrow);
	}

	/**
	 * Return how many tracked connections are open now.
	 * @return the number of open connections
	 */
	public int openConnections() {
		return this.open.size();
	}

	void sweep() {
		long now = System.nanoTime();
		for (Borrow borrow : this.open.keySet()) {
			if (borrow.connection.isClosed()) {
				this.open.remove(borrow);
			}
			else if (!borrow.reported && now - borrow.takenAt > this.threshold.toNanos()
					&& !borrow.connection.isSubscribed()) {
				borrow.reported = true;
				logger.warn("Redis Governor [" + this.identity + "] apparent connection leak: a RedisConnection taken by "
						+ "thread '" + borrow.thread + "' has not been closed after " + this.threshold.toMillis()
						+ "ms" + holding(borrow.connection) + ". Close it in a finally block or use "
						+ "RedisTemplate.execute(...); the stack below shows where it was taken.", borrow.stack);
			}
		}
	}

	private String holding(RedisConnection connection) {
		if (connection.isQueueing()) {
			return " (it holds a dedicated connection in a MULTI transaction)";
		}
		if (connection.isPipelined()) {
			return " (it holds a dedicated connection in an open pipeline)";
		}
		return "";
	}

	@Override
	public void destroy() {
		this.sweeper.shutdownNow();
	}

	private final class Borrow implements InvocationHandler {

		private final RedisConnection connection;

		private final String thread;

		private final long takenAt;

		private final Exception stack;

		private volatile boolean reported;

		private Borrow(RedisConnection connection, String thread, long takenAt, Exception stack) {
			this.connection = connection;
			this.thread = thread;
			this.takenAt = takenAt;
			this.stack = stack;
		}

		@Override
		public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
			if (method.getDeclaringClass() == Object.class) {
				return switch (method.getName()) {
					case "equals" -> proxy == args[0];
					case "hashCode" -> System.identityHashCode(proxy);
					default -> "Leak-tracked " + this.connection;
				};
			}
			try {
				return method.invoke(this.connection, args);
			}
			catch (InvocationTargetException ex) {
				throw ex.getTargetException();
			}
			finally {
				if ("close".equals(method.getName()) && method.getParameterCount() == 0) {
					returned();
				}
			}
		}

		private void returned() {
			if (ConnectionLeakDetector.this.open.remove(this) != null && this.reported) {
				logger.info("Redis Governor [" + ConnectionLeakDetector.this.identity + "] the RedisConnection "
						+ "previously reported as leaked (taken by thread '" + this.thread + "') was closed after "
						+ TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.takenAt) + "ms.");
			}
		}

	}

}
