package io.github.redisgovernor.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.budget.BudgetMonitor;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.ConnectionActivity;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.server.ServerFiguresSampler;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.watchdog.PingWatchdog;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import org.slf4j.LoggerFactory;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What the governor's background traffic costs Redis at fleet scale. Starts a real
 * {@code redis-server} and, for each fleet size of {@code --instances} in turn, opens one
 * connection per simulated instance (its own {@link LettuceConnectionFactory}, the
 * {@link GovernedConnection} over it) and measures Redis's CPU ({@code INFO cpu}) and
 * command counts ({@code INFO stats}, {@code INFO commandstats}) over fixed windows of
 * {@code --seconds}, each followed (outside the CPU window) by a latency probe.
 * <p>
 * The heartbeat interval follows the fleet: at the defaults each instance heartbeats
 * every {@code max(10 s, instances / 10 per s)}, 1,000 s at 10,000 instances, and a fleet
 * that starts together takes about one such interval to spread its heartbeats (each
 * instance learns the fleet's size at a heartbeat and then picks a random point within
 * the new interval). Stopping and starting the governor for every round would cost one
 * interval per round, so each fleet size runs its phases once, in this order, the
 * connections staying open throughout:
 * <ol>
 * <li><b>off, before</b>: {@code ceil(rounds / 2)} windows with the connections
 * idle;</li>
 * <li><b>governor on</b>: the governor's real background components start on every
 * instance (spread over 5 s), run for the settle time (by default one effective heartbeat
 * interval plus 30 s), then {@code --rounds} windows are measured back to back while they
 * keep running;</li>
 * <li><b>control</b> (unless {@code --control-rounds=0}): the governor stopped, one
 * {@code PING} per instance per effective heartbeat interval, each instance at a random
 * phase, so that the fleet sends the governor's heartbeat rate of the cheapest command
 * there is: the floor. {@code --control-rounds} windows after 10 s;</li>
 * <li><b>off, after</b>: {@code floor(rounds / 2)} windows idle again.</li>
 * </ol>
 * What the governor (or the control) adds in a window is that window minus the median of
 * the fleet size's off windows; the figure reported is the median over the windows
 * (robust to one window disturbed by the machine's other load), and the off windows
 * before and after are shown apart, so that a drift of the baseline during the run shows.
 * <p>
 * Last, once every fleet is closed, it calibrates the Redis CPU price of one {@code PING}
 * and of one heartbeat on a single connection.
 * <p>
 * All simulated instances share one {@link GovernorScheduler} over an executor of
 * {@code --scheduler-threads} threads, passed in as a user may pass their own, and one
 * {@code ClientResources} whose {@link ConnectionActivity} counts every connection's
 * activity for the watchdogs. Connections open and close on {@code --open-threads}
 * threads.
 * <p>
 * Usage: {@code FleetBenchmark [--instances=1000,10000] [--seconds=60]
 * [--probe-seconds=5] [--rounds=5] [--control-rounds=3] [--settle-seconds=auto]
 * [--pin=true] [--calibrate=true] [--scheduler-threads=2] [--open-threads=8]
 * [--components=registry,sampler,watchdog] [--out=target/fleet-benchmark.txt]}.
 * {@code --components=ping} runs the control alone, for {@code --rounds} windows.
 */
public final class FleetBenchmark {

	private static final String REGISTRY_KEY = new RedisGovernorProperties().getRegistry().getKey();

	private FleetBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		quietLogging();
		Options options = Options.parse("FleetBenchmark", args, "instances", "seconds", "rounds", "probe-seconds",
				"components", "control-rounds", "settle-seconds", "out", "pin", "scheduler-threads", "open-threads",
				"calibrate");
		List<Integer> sizes = options.list("instances", "1000,10000").stream().map(Integer::valueOf).toList();
		int seconds = options.integer("seconds", 60);
		int rounds = options.integer("rounds", 5);
		int probeSeconds = options.integer("probe-seconds", 5);
		List<String> parts = options.list("components", "registry,sampler,watchdog");
		boolean controlOnly = parts.equals(List.of("ping"));
		int controlRounds = controlOnly ? rounds : options.integer("control-rounds", 3);
		String settleArg = options.string("settle-seconds", "auto");
		Path out = Path.of(options.string("out", "target/fleet-benchmark.txt"));
		boolean pin = Boolean.parseBoolean(options.string("pin", "true"));
		int schedulerThreads = options.integer("scheduler-threads", 2);
		int openThreads = options.integer("open-threads", 8);
		long started = System.nanoTime();
		String loadAtStart = Machine.loadAverage();
		try (RedisServer redis = RedisServer.builder().name("fleet").config("maxclients", "20000").start()) {
			String pinning = pin ? pin(redis) : "not pinned (--pin=false)";
			System.out.println("CPU: " + pinning + "; load at start: " + loadAtStart);
			ConnectionActivity activity = new ConnectionActivity();
			ClientResources resources = DefaultClientResources.builder().nettyCustomizer(activity).build();
			// The user-supplied executor of GovernorScheduler(ScheduledExecutorService):
			// one for the whole fleet, as the one thread of each application would be.
			ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(schedulerThreads,
					new NamedThreads("fleet-governor"));
			// The timeout of every command the governor sends is a task here, cancelled
			// on the reply: remove it then, as the scheduler's own executor does.
			executor.setRemoveOnCancelPolicy(true);
			GovernorScheduler scheduler = new GovernorScheduler(executor);
			ExecutorService opener = Executors.newFixedThreadPool(openThreads, new NamedThreads("fleet-open"));
			String setUp = pinning + "; one GovernorScheduler on " + schedulerThreads
					+ " thread(s) for all instances; redis-server " + redis.version() + ", maxclients "
					+ redis.configGet("maxclients");
			List<SizeResult> results = new ArrayList<>();
			try {
				for (int instances : sizes) {
					Duration interval = effectiveInterval(instances);
					Duration settle = settleArg.equals("auto") ? interval.plusSeconds(30)
							: Duration.ofSeconds(Long.parseLong(settleArg));
					Fleet fleet = Fleet.open(redis, resources, activity, scheduler, opener, instances);
					try {
						results.add(measureSize(redis, fleet, scheduler, opener, parts, controlOnly, rounds,
								controlRounds, seconds, probeSeconds, settle, interval));
					}
					finally {
						fleet.close(opener);
					}
					waitForClients(redis, 10, Duration.ofSeconds(30));
				}
				Calibration calibration = Boolean.parseBoolean(options.string("calibrate", "true"))
						? calibrate(redis, resources, activity, scheduler, 30) : null;
				double minutes = (System.nanoTime() - started) / 60e9;
				report(seconds, rounds, parts, setUp, results, calibration, loadAtStart, Machine.loadAverage(), minutes,
						out);
			}
			finally {
				opener.shutdownNow();
				executor.shutdownNow();
				resources.shutdown();
			}
		}
	}

	/**
	 * Every instance of the fleet heartbeats this often once it knows the fleet's size:
	 * {@code max(heartbeat-interval, instances / fleet-heartbeat-rate)}.
	 */
	private static Duration effectiveInterval(int instances) {
		RedisGovernorProperties.Registry registry = new RedisGovernorProperties().getRegistry();
		Duration fleet = Duration.ofMillis((long) Math.ceil(instances * 1000 / registry.getFleetHeartbeatRate()));
		return (fleet.compareTo(registry.getHeartbeatInterval()) > 0) ? fleet : registry.getHeartbeatInterval();
	}

	private static SizeResult measureSize(RedisServer redis, Fleet fleet, GovernorScheduler scheduler,
			ExecutorService opener, List<String> parts, boolean controlOnly, int rounds, int controlRounds, int seconds,
			int probeSeconds, Duration settle, Duration interval) throws Exception {
		int instances = fleet.connections.size();
		List<Window> windows = new ArrayList<>();
		for (int i = 1; i <= (rounds + 1) / 2; i++) {
			windows.add(measure(redis, Kind.OFF_BEFORE, i, instances, seconds, probeSeconds));
		}
		GovernorFacts facts = null;
		if (!controlOnly) {
			System.out.printf("%d instances: starting the governor's background components (%s)...%n", instances,
					parts);
			List<Governor> governors = new ArrayList<>();
			long spread = Duration.ofSeconds(5).toNanos() / instances;
			long start = System.nanoTime();
			for (int i = 0; i < instances; i++) {
				governors.add(Governor.start(fleet.connections.get(i), scheduler, parts));
				// Instance i starts i spreads after the first: 5 s for the whole fleet.
				LockSupport.parkNanos(start + (i + 1) * spread - System.nanoTime());
			}
			System.out.printf(
					"Started in %.1f s; effective heartbeat interval %d s; running %d s before the "
							+ "first window...%n",
					(System.nanoTime() - start) / 1e9, interval.toSeconds(), settle.toSeconds());
			Thread.sleep(settle.toMillis());
			for (int i = 1; i <= rounds; i++) {
				windows.add(measure(redis, Kind.GOVERNOR, i, instances, seconds, probeSeconds));
			}
			facts = GovernorFacts.of(governors, redis);
			System.out.println(facts);
			System.out.printf("Stopping the governor on %d instances...%n", instances);
			List<Future<?>> stopped = new ArrayList<>();
			for (Governor governor : governors) {
				stopped.add(opener.submit(governor::stop));
			}
			for (Future<?> each : stopped) {
				each.get();
			}
		}
		if (controlRounds > 0) {
			System.out.printf("%d instances: control, one PING per instance every %d s...%n", instances,
					interval.toSeconds());
			List<ScheduledFuture<?>> pings = new ArrayList<>();
			for (GovernedConnection connection : fleet.connections) {
				// Control, not the governor: the cheapest command, once per instance per
				// effective heartbeat interval, sent the way the governor sends its own,
				// each instance at a random phase: the floor of a heartbeat at that rate.
				Duration phase = Duration.ofMillis(ThreadLocalRandom.current().nextLong(interval.toMillis()));
				pings.add(scheduler.scheduleWithFixedDelay(() -> connection.submit((commands) -> commands.ping()),
						phase, interval));
			}
			Thread.sleep(10_000);
			for (int i = 1; i <= controlRounds; i++) {
				windows.add(measure(redis, Kind.CONTROL, i, instances, seconds, probeSeconds));
			}
			pings.forEach((task) -> task.cancel(false));
		}
		Thread.sleep(5_000);
		for (int i = 1; i <= rounds / 2; i++) {
			windows.add(measure(redis, Kind.OFF_AFTER, i, instances, seconds, probeSeconds));
		}
		return new SizeResult(instances, interval, settle, fleet.openSeconds, windows, facts);
	}

	/**
	 * Redis's CPU and command counts over {@code seconds} with nothing but the fleet on
	 * it, then a separate probe window for latency: the probe's own 200 commands a second
	 * would add more noise to the CPU figure than the governor adds to it.
	 */
	private static Window measure(RedisServer redis, Kind kind, int index, int instances, int seconds, int probeSeconds)
			throws Exception {
		System.out.printf("%d instances, %s %d: measuring for %d s, then probing for %d s...%n", instances, kind.label,
				index, seconds, probeSeconds);
		Map<String, String> before = redis.infoMap("everything");
		long jvmBefore = jvmCpuNanos();
		long start = System.nanoTime();
		Thread.sleep(Duration.ofSeconds(seconds).toMillis());
		double elapsed = (System.nanoTime() - start) / 1e9;
		long jvmAfter = jvmCpuNanos();
		Map<String, String> after = redis.infoMap("everything");
		long commands = Long.parseLong(after.get("total_commands_processed"))
				- Long.parseLong(before.get("total_commands_processed"));
		// Redis counts a command once it has run: the window's first INFO is in the
		// second reading, not in the first.
		Counts counts = new Counts(delta(before, after, "zremrangebyscore"), delta(before, after, "info") - 1,
				delta(before, after, "hset"), delta(before, after, "evalsha") + delta(before, after, "eval"),
				delta(before, after, "ping"), delta(before, after, "client|list"));
		int threads = ManagementFactory.getThreadMXBean().getThreadCount();
		long[] latencies = probe(redis, Duration.ofSeconds(probeSeconds));
		Arrays.sort(latencies);
		Window window = new Window(kind, index, elapsed, commands / elapsed,
				100.0 * (ServerInfo.cpuSeconds(after) - ServerInfo.cpuSeconds(before)) / elapsed, counts,
				Long.parseLong(after.get("connected_clients")), 100.0 * (jvmAfter - jvmBefore) / 1e9 / elapsed, threads,
				Stats.percentile(latencies, 0.50) / 1e6, Stats.percentile(latencies, 0.99) / 1e6,
				latencies[latencies.length - 1] / 1e6);
		System.out.println("  " + window.line());
		return window;
	}

	private static long delta(Map<String, String> before, Map<String, String> after, String command) {
		return ServerInfo.calls(after, command) - ServerInfo.calls(before, command);
	}

	/**
	 * The price of one background command without the simulation around it: the real
	 * registry heartbeat run on one connection about 1,000 times a second, and a
	 * {@code PING} at the same pace, each against a window with neither. No fleet is
	 * open: its JVM does not compete with Redis.
	 */
	private static Calibration calibrate(RedisServer redis, ClientResources resources, ConnectionActivity activity,
			GovernorScheduler scheduler, int seconds) throws Exception {
		System.out.printf("Calibrating: %d s idle, %d s of PING, %d s of heartbeats, one connection...%n", seconds,
				seconds, seconds);
		LettuceConnectionFactory factory = openFactory(redis, resources, "fleet:calibration");
		try {
			Duration window = Duration.ofSeconds(seconds);
			double idle = redisCpuRate(redis, () -> sleep(window)).cpuSecondsPerSecond();
			long[] pings = new long[1];
			RedisClient client = RedisClient.create(resources, RedisURI.create(redis.host(), redis.port()));
			Rate ping;
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				ping = redisCpuRate(redis, () -> {
					long deadline = System.nanoTime() + window.toNanos();
					while (System.nanoTime() < deadline) {
						connection.sync().ping();
						pings[0]++;
						LockSupport.parkNanos(1_000_000);
					}
				});
			}
			finally {
				client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
			}
			InstanceIdentity identity = new InstanceIdentity("fleet", "calibration");
			GovernedConnection connection = new GovernedConnection(factory, identity,
					RedisGovernorProperties.DEFAULT_COMMAND_TIMEOUT, activity, scheduler,
					new RedisGovernorProperties().getSharedConnection().resolve(false));
			// A heartbeat due every 1 ms: the next goes out once the reply to the last is
			// in. No sampler: the heartbeat alone, as every instance but the fleet's
			// sampler sends it.
			InstanceRegistry registry = new InstanceRegistry(connection, scheduler, identity, REGISTRY_KEY,
					Duration.ofMillis(1), Duration.ofSeconds(30), 1_000_000, 0);
			long heartbeatsBefore = ServerInfo.calls(redis.infoMap("commandstats"), "zremrangebyscore");
			Rate heartbeat = redisCpuRate(redis, () -> {
				registry.start();
				sleep(window);
				registry.stop();
			});
			long heartbeats = ServerInfo.calls(redis.infoMap("commandstats"), "zremrangebyscore") - heartbeatsBefore;
			return new Calibration(pings[0] / ping.elapsedSeconds(),
					(ping.cpuSecondsPerSecond() - idle) * ping.elapsedSeconds() / pings[0] * 1e6,
					heartbeats / heartbeat.elapsedSeconds(),
					(heartbeat.cpuSecondsPerSecond() - idle) * heartbeat.elapsedSeconds() / heartbeats * 1e6);
		}
		finally {
			factory.destroy();
		}
	}

	private static Rate redisCpuRate(RedisServer redis, Runnable work) {
		double before = ServerInfo.cpuSeconds(redis.infoMap("cpu"));
		long start = System.nanoTime();
		work.run();
		double elapsed = (System.nanoTime() - start) / 1e9;
		return new Rate((ServerInfo.cpuSeconds(redis.infoMap("cpu")) - before) / elapsed, elapsed);
	}

	/** Wait until Redis has seen the fleet's connections close. */
	private static void waitForClients(RedisServer redis, int atMost, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (Long.parseLong(redis.infoMap("clients").get("connected_clients")) > atMost
				&& System.nanoTime() < deadline) {
			sleep(Duration.ofMillis(200));
		}
	}

	/**
	 * Give Redis a core of its own, and this JVM (the simulated instances' threads) the
	 * others, so that Redis's CPU time is not inflated by losing its core to the JVM in
	 * mid-command.
	 */
	private static String pin(RedisServer redis) throws Exception {
		int cores = Runtime.getRuntime().availableProcessors();
		if (cores < 2) {
			return "not pinned (one core)";
		}
		int redisCore = cores - 1;
		String others = (cores == 2) ? "0" : "0-" + (cores - 2);
		try {
			run("taskset", "-a", "-p", "-c", Integer.toString(redisCore), Long.toString(redis.pid()));
			run("taskset", "-a", "-p", "-c", others, Long.toString(ProcessHandle.current().pid()));
		}
		catch (IOException ex) {
			return "not pinned (taskset failed: " + ex.getMessage() + ")";
		}
		return "redis-server pinned to core " + redisCore + ", benchmark JVM to core(s) " + others + " (taskset)";
	}

	private static String run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (process.waitFor() != 0) {
			throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + output);
		}
		return output;
	}

	/**
	 * Thousands of connections would log a line each as they close, and Lettuce logs
	 * every command at debug level, which is logback's default without a configuration.
	 */
	private static void quietLogging() {
		if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof Logger root) {
			root.setLevel(Level.WARN);
		}
	}

	/**
	 * A started factory whose shared connection is open, as in an application that has
	 * served a request.
	 */
	private static LettuceConnectionFactory openFactory(RedisServer redis, ClientResources resources,
			String clientName) {
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.clientResources(resources)
			.clientName(clientName)
			.commandTimeout(RedisGovernorProperties.DEFAULT_COMMAND_TIMEOUT)
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()), client);
		factory.afterPropertiesSet();
		factory.start();
		// Opening is set-up, not measurement: a PING that times out on a busy machine is
		// tried again (3 attempts) rather than ending the run.
		for (int attempt = 1;; attempt++) {
			try (var connection = factory.getConnection()) {
				connection.ping();
				return factory;
			}
			catch (RuntimeException ex) {
				if (attempt == 3) {
					throw ex;
				}
			}
		}
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static long jvmCpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
			.getProcessCpuTime();
	}

	/** A separate client that PINGs every 5 ms, as an application request would. */
	private static long[] probe(RedisServer redis, Duration duration) throws InterruptedException {
		RedisClient client = RedisClient.create(RedisURI.create(redis.host(), redis.port()));
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			List<Long> samples = new ArrayList<>();
			long deadline = System.nanoTime() + duration.toNanos();
			while (System.nanoTime() < deadline) {
				long t = System.nanoTime();
				connection.sync().ping();
				samples.add(System.nanoTime() - t);
				Thread.sleep(5);
			}
			return samples.stream().mapToLong(Long::longValue).toArray();
		}
		finally {
			client.shutdown();
		}
	}

	private static void report(int seconds, int rounds, List<String> parts, String setUp, List<SizeResult> results,
			Calibration calibration, String loadAtStart, String loadAtEnd, double minutes, Path out) {
		StringBuilder text = new StringBuilder();
		text.append(String.format(Locale.ROOT,
				"Fleet benchmark, %s: %d s windows, %d governor rounds, components %s at their default settings; %s%n",
				Instant.now(), seconds, rounds, parts, setUp));
		text.append(
				String.format(Locale.ROOT, "Run time %.1f min; load average (1, 5, 15 min) at start %s, at end %s%n",
						minutes, loadAtStart, loadAtEnd));
		for (SizeResult result : results) {
			text.append(String.format(Locale.ROOT,
					"%n== %,d instances: effective heartbeat interval %d s, settle %d s, connections opened in %.1f s%n",
					result.instances, result.interval.toSeconds(), result.settle.toSeconds(), result.openSeconds));
			text.append(Window.HEADER).append('\n');
			for (Window window : result.windows) {
				text.append(window.line()).append('\n');
			}
			Baseline baseline = result.baseline();
			text.append(String.format(Locale.ROOT,
					"off: median %.3f %% of one core over %d windows (before %.3f %%, after %.3f %%)%n", baseline.cpu,
					baseline.windows, baseline.before, baseline.after));
			for (Kind kind : List.of(Kind.GOVERNOR, Kind.CONTROL)) {
				Added added = result.added(kind);
				if (added == null) {
					continue;
				}
				text.append(String.format(Locale.ROOT,
						"%s adds (median of %d windows): %.1f commands/s, %.3f %% of one core (windows %s), "
								+ "probe p99 %+.3f ms; per second: %.1f heartbeats, %.2f INFO, %.2f publishes, "
								+ "%.1f PINGs, %.3f CLIENT LIST, %.1f EVALSHA/EVAL%n",
						kind.label, added.cpu.size(), Stats.median(added.commands), Stats.median(added.cpu),
						added.cpu.stream().map((v) -> String.format(Locale.ROOT, "%.3f", v)).toList(),
						Stats.median(added.p99), added.rate((c) -> c.heartbeats), added.rate((c) -> c.infos),
						added.rate((c) -> c.publishes), added.rate((c) -> c.pings), added.rate((c) -> c.clientLists),
						added.rate((c) -> c.scripts)));
			}
			if (result.facts != null) {
				text.append(result.facts).append('\n');
			}
		}
		text.append(String.format(Locale.ROOT, "%nSummary (medians; governor and control minus the off windows)%n"));
		text.append(String.format(Locale.ROOT, "%10s %9s %16s %14s %12s %8s %9s %11s %16s %14s%n", "instances",
				"interval", "gov commands/s", "gov %core", "heartbeat/s", "INFO/s", "PINGs/s", "registered",
				"ctl commands/s", "ctl %core"));
		for (SizeResult result : results) {
			Added governor = result.added(Kind.GOVERNOR);
			Added control = result.added(Kind.CONTROL);
			text.append(String.format(Locale.ROOT, "%10d %8ds %16s %14s %12s %8s %9s %11s %16s %14s%n",
					result.instances, result.interval.toSeconds(),
					(governor != null) ? String.format(Locale.ROOT, "%.1f", Stats.median(governor.commands)) : "-",
					(governor != null) ? String.format(Locale.ROOT, "%.3f", Stats.median(governor.cpu)) : "-",
					(governor != null) ? String.format(Locale.ROOT, "%.2f", governor.rate((c) -> c.heartbeats)) : "-",
					(governor != null) ? String.format(Locale.ROOT, "%.2f", governor.rate((c) -> c.infos)) : "-",
					(governor != null) ? String.format(Locale.ROOT, "%.2f", governor.rate((c) -> c.pings)) : "-",
					(result.facts != null) ? Long.toString(result.facts.registered) : "-",
					(control != null) ? String.format(Locale.ROOT, "%.1f", Stats.median(control.commands)) : "-",
					(control != null) ? String.format(Locale.ROOT, "%.3f", Stats.median(control.cpu)) : "-"));
		}
		if (calibration != null) {
			double rate = new RedisGovernorProperties().getRegistry().getFleetHeartbeatRate();
			text.append(String.format(Locale.ROOT,
					"calibration on one connection: PING %.1f us of Redis CPU each (%.0f/s); heartbeat script "
							+ "%.1f us each (%.0f/s); at the fleet rate of %.0f heartbeats/s: %.3f %% of one core, "
							+ "whatever the fleet's size%n",
					calibration.microsPerPing, calibration.pingsPerSecond, calibration.microsPerHeartbeat,
					calibration.heartbeatsPerSecond, rate, rate * calibration.microsPerHeartbeat / 1e4));
		}
		System.out.print(text);
		try {
			Files.createDirectories(out.toAbsolutePath().getParent());
			Files.writeString(out, text.toString());
			System.out.println("Raw figures written to " + out.toAbsolutePath());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static <T> List<T> inParallel(ExecutorService executor, int count, IntFunction<T> task) throws Exception {
		List<Future<T>> futures = new ArrayList<>(count);
		for (int i = 0; i < count; i++) {
			int index = i;
			futures.add(executor.submit(() -> task.apply(index)));
		}
		List<T> results = new ArrayList<>(count);
		for (Future<T> future : futures) {
			results.add(future.get());
		}
		return results;
	}

	/** The simulated instances' connections, open. */
	private static final class Fleet {

		private final List<LettuceConnectionFactory> factories;

		private final List<GovernedConnection> connections;

		private final double openSeconds;

		private Fleet(List<LettuceConnectionFactory> factories, List<GovernedConnection> connections,
				double openSeconds) {
			this.factories = factories;
			this.connections = connections;
			this.openSeconds = openSeconds;
		}

		static Fleet open(RedisServer redis, ClientResources resources, ConnectionActivity activity,
				GovernorScheduler scheduler, ExecutorService opener, int instances) throws Exception {
			System.out.printf("Opening %,d connections to redis-server %s on port %d...%n", instances, redis.version(),
					redis.port());
			long start = System.nanoTime();
			List<LettuceConnectionFactory> factories = inParallel(opener, instances,
					(i) -> openFactory(redis, resources, "fleet:i-" + i));
			List<GovernedConnection> connections = new ArrayList<>(instances);
			for (int i = 0; i < instances; i++) {
				connections.add(new GovernedConnection(factories.get(i), new InstanceIdentity("fleet", "i-" + i),
						RedisGovernorProperties.DEFAULT_COMMAND_TIMEOUT, activity, scheduler,
						new RedisGovernorProperties().getSharedConnection().resolve(false)));
			}
			double seconds = (System.nanoTime() - start) / 1e9;
			System.out.printf("Opened in %.1f s; %s clients connected%n", seconds,
					redis.infoMap("clients").get("connected_clients"));
			return new Fleet(factories, connections, seconds);
		}

		void close(ExecutorService opener) throws Exception {
			inParallel(opener, this.factories.size(), (i) -> {
				this.factories.get(i).destroy();
				return null;
			});
		}

	}

	/**
	 * The governor's background components of one instance, wired as the starter does.
	 */
	private static final class Governor {

		private final InstanceRegistry registry;

		private final ServerFiguresSampler sampler;

		private final BudgetMonitor monitor;

		private final PingWatchdog watchdog;

		private Governor(InstanceRegistry registry, ServerFiguresSampler sampler, BudgetMonitor monitor,
				PingWatchdog watchdog) {
			this.registry = registry;
			this.sampler = sampler;
			this.monitor = monitor;
			this.watchdog = watchdog;
		}

		static Governor start(GovernedConnection connection, GovernorScheduler scheduler, List<String> parts) {
			InstanceIdentity identity = connection.getIdentity();
			// The starter's defaults, as an application that sets nothing gets them.
			RedisGovernorProperties defaults = new RedisGovernorProperties();
			RedisGovernorProperties.Registry r = defaults.getRegistry();
			RedisGovernorProperties.Server s = defaults.getServer();
			RedisGovernorProperties.Watchdog w = defaults.getWatchdog();
			InstanceRegistry registry = new InstanceRegistry(connection, scheduler, identity, r.getKey(),
					r.getHeartbeatInterval(), r.getTtl(), r.getFleetHeartbeatRate(), 0);
			ServerFiguresSampler sampler = new ServerFiguresSampler(connection, scheduler, identity,
					s.getSampleInterval(), s.getFastSampleInterval(), s.getClientListMaxAge(),
					s.getClientListInterval());
			// As RedisGovernorAccountingAutoConfiguration does: the registry elects the
			// fleet's sampler and hands its samples over; the others adopt them.
			if (parts.contains("registry") && parts.contains("sampler")) {
				registry.sampleFor(sampler);
			}
			BudgetMonitor monitor = new BudgetMonitor(defaults.getBudget().toPolicy(), registry::current, identity);
			monitor.listenTo(sampler);
			PingWatchdog watchdog = new PingWatchdog(connection, scheduler, w.getInterval(), w.getFastInterval(),
					w.getTimeout(), w.getFailureThreshold());
			// As RedisGovernorWatchdogAutoConfiguration does: the heartbeat's replies
			// prove
			// an idle connection alive, so the idle PING waits as long as the heartbeat.
			if (parts.contains("registry")) {
				watchdog.followHeartbeat(registry::getEffectiveHeartbeatInterval);
			}
			if (parts.contains("registry")) {
				registry.start();
			}
			if (parts.contains("sampler")) {
				sampler.start();
			}
			if (parts.contains("watchdog")) {
				watchdog.start();
			}
			return new Governor(registry, sampler, monitor, watchdog);
		}

		void stop() {
			this.watchdog.stop();
			this.sampler.stop();
			this.registry.stop();
		}

	}

	/** What the running governor looked like after its last window. */
	private record GovernorFacts(long registered, long sampling, long unsettled, long watchdogPings,
			Duration shortestInterval, Duration longestInterval, Duration longestTtl) {

		static GovernorFacts of(List<Governor> governors, RedisServer redis) {
			// ZCARD counts the marker member (#redis-governor) too.
			long registered = Long.parseLong(redis.command("ZCARD", REGISTRY_KEY)) - 1;
			return new GovernorFacts(registered, governors.stream().filter((g) -> g.registry.isSampling()).count(),
					governors.stream().filter((g) -> g.monitor.current().isUnsettled()).count(),
					governors.stream().mapToLong((g) -> g.watchdog.getPings()).sum(),
					governors.stream()
						.map((g) -> g.registry.getEffectiveHeartbeatInterval())
						.min(Duration::compareTo)
						.orElseThrow(),
					governors.stream()
						.map((g) -> g.registry.getEffectiveHeartbeatInterval())
						.max(Duration::compareTo)
						.orElseThrow(),
					governors.stream().map((g) -> g.registry.getEffectiveTtl()).max(Duration::compareTo).orElseThrow());
		}

		@Override
		public String toString() {
			return String.format(Locale.ROOT,
					"governor after its windows: %d instances registered (ZCARD - 1), %d sampling for the fleet, "
							+ "%d with an unsettled budget, %d watchdog PINGs since start, effective heartbeat "
							+ "interval %.1f to %.1f s, ttl up to %d s",
					this.registered, this.sampling, this.unsettled, this.watchdogPings,
					this.shortestInterval.toMillis() / 1e3, this.longestInterval.toMillis() / 1e3,
					this.longestTtl.toSeconds());
		}

	}

	private enum Kind {

		OFF_BEFORE("off, before"), GOVERNOR("governor"), CONTROL("control"), OFF_AFTER("off, after");

		private final String label;

		Kind(String label) {
			this.label = label;
		}

	}

	/**
	 * Calls Redis ran in a window: heartbeats (the only script that runs
	 * {@code ZREMRANGEBYSCORE}), {@code INFO} (the fleet sampler's, the benchmark's own
	 * excluded), publishes ({@code HSET}), scripts ({@code EVALSHA} and {@code EVAL}),
	 * {@code PING}s (watchdog or control) and {@code CLIENT LIST}.
	 */
	private record Counts(long heartbeats, long infos, long publishes, long scripts, long pings, long clientLists) {
	}

	private record Window(Kind kind, int index, double elapsedSeconds, double commandsPerSecond, double cpuPercent,
			Counts counts, long clients, double jvmCpuPercent, int threads, double p50, double p99, double max) {

		static final String HEADER = String.format(Locale.ROOT,
				"%-12s %2s %11s %9s %10s %6s %8s %8s %6s %7s %7s %8s %7s %9s %9s %9s", "phase", "#", "commands/s",
				"CPU %core", "heartbeats", "INFO", "publish", "EVALSHA", "PINGs", "CL LIST", "clients", "JVM %core",
				"threads", "p50 ms", "p99 ms", "max ms");

		String line() {
			return String.format(Locale.ROOT,
					"%-12s %2d %11.1f %9.3f %10d %6d %8d %8d %6d %7d %7d %8.1f %7d %9.3f %9.3f %9.3f", this.kind.label,
					this.index, this.commandsPerSecond, this.cpuPercent, this.counts.heartbeats, this.counts.infos,
					this.counts.publishes, this.counts.scripts, this.counts.pings, this.counts.clientLists,
					this.clients, this.jvmCpuPercent, this.threads, this.p50, this.p99, this.max);
		}

	}

	private record Baseline(double cpu, double commands, double p99, int windows, double before, double after) {
	}

	/** What a phase adds, window by window, to the median of the off windows. */
	private record Added(List<Double> commands, List<Double> cpu, List<Double> p99, List<Window> windows) {

		double rate(java.util.function.ToLongFunction<Counts> count) {
			return Stats
				.median(this.windows.stream().map((w) -> count.applyAsLong(w.counts) / w.elapsedSeconds).toList());
		}

	}

	private record SizeResult(int instances, Duration interval, Duration settle, double openSeconds,
			List<Window> windows, GovernorFacts facts) {

		List<Window> of(Kind kind) {
			return this.windows.stream().filter((w) -> w.kind == kind).toList();
		}

		Baseline baseline() {
			List<Window> off = new ArrayList<>(of(Kind.OFF_BEFORE));
			off.addAll(of(Kind.OFF_AFTER));
			return new Baseline(Stats.median(off.stream().map(Window::cpuPercent).toList()),
					Stats.median(off.stream().map(Window::commandsPerSecond).toList()),
					Stats.median(off.stream().map(Window::p99).toList()), off.size(),
					Stats.median(of(Kind.OFF_BEFORE).stream().map(Window::cpuPercent).toList()),
					Stats.median(of(Kind.OFF_AFTER).stream().map(Window::cpuPercent).toList()));
		}

		Added added(Kind kind) {
			List<Window> windows = of(kind);
			if (windows.isEmpty()) {
				return null;
			}
			Baseline off = baseline();
			return new Added(windows.stream().map((w) -> w.commandsPerSecond - off.commands).toList(),
					windows.stream().map((w) -> w.cpuPercent - off.cpu).toList(),
					windows.stream().map((w) -> w.p99 - off.p99).toList(), windows);
		}

	}

	private record Rate(double cpuSecondsPerSecond, double elapsedSeconds) {
	}

	private record Calibration(double pingsPerSecond, double microsPerPing, double heartbeatsPerSecond,
			double microsPerHeartbeat) {
	}

	private static final class NamedThreads implements ThreadFactory {

		private final String prefix;

		private final AtomicInteger count = new AtomicInteger();

		NamedThreads(String prefix) {
			this.prefix = prefix;
		}

		@Override
		public Thread newThread(Runnable task) {
			Thread thread = new Thread(task, this.prefix + "-" + this.count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		}

	}

}
