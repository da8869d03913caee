package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.github.redisgovernor.benchmarks.HttpLoad.Call;
import io.github.redisgovernor.test.redis.RedisServer;

/**
 * One window of HTTP load on an application, as {@link HttpSideBySide} and
 * {@link HttpRound} measure it: {@code GET /kv/x} from the given connections back to
 * back, a ramp, then the measured window, over which the application's JVM's CPU time is
 * read, and during which {@code CLIENT LIST} of its server is read at evenly spaced
 * moments (the sample with the most connections is kept).
 *
 * @param seconds the load's duration, ramp included
 * @param requestsPerSecond successful requests a second over the measured window
 * @param cpuMicrosPerRequest CPU time of the application's JVM over the window per
 * successful request, microseconds; {@code NaN} when the platform does not say
 * @param latencies the successful requests' latencies, nanoseconds, sorted
 * @param failed failed requests in the window
 * @param connections the application's connections by client name, the sample with the
 * most; empty when none was taken
 * @author Redis Governor contributors
 */
record LoadWindow(double seconds, double requestsPerSecond, double cpuMicrosPerRequest, long[] latencies, long failed,
		Map<String, Long> connections) {

	/**
	 * Load the application and measure.
	 * @param app the application
	 * @param redis its server, for {@code CLIENT LIST}
	 * @param connections HTTP connections
	 * @param ramp load before the measured window
	 * @param measure the measured window
	 * @param clientListSamples how many times to read {@code CLIENT LIST} in the window
	 * @return what was measured
	 * @throws InterruptedException when interrupted
	 */
	static LoadWindow run(AppProcess app, RedisServer redis, int connections, Duration ramp, Duration measure,
			int clientListSamples) throws InterruptedException {
		Map<String, Long> most = Map.of();
		HttpLoad load = HttpLoad.on("127.0.0.1", app.port())
			.connections(connections)
			.get(HttpRound.KEY_PATH)
			.record()
			.start();
		long from;
		long to;
		Duration cpuFrom;
		Duration cpuTo;
		try {
			Thread.sleep(ramp.toMillis());
			cpuFrom = app.cpuTime();
			from = System.nanoTime();
			long step = measure.toMillis() / (clientListSamples + 1);
			for (int i = 0; i < clientListSamples; i++) {
				Thread.sleep(step);
				Map<String, Long> sample = ServerInfo.clientsByName(redis);
				if (HttpRound.total(sample) > HttpRound.total(most)) {
					most = sample;
				}
			}
			Thread.sleep(Math.max(0, measure.toMillis() - (System.nanoTime() - from) / 1_000_000));
			to = System.nanoTime();
			cpuTo = app.cpuTime();
		}
		finally {
			load.close();
		}
		List<Call> window = HttpLoad.endedBetween(load.calls(), from, to);
		long[] latencies = window.stream().filter(Call::succeeded).mapToLong(Call::nanos).sorted().toArray();
		long cpuNanos = cpuTo.minus(cpuFrom).toNanos();
		return new LoadWindow((ramp.toNanos() + (to - from)) / 1e9, latencies.length / ((to - from) / 1e9),
				(cpuNanos > 0 && latencies.length > 0) ? cpuNanos / 1e3 / latencies.length : Double.NaN, latencies,
				window.size() - latencies.length, most);
	}

}
