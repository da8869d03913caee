package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Threads that each call Redis at a steady rate ({@code SET} then {@code GET} of their
 * own key), counting the calls that succeeded and failed and keeping the first failures'
 * messages and the slowest call.
 */
final class SteadyCallers implements AutoCloseable {

	final AtomicInteger successes = new AtomicInteger();

	final AtomicInteger failures = new AtomicInteger();

	/**
	 * Failed calls whose command was on the wire when the server reset the connection:
	 * Redis may have run it, so Lettuce fails it rather than send it twice.
	 */
	final AtomicInteger resetInFlight = new AtomicInteger();

	final Queue<String> failureMessages = new ConcurrentLinkedQueue<>();

	private final AtomicLong slowestNanos = new AtomicLong();

	private volatile long lastFailureNanos;

	private volatile long recoveredAtNanos;

	private volatile long markNanos;

	private volatile long firstSuccessAfterMarkNanos;

	private final AtomicBoolean stopping = new AtomicBoolean();

	private final List<Thread> threads = new ArrayList<>();

	/**
	 * Start the callers.
	 * @param template the template to call through
	 * @param threads how many threads
	 * @param pause the pause after each call of a thread
	 */
	SteadyCallers(StringRedisTemplate template, int threads, Duration pause) {
		for (int i = 0; i < threads; i++) {
			String key = "steady-" + i;
			Thread thread = new Thread(() -> call(template, key, pause), "steady-caller-" + i);
			thread.setDaemon(true);
			thread.start();
			this.threads.add(thread);
		}
	}

	private void call(StringRedisTemplate template, String key, Duration pause) {
		long n = 0;
		while (!this.stopping.get()) {
			long start = System.nanoTime();
			try {
				String value = Long.toString(n++);
				template.opsForValue().set(key, value);
				if (!value.equals(template.opsForValue().get(key))) {
					throw new IllegalStateException("read another value than the one written");
				}
				if (this.markNanos != 0 && start >= this.markNanos && this.firstSuccessAfterMarkNanos == 0) {
					this.firstSuccessAfterMarkNanos = System.nanoTime();
				}
				if (this.lastFailureNanos != 0 && this.recoveredAtNanos < this.lastFailureNanos) {
					this.recoveredAtNanos = System.nanoTime();
				}
				this.successes.incrementAndGet();
			}
			catch (RuntimeException ex) {
				this.lastFailureNanos = System.nanoTime();
				this.failures.incrementAndGet();
				if (rootMessage(ex).equals("SocketException: Connection reset")) {
					this.resetInFlight.incrementAndGet();
				}
				if (this.failureMessages.size() < 10) {
					this.failureMessages.add(String.valueOf(ex.getMessage()) + " / " + rootMessage(ex));
				}
			}
			this.slowestNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
			try {
				Thread.sleep(pause.toMillis());
			}
			catch (InterruptedException ex) {
				return;
			}
		}
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + ": " + root.getMessage();
	}

	/**
	 * Start counting failures and the slowest call afresh.
	 */
	void reset() {
		this.slowestNanos.set(0);
		this.failures.set(0);
		this.failureMessages.clear();
	}

	/**
	 * Mark now (a fault is injected): {@link #firstSuccessAfterMarkNanos()} then tells
	 * when the first call that started after it succeeded.
	 * @return the mark, {@link System#nanoTime()}
	 */
	long mark() {
		this.firstSuccessAfterMarkNanos = 0;
		this.markNanos = System.nanoTime();
		return this.markNanos;
	}

	/**
	 * Return when the first call that started after the {@link #mark()} succeeded.
	 * @return {@link System#nanoTime()} of that success, or 0 while none has
	 */
	long firstSuccessAfterMarkNanos() {
		return this.firstSuccessAfterMarkNanos;
	}

	/**
	 * Return when the first call succeeded after the latest failure.
	 * @return {@link System#nanoTime()} of that success, or 0 when no call failed or none
	 * succeeded since
	 */
	long recoveredAtNanos() {
		return (this.recoveredAtNanos > this.lastFailureNanos) ? this.recoveredAtNanos : 0;
	}

	/**
	 * Return when the latest call failed.
	 * @return {@link System#nanoTime()} of that failure, or 0 when none failed
	 */
	long lastFailureNanos() {
		return this.lastFailureNanos;
	}

	long slowestMillis() {
		return this.slowestNanos.get() / 1_000_000;
	}

	@Override
	public void close() throws InterruptedException {
		this.stopping.set(true);
		for (Thread thread : this.threads) {
			thread.join(Duration.ofSeconds(10).toMillis());
		}
	}

}
