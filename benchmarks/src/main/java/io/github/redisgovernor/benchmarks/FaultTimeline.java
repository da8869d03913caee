package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.github.redisgovernor.benchmarks.HttpLoad.Call;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.TcpProxy;

/**
 * A fault under steady load, for {@link BenchmarkSuite}: {@code GET /kv/x} paced to
 * {@code rate} requests a second from 8 connections (10 s timeout), every call recorded,
 * while the suite breaks Redis on a server of the fault's own:
 * <ul>
 * <li><b>silent failover</b>: the application talks to server A through a loopback
 * {@link TcpProxy}; mid-load every open connection goes silent (it stays open, the kernel
 * keeps acknowledging) and new connections reach server B
 * ({@link TcpProxy#silentFailover(int)}), as behind a load balancer or a DNS name that
 * moves;</li>
 * <li><b>restart</b>: the server is stopped (SIGTERM), stays down, and is started again
 * on the same port.</li>
 * </ul>
 *
 * @param kind {@code failover} or {@code restart}
 * @param mode plain or governed
 * @param recoverySeconds from the end of the fault (the failover itself; the restart) to
 * the first successful reply to a request sent after the fault began; {@code NaN} when
 * none came
 * @param slowestWhileDownMillis the slowest call sent while the server was down (restart
 * only, else {@code NaN})
 * @param failed calls that failed from the fault's start to the recovery (to the end of
 * the run without one)
 * @param timedOut of those, the calls that timed out
 * @param faultSeconds from the fault's start to its end (0 for a failover; the restart
 * for a restart)
 * @param observedSeconds how long after the fault's end the run went on
 * @param stillWaiting calls still waiting for a reply when the run ended
 * @param buckets outcomes over time
 * @author Redis Governor contributors
 */
record FaultTimeline(String kind, AppMode mode, double recoverySeconds, double slowestWhileDownMillis, long failed,
		long timedOut, double faultSeconds, double observedSeconds, int stillWaiting, List<Bucket> buckets) {

	static final int CALLERS = 8;

	static final Duration TIMEOUT = Duration.ofSeconds(10);

	static final long BUCKET_NANOS = 500_000_000L;

	static FaultTimeline failover(AppMode mode, BenchmarkSuite.Plan plan) throws InterruptedException {
		try (RedisServer a = RedisServer.builder().name("suite-failover-a").start();
				RedisServer b = RedisServer.builder().name("suite-failover-b").start();
				TcpProxy proxy = TcpProxy.start(a.port());
				AppProcess app = AppProcess.start(proxy.port(), mode.governed(), "suite-failover")) {
			a.command("SET", "kv:x", "a");
			b.command("SET", "kv:x", "b");
			app.awaitAnswer(HttpRound.KEY_PATH, Duration.ofSeconds(120));
			HttpLoad load = load(app, plan);
			long faultAt;
			long stoppedAt;
			try {
				Thread.sleep(plan.faultBefore().toMillis());
				faultAt = System.nanoTime();
				proxy.silentFailover(b.port());
				Thread.sleep(plan.failoverWindow().toMillis());
			}
			finally {
				stoppedAt = System.nanoTime();
				load.close();
			}
			return of("failover", mode, load, faultAt, faultAt, faultAt - plan.faultBefore().toNanos(), stoppedAt);
		}
	}

	static FaultTimeline restart(AppMode mode, BenchmarkSuite.Plan plan) throws InterruptedException {
		try (RedisServer redis = RedisServer.builder().name("suite-restart").start();
				AppProcess app = AppProcess.start(redis.port(), mode.governed(), "suite-restart")) {
			redis.command("SET", "kv:x", "value");
			app.awaitAnswer(HttpRound.KEY_PATH, Duration.ofSeconds(120));
			HttpLoad load = load(app, plan);
			long downAt;
			long upAt;
			long stoppedAt;
			try {
				Thread.sleep(plan.faultBefore().toMillis());
				downAt = System.nanoTime();
				redis.stop();
				Thread.sleep(plan.restartDown().toMillis());
				redis.restart();
				upAt = System.nanoTime();
				redis.command("SET", "kv:x", "value");
				Thread.sleep(plan.restartAfter().toMillis());
			}
			finally {
				stoppedAt = System.nanoTime();
				load.close();
			}
			return of("restart", mode, load, downAt, upAt, downAt - plan.faultBefore().toNanos(), stoppedAt);
		}
	}

	private static HttpLoad load(AppProcess app, BenchmarkSuite.Plan plan) {
		return HttpLoad.on("127.0.0.1", app.port())
			.connections(CALLERS)
			.rate(plan.faultRate())
			.timeout(TIMEOUT)
			.get(HttpRound.KEY_PATH)
			.record()
			.start();
	}

	private static FaultTimeline of(String kind, AppMode mode, HttpLoad load, long faultAt, long faultEndAt,
			long loadAt, long stoppedAt) {
		List<Call> calls = load.calls();
		Call recovered = calls.stream()
			.filter((call) -> call.start() - faultAt >= 0 && call.end() - faultEndAt >= 0 && call.succeeded())
			.min((x, y) -> Long.compare(x.end(), y.end()))
			.orElse(null);
		long until = (recovered != null) ? recovered.end() : stoppedAt;
		List<Call> failedCalls = calls.stream()
			.filter((call) -> !call.succeeded() && call.end() - faultAt >= 0 && call.end() - until <= 0)
			.toList();
		double slowest = kind.equals("restart") ? calls.stream()
			.filter((call) -> call.start() - faultAt >= 0 && call.start() - faultEndAt < 0)
			.mapToLong(Call::nanos)
			.max()
			.orElse(0) / 1e6 : Double.NaN;
		List<Bucket> buckets = new ArrayList<>();
		List<Long> unfinished = load.inFlightAtClose();
		for (long from = loadAt; from + BUCKET_NANOS - stoppedAt <= 0; from += BUCKET_NANOS) {
			long to = from + BUCKET_NANOS;
			List<Call> ended = HttpLoad.endedBetween(calls, from, to);
			long from0 = from;
			double waiting = (calls.stream().mapToLong((call) -> overlap(call.start(), call.end(), from0, to)).sum()
					+ unfinished.stream().mapToLong((start) -> overlap(start, to, from0, to)).sum())
					/ (double) BUCKET_NANOS;
			double perSecond = 1e9 / BUCKET_NANOS;
			buckets.add(new Bucket((from - faultAt) / 1e9, ended.stream().filter(Call::succeeded).count() * perSecond,
					ended.stream()
						.filter((call) -> !call.succeeded() && !call.outcome().equals(HttpConnection.TIMEOUT))
						.count() * perSecond,
					ended.stream().filter((call) -> call.outcome().equals(HttpConnection.TIMEOUT)).count() * perSecond,
					waiting));
		}
		return new FaultTimeline(kind, mode, (recovered != null) ? (recovered.end() - faultEndAt) / 1e9 : Double.NaN,
				slowest, failedCalls.size(),
				failedCalls.stream().filter((call) -> call.outcome().equals(HttpConnection.TIMEOUT)).count(),
				(faultEndAt - faultAt) / 1e9, (stoppedAt - faultEndAt) / 1e9, unfinished.size(), buckets);
	}

	/** How long {@code [start, end)} and {@code [from, to)} overlap, in nanoseconds. */
	private static long overlap(long start, long end, long from, long to) {
		long later = (start - from > 0) ? start : from;
		long earlier = (end - to < 0) ? end : to;
		return Math.max(0, earlier - later);
	}

	/**
	 * Calls that ended in half a second, as rates.
	 *
	 * @param seconds the bucket's start, from the fault (negative before it)
	 * @param succeeded successful replies a second
	 * @param failed failed calls a second (an error status, a refused or reset
	 * connection)
	 * @param timedOut calls a second that got no reply in 10 s
	 * @param waiting calls waiting for their reply, on average over the half second
	 */
	record Bucket(double seconds, double succeeded, double failed, double timedOut, double waiting) {
	}

}
