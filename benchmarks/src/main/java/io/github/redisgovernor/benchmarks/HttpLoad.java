package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import io.github.redisgovernor.benchmarks.HttpConnection.Request;

/**
 * HTTP load on an application: {@code connections} callers, each on its own
 * {@link HttpConnection} and thread, sending requests back to back (a closed loop, as
 * {@code wrk -c} does) or paced so that all of them together send {@code rate} requests a
 * second. It counts the outcomes (status codes, {@code refused}, {@code timeout}, ...)
 * and, when asked to record, keeps every call's start, end and outcome for latencies and
 * timelines; a long soak records nothing, so that the load generator's heap stays flat.
 *
 * <pre>{@code
 * try (HttpLoad load = HttpLoad.on("127.0.0.1", port).connections(50).record().start()) {
 *     Thread.sleep(10_000);
 * }
 * }</pre>
 *
 * @author Redis Governor contributors
 */
final class HttpLoad implements AutoCloseable {

	private final Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();

	private final List<Caller> callers = new ArrayList<>();

	private final Duration timeout;

	private volatile boolean stopped;

	private List<Long> inFlightAtClose = List.of();

	private HttpLoad(Builder builder) {
		this.timeout = builder.timeout;
		long pauseNanos = (builder.rate > 0) ? (long) (TimeUnit.SECONDS.toNanos(1) * builder.connections / builder.rate)
				: 0;
		for (int i = 0; i < builder.connections; i++) {
			HttpConnection connection = new HttpConnection(builder.host, builder.port, builder.timeout,
					builder.closeAfterEach);
			Caller caller = new Caller(connection, builder.requests, pauseNanos, builder.pauseAfterFailure.toNanos(),
					builder.record);
			caller.thread = new Thread(caller, "http-load-" + (i + 1));
			caller.thread.setDaemon(true);
			this.callers.add(caller);
		}
		this.callers.forEach((caller) -> caller.thread.start());
	}

	static Builder on(String host, int port) {
		return new Builder(host, port);
	}

	/**
	 * Whether an outcome is a reply from the application that it gave with Redis's
	 * answer: 2xx, or 404 for a key that is not there.
	 * @param outcome the outcome
	 * @return whether it succeeded
	 */
	static boolean succeeded(String outcome) {
		return outcome.startsWith("2") && outcome.length() == 3 || outcome.equals("404");
	}

	/**
	 * The outcomes so far, live.
	 * @return calls by outcome, sorted
	 */
	Map<String, Long> outcomes() {
		Map<String, Long> counts = new TreeMap<>();
		this.outcomes.forEach((outcome, count) -> counts.put(outcome, count.sum()));
		return counts;
	}

	long succeeded() {
		return outcomes().entrySet()
			.stream()
			.filter((entry) -> succeeded(entry.getKey()))
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

	long failed() {
		return outcomes().entrySet()
			.stream()
			.filter((entry) -> !succeeded(entry.getKey()))
			.mapToLong(Map.Entry::getValue)
			.sum();
	}

	/**
	 * Every call recorded, by start time; complete once {@link #close() closed}.
	 * @return the calls
	 */
	List<Call> calls() {
		List<Call> calls = new ArrayList<>();
		for (Caller caller : this.callers) {
			synchronized (caller.calls) {
				calls.addAll(caller.calls);
			}
		}
		calls.sort(Comparator.comparingLong(Call::start));
		return calls;
	}

	/**
	 * The calls that were waiting for their reply when the load was {@linkplain #close()
	 * closed}, by when they were sent; they are not among the outcomes nor the recorded
	 * calls.
	 * @return when each call in flight at the close was sent ({@link System#nanoTime()})
	 */
	List<Long> inFlightAtClose() {
		return this.inFlightAtClose;
	}

	/**
	 * The calls that ended in a window.
	 * @param calls the calls
	 * @param from the window's start ({@link System#nanoTime()})
	 * @param to the window's end, excluded
	 * @return the calls that ended from {@code from} to before {@code to}
	 */
	static List<Call> endedBetween(List<Call> calls, long from, long to) {
		return calls.stream().filter((call) -> call.end() - from >= 0 && call.end() - to < 0).toList();
	}

	/**
	 * Stops the callers: each finishes the call it is in, for at most a second, and then
	 * its connection is closed under it (that call is not counted).
	 */
	@Override
	public void close() {
		List<Long> inFlight = new ArrayList<>();
		for (Caller caller : this.callers) {
			long since = caller.callStart;
			if (caller.inCall) {
				inFlight.add(since);
			}
		}
		this.inFlightAtClose = inFlight;
		this.stopped = true;
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
		for (Caller caller : this.callers) {
			LockSupport.unpark(caller.thread);
			join(caller.thread, deadline);
		}
		for (Caller caller : this.callers) {
			caller.connection.close();
			join(caller.thread, System.nanoTime() + this.timeout.toNanos() + TimeUnit.SECONDS.toNanos(1));
		}
	}

	private static void join(Thread thread, long deadline) {
		try {
			thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * One call: when it was sent and answered ({@link System#nanoTime()}), and how.
	 *
	 * @param start when the request was sent
	 * @param end when the response, or the failure, came
	 * @param outcome the status code, or what went wrong
	 */
	record Call(long start, long end, String outcome) {

		long nanos() {
			return this.end - this.start;
		}

		boolean succeeded() {
			return HttpLoad.succeeded(this.outcome);
		}

	}

	private final class Caller implements Runnable {

		private final HttpConnection connection;

		private final Supplier<Request> requests;

		private final long pauseNanos;

		private final long pauseAfterFailureNanos;

		private final boolean record;

		private final List<Call> calls = new ArrayList<>();

		private Thread thread;

		private volatile boolean inCall;

		private volatile long callStart;

		Caller(HttpConnection connection, Supplier<Request> requests, long pauseNanos, long pauseAfterFailureNanos,
				boolean record) {
			this.connection = connection;
			this.requests = requests;
			this.pauseNanos = pauseNanos;
			this.pauseAfterFailureNanos = pauseAfterFailureNanos;
			this.record = record;
		}

		@Override
		public void run() {
			long next = System.nanoTime();
			while (!HttpLoad.this.stopped) {
				Request request = this.requests.get();
				long start = System.nanoTime();
				this.callStart = start;
				this.inCall = true;
				String outcome = this.connection.exchange(request, false);
				this.inCall = false;
				long end = System.nanoTime();
				if (HttpLoad.this.stopped) {
					break; // possibly cut short by close(): not an outcome of the load
				}
				HttpLoad.this.outcomes.computeIfAbsent(outcome, (key) -> new LongAdder()).increment();
				if (this.record) {
					synchronized (this.calls) {
						this.calls.add(new Call(start, end, outcome));
					}
				}
				if (this.pauseNanos > 0) {
					next += this.pauseNanos;
					if (next - System.nanoTime() > 0) {
						LockSupport.parkNanos(next - System.nanoTime());
					}
					else {
						next = System.nanoTime();
					}
				}
				if (this.pauseAfterFailureNanos > 0 && !succeeded(outcome)) {
					LockSupport.parkNanos(this.pauseAfterFailureNanos);
				}
			}
			this.connection.close();
		}

	}

	static final class Builder {

		private final String host;

		private final int port;

		private int connections = 1;

		private double rate;

		private Supplier<Request> requests = () -> Request.get("/");

		private Duration timeout = Duration.ofSeconds(10);

		private boolean closeAfterEach;

		private Duration pauseAfterFailure = Duration.ZERO;

		private boolean record;

		private Builder(String host, int port) {
			this.host = host;
			this.port = port;
		}

		/** Callers, each with its own connection and thread. */
		Builder connections(int connections) {
			this.connections = connections;
			return this;
		}

		/** Requests a second from all callers together; 0, the default: back to back. */
		Builder rate(double rate) {
			this.rate = rate;
			return this;
		}

		/** The same {@code GET} every time. */
		Builder get(String path) {
			Request request = Request.get(path);
			this.requests = () -> request;
			return this;
		}

		/** The next request, from any caller's thread. */
		Builder requests(Supplier<Request> requests) {
			this.requests = requests;
			return this;
		}

		/** The connect timeout and the longest wait for a byte of the response. */
		Builder timeout(Duration timeout) {
			this.timeout = timeout;
			return this;
		}

		/** A new connection for every request ({@code Connection: close}). */
		Builder closeAfterEach() {
			this.closeAfterEach = true;
			return this;
		}

		/** How long a caller waits after a failed call before the next. */
		Builder pauseAfterFailure(Duration pause) {
			this.pauseAfterFailure = pause;
			return this;
		}

		/** Keep every call for {@link HttpLoad#calls()}. */
		Builder record() {
			this.record = true;
			return this;
		}

		HttpLoad start() {
			return new HttpLoad(this);
		}

	}

}
