package io.github.redisgovernor.leak;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.util.ClassUtils;

/**
 * Reports connections taken from the connection factory and not closed, in the manner of
 * HikariCP's {@code leakDetectionThreshold} and its {@code ProxyLeakTask}.
 * <p>
 * A {@code RedisConnection} that is never closed keeps whatever dedicated native
 * connection it took (a transaction, a pipeline, a blocking command) open on the server
 * for good. When a connection is handed out, the detector records the thread and the
 * stack and schedules a check at the threshold; closing the connection cancels it. If the
 * check fires, the connection is logged once, with that stack; if it is closed later,
 * that is logged too. Pub/sub connections are skipped: they are held open by design.
 * <p>
 * The detector never keeps a connection alive: it refers to it weakly. A connection the
 * application drops without closing is garbage-collected as it would be without the
 * detector, and reported as a leak as soon as the detector notices: when the next
 * connection is taken, or at the threshold at the latest.
 * <p>
 * At most {@value #MAX_TRACKED} connections are watched at a time, each with its stack.
 * Above that, connections are handed out unwatched and only counted, and a WARN says so
 * once.
 *
 * @author Redis Governor contributors
 */
public class ConnectionLeakDetector implements DisposableBean {

	/**
	 * How many connections are watched at a time. Each holds the stack that took it until
	 * it is reported, closed or garbage-collected.
	 */
	static final int MAX_TRACKED = 1000;

	private static final Log logger = LogFactory.getLog(ConnectionLeakDetector.class);

	private final Duration threshold;

	private final InstanceIdentity identity;

	private final int maxTracked;

	// A WeakReference that is itself unreachable is never enqueued: the watches are held
	// here until they leave, so that a collected connection is noticed and counted out.
	private final Set<Watch> watches = ConcurrentHashMap.newKeySet();

	private final AtomicInteger watching = new AtomicInteger();

	private final AtomicLong unwatched = new AtomicLong();

	private final ReferenceQueue<RedisConnection> collected = new ReferenceQueue<>();

	// The governor's one thread; its executor drops a cancelled check at once, with the
	// stack it holds.
	private final GovernorScheduler scheduler;

	/**
	 * Create a detector.
	 * @param threshold the time after which an unclosed connection is reported
	 * @param identity this instance, for log lines
	 * @param scheduler the governor's scheduler, which runs the checks
	 */
	public ConnectionLeakDetector(Duration threshold, InstanceIdentity identity, GovernorScheduler scheduler) {
		this(threshold, identity, scheduler, MAX_TRACKED);
	}

	ConnectionLeakDetector(Duration threshold, InstanceIdentity identity, GovernorScheduler scheduler, int maxTracked) {
		this.threshold = threshold;
		this.identity = identity;
		this.scheduler = scheduler;
		this.maxTracked = maxTracked;
	}

	/**
	 * Track a connection that was just handed out.
	 * @param connection the connection
	 * @return a connection that reports to this detector when it is closed, or the
	 * connection itself when {@value #MAX_TRACKED} connections are watched already
	 */
	public RedisConnection track(RedisConnection connection) {
		expungeCollected();
		if (this.watching.getAndUpdate((count) -> (count < this.maxTracked) ? count + 1 : count) >= this.maxTracked) {
			unwatched();
			return connection;
		}
		Watch watch = new Watch(connection, Thread.currentThread().getName(), new Exception("Connection taken here"));
		this.watches.add(watch);
		try {
			watch.schedule();
		}
		catch (RejectedExecutionException | IllegalStateException ex) {
			// The scheduler is stopped (the application is stopping): nothing is watched.
			watch.leave();
			return connection;
		}
		Class<?>[] interfaces = ClassUtils.getAllInterfacesForClass(connection.getClass(),
				connection.getClass().getClassLoader());
		return (RedisConnection) Proxy.newProxyInstance(connection.getClass().getClassLoader(), interfaces,
				new Borrow(connection, watch));
	}

	/**
	 * Return how many connections are watched now: taken, and not yet closed or
	 * garbage-collected. A connection reported as leaked stays watched until then.
	 * @return the number of watched connections, at most {@value #MAX_TRACKED}
	 */
	public int openConnections() {
		expungeCollected();
		return this.watching.get();
	}

	/**
	 * Return how many connections were handed out unwatched because {@value #MAX_TRACKED}
	 * connections were watched already.
	 * @return the number of connections that were not watched
	 */
	public long unwatchedConnections() {
		return this.unwatched.get();
	}

	private void expungeCollected() {
		for (Reference<?> reference = this.collected.poll(); reference != null; reference = this.collected.poll()) {
			((Watch) reference).collected();
		}
	}

	private void unwatched() {
		if (this.unwatched.incrementAndGet() == 1) {
			logger.warn("Redis Governor [" + this.identity + "] leak detection is watching " + this.maxTracked
					+ " connections that were taken and not closed, its limit. Further connections are handed out "
					+ "unwatched, and only counted, until some of these are closed; this is logged once. So many "
					+ "open connections usually mean a leak: look for the leaks reported with their stacks "
					+ "before this line. If the application really holds this many at once, leak detection only "
					+ "samples them.");
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

	private void submit(Runnable report) {
		try {
			this.scheduler.schedule(report, Duration.ZERO);
		}
		catch (RejectedExecutionException | IllegalStateException ex) {
			// Stopping: log on the caller's thread rather than not at all.
			report.run();
		}
	}

	@Override
	public void destroy() {
		for (Watch watch : this.watches) {
			watch.leave();
		}
	}

	/**
	 * One connection handed out: where it was taken and its check at the threshold. It
	 * refers to the connection weakly and is enqueued when the connection is collected.
	 */
	private final class Watch extends WeakReference<RedisConnection> implements Runnable {

		private final String thread;

		private final long takenAt = System.nanoTime();

		// Dropped once reported: the close or collection that follows is logged without
		// it.
		private volatile @Nullable Exception stack;

		private volatile @Nullable Future<?> check;

		private volatile boolean reported;

		private Watch(RedisConnection connection, String thread, Exception stack) {
			super(connection, ConnectionLeakDetector.this.collected);
			this.thread = thread;
			this.stack = stack;
		}

		private void schedule() {
			this.check = ConnectionLeakDetector.this.scheduler.schedule(this, ConnectionLeakDetector.this.threshold);
		}

		/**
		 * Stop watching: closed, collected or subscribed.
		 * @return whether this call stopped it (rather than an earlier one)
		 */
		private boolean leave() {
			if (!ConnectionLeakDetector.this.watches.remove(this)) {
				return false;
			}
			ConnectionLeakDetector.this.watching.decrementAndGet();
			clear();
			Future<?> check = this.check;
			if (check != null) {
				check.cancel(false);
			}
			return true;
		}

		@Override
		public void run() {
			RedisConnection connection = get();
			if (connection == null) {
				collected();
			}
			else if (connection.isClosed() || connection.isSubscribed()) {
				leave();
			}
			else if (ConnectionLeakDetector.this.watches.contains(this)) {
				this.reported = true;
				logger.warn("Redis Governor [" + ConnectionLeakDetector.this.identity + "] apparent connection leak: a "
						+ "RedisConnection taken by thread '" + this.thread + "' has not been closed after "
						+ ConnectionLeakDetector.this.threshold.toMillis() + "ms" + holding(connection)
						+ ". Close it in a finally block or use RedisTemplate.execute(...); the stack below shows "
						+ "where it was taken.", this.stack);
				this.stack = null;
			}
		}

		private void closed() {
			boolean left = leave();
			// A cancelled check may stay queued until its time on an executor that keeps
			// cancelled tasks (one the application supplied): it must not hold the stack.
			this.stack = null;
			if (left && this.reported) {
				logger.info("Redis Governor [" + ConnectionLeakDetector.this.identity + "] the RedisConnection "
						+ "previously reported as leaked (taken by thread '" + this.thread + "') was closed after "
						+ ageMillis() + "ms.");
			}
		}

		private void collected() {
			if (leave()) {
				submit(this.reported ? this::reportCollectedAfterReport : this::reportCollected);
			}
		}

		private void reportCollected() {
			logger.warn("Redis Governor [" + ConnectionLeakDetector.this.identity + "] connection leak: a "
					+ "RedisConnection taken by thread '" + this.thread + "' was garbage-collected without being "
					+ "closed (noticed " + ageMillis() + "ms after it was taken). If it had started a transaction, a "
					+ "pipeline or a blocking command, its dedicated connection is never released: it stays open on "
					+ "the server until the application stops. Close it in a finally block or use "
					+ "RedisTemplate.execute(...); the stack below shows where it was taken.", this.stack);
			this.stack = null;
		}

		private void reportCollectedAfterReport() {
			logger.info("Redis Governor [" + ConnectionLeakDetector.this.identity + "] the RedisConnection "
					+ "previously reported as leaked (taken by thread '" + this.thread + "') was garbage-collected "
					+ "without being closed, " + ageMillis() + "ms after it was taken.");
		}

		private long ageMillis() {
			return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - this.takenAt);
		}

	}

	/**
	 * The proxy's handler: it holds the connection for the application and tells the
	 * watch when it is closed or subscribes.
	 */
	private static final class Borrow implements InvocationHandler {

		private final RedisConnection connection;

		private final Watch watch;

		private Borrow(RedisConnection connection, Watch watch) {
			this.connection = connection;
			this.watch = watch;
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
				String name = method.getName();
				if ("close".equals(name) && method.getParameterCount() == 0) {
					this.watch.closed();
				}
				else if ("subscribe".equals(name) || "pSubscribe".equals(name)) {
					// A subscription holds its connection by design, however long.
					this.watch.leave();
					this.watch.stack = null;
				}
			}
		}

	}

}
