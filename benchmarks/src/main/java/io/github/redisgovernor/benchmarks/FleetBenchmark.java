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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

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

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * What the governor's background traffic costs Redis at fleet scale. Starts a real
 * {@code redis-server}, opens one connection per simulated instance (its own
 * {@link LettuceConnectionFactory}, the {@link GovernedConnection} over it), and in each
 * of several rounds measures Redis twice over the same window length: with the
 * connections idle (governor off), then with every instance running the governor's real
 * background components at default settings (registry heartbeat carrying the server
 * figures sample, budget monitor, watchdog). For each phase it reads the commands Redis
 * processed and the CPU it used ({@code INFO stats}, {@code INFO cpu}), then the latency
 * a separate probe client sees. Last, it calibrates the Redis CPU price of one heartbeat
 * on a single connection, away from the simulation's own load.
 * <p>
 * All simulated instances share one {@link GovernorScheduler} over an executor of
 * {@code --scheduler-threads} threads, passed in as a user may pass their own, and one
 * {@code ClientResources} whose {@link ConnectionActivity} counts every connection's
 * activity for the watchdogs.
 * <p>
 * Usage: {@code FleetBenchmark [--instances=1000] [--seconds=40] [--probe-seconds=10]
 * [--rounds=5] [--settle-seconds=27] [--pin=true] [--calibrate=true] [--scheduler-threads=2]
 * [--components=registry,sampler,watchdog] ({@code --components=ping}: a control, one
 * {@code PING} per instance per heartbeat interval instead of the governor)
 * [--out=target/fleet-benchmark.txt]}
 */
public final class FleetBenchmark {

	private static final List<PingWatchdog> watchdogs = new CopyOnWriteArrayList<>();

	private static final List<BudgetMonitor> monitors = new CopyOnWriteArrayList<>();

	private FleetBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int instances = Integer.parseInt(arg(args, "instances", "1000"));
		// Two heartbeat intervals by default: a window of whole intervals counts each
		// instance's heartbeats exactly, wherever its schedule falls.
		int seconds = Integer.parseInt(arg(args, "seconds", Long
			.toString(new RedisGovernorProperties().getRegistry().getHeartbeatInterval().multipliedBy(2).toSeconds())));
		int rounds = Integer.parseInt(arg(args, "rounds", "5"));
		int probeSeconds = Integer.parseInt(arg(args, "probe-seconds", "10"));
		List<String> parts = List.of(arg(args, "components", "registry,sampler,watchdog").split(","));
		Path out = Path.of(arg(args, "out", "target/fleet-benchmark.txt"));
		boolean pin = Boolean.parseBoolean(arg(args, "pin", "true"));
		// A calm fleet: the window opens after every instance's second heartbeat. An
		// instance's first heartbeat counts only the instances started before it, so its
		// budget looks exceeded and it samples at the fast interval until the second; the
		// last of those samples can come one fast interval after it.
		RedisGovernorProperties settings = new RedisGovernorProperties();
		Duration settle = Duration.ofSeconds(Long.parseLong(arg(args, "settle-seconds",
				Long.toString(settings.getRegistry()
					.getHeartbeatInterval()
					.plus(settings.getServer().getFastSampleInterval())
					.plusSeconds(2)
					.toSeconds()))));
		int schedulerThreads = Integer.parseInt(arg(args, "scheduler-threads", "2"));
		try (RedisServer redis = RedisServer.builder().name("fleet").config("maxclients", "20000").start()) {
			String pinning = pin ? pin(redis) : "not pinned (--pin=false)";
			System.out.println("CPU: " + pinning);
			ConnectionActivity activity = new ConnectionActivity();
			ClientResources resources = DefaultClientResources.builder().nettyCustomizer(activity).build();
			// The user-supplied executor of GovernorScheduler(ScheduledExecutorService):
			// one
			// for the whole fleet, as the one thread of each application would be.
			ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(schedulerThreads,
					new NamedThreads("fleet-governor"));
			// The timeout of every command the governor sends is a task here, cancelled
			// on
			// the reply: remove it then, as the scheduler's own executor does.
			executor.setRemoveOnCancelPolicy(true);
			GovernorScheduler scheduler = new GovernorScheduler(executor);
			String setUp = pinning + "; one GovernorScheduler on " + schedulerThreads + " thread(s) for all instances";
			List<LettuceConnectionFactory> factories = new ArrayList<>();
			List<GovernedConnection> connections = new ArrayList<>();
			List<Phase> phases = new ArrayList<>();
			List<Runnable> stops = new ArrayList<>();
			String registered = "?";
			try {
				System.out.printf("Opening %d connections to redis-server %s on port %d...%n", instances,
						redis.version(), redis.port());
				for (int i = 0; i < instances; i++) {
					LettuceConnectionFactory factory = openFactory(redis, resources, "fleet:i-" + i);
					factories.add(factory);
					connections.add(new GovernedConnection(factory, new InstanceIdentity("fleet", "i-" + i),
							RedisGovernorProperties.DEFAULT_COMMAND_TIMEOUT, activity, scheduler,
							new RedisGovernorProperties().getSharedConnection().resolve(false)));
				}
				for (int round = 1; round <= rounds; round++) {
					phases.add(measure("governor off", round, redis, seconds, probeSeconds));
					System.out.printf("Starting the governor's background components on %d instances...%n", instances);
					long spread = Duration.ofSeconds(5).toNanos() / instances;
					long started = System.nanoTime();
					for (int i = 0; i < instances; i++) {
						stops.add(startGovernor(connections.get(i), scheduler, parts));
						// Instance i starts i spreads after the first: 5 s for the whole
						// fleet.
						LockSupport.parkNanos(started + (i + 1) * spread - System.nanoTime());
					}
					System.out.printf("Started in %.1f s; running %d s before the window opens...%n",
							(System.nanoTime() - started) / 1e9, settle.toSeconds());
					Thread.sleep(settle.toMillis());
					long pingsBefore = watchdogs.stream().mapToLong(PingWatchdog::getPings).sum();
					Phase on = measure("governor on", round, redis, seconds, probeSeconds);
					long pings = watchdogs.stream().mapToLong(PingWatchdog::getPings).sum() - pingsBefore;
					registered = redis.command("ZCARD", "{redis-governor}:instances");
					long unsettled = monitors.stream().filter((monitor) -> monitor.current().isUnsettled()).count();
					phases.add(on.withGovernor(pings, unsettled));
					System.out.printf("Watchdog during 'governor on': %d PINGs sent%n", pings);
					System.out.printf("Heartbeats during 'governor on': %d script calls, %d INFO (the benchmark's "
							+ "own excluded)%n", on.scripts, on.infos);
					System.out.printf("Budget: %d of %d instances unsettled (sampling at the fast interval)%n",
							unsettled, monitors.size());
					System.out.printf("JVM threads: %d%n", on.threads);
					stops.forEach(Runnable::run);
					stops.clear();
					monitors.clear();
					watchdogs.clear();
				}
				Calibration calibration = Boolean.parseBoolean(arg(args, "calibrate", "true"))
						? calibrate(redis, resources, activity, scheduler, Math.max(10, seconds / 2)) : null;
				report(instances, seconds, parts, setUp, phases, registered, calibration, out);
			}
			finally {
				stops.forEach(Runnable::run);
				factories.forEach(LettuceConnectionFactory::destroy);
				executor.shutdownNow();
				resources.shutdown();
			}
		}
	}

	/**
	 * Give Redis a core of its own, and this JVM (1,000 instances' threads) the others,
	 * so that Redis's CPU time is not inflated by losing its core to the JVM in
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

	private static void run(String... command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes());
		if (process.waitFor() != 0) {
			throw new IOException(String.join(" ", command) + " exited with " + process.exitValue() + ": " + output);
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
		try (var connection = factory.getConnection()) {
			connection.ping();
		}
		return factory;
	}

	private static Runnable startGovernor(GovernedConnection connection, GovernorScheduler scheduler,
			List<String> parts) {
		InstanceIdentity identity = connection.getIdentity();
		// The starter's defaults, as an application that sets nothing gets them.
		RedisGovernorProperties defaults = new RedisGovernorProperties();
		RedisGovernorProperties.Registry r = defaults.getRegistry();
		RedisGovernorProperties.Server s = defaults.getServer();
		RedisGovernorProperties.Watchdog w = defaults.getWatchdog();
		InstanceRegistry registry = new InstanceRegistry(connection, scheduler, identity, r.getKey(),
				r.getHeartbeatInterval(), r.getTtl());
		ServerFiguresSampler sampler = new ServerFiguresSampler(connection, scheduler, identity, s.getSampleInterval(),
				s.getFastSampleInterval(), s.getClientListMaxAge(), s.getClientListInterval());
		// As RedisGovernorAccountingAutoConfiguration does: the heartbeat reads INFO
		// clients
		// for the sampler whenever a sample is due, and the budget monitor makes the
		// sampler
		// sample on its own, faster, while the budget is unsettled.
		if (parts.contains("registry") && parts.contains("sampler")) {
			registry.sampleFor(sampler);
		}
		BudgetMonitor monitor = new BudgetMonitor(defaults.getBudget().toPolicy(), registry::current, identity);
		monitor.listenTo(sampler);
		monitors.add(monitor);
		PingWatchdog watchdog = new PingWatchdog(connection, scheduler, w.getInterval(), w.getFastInterval(),
				w.getTimeout(), w.getFailureThreshold());
		watchdogs.add(watchdog);
		ScheduledFuture<?> floor = null;
		if (parts.contains("ping")) {
			// Control, not the governor: the cheapest command, once per instance per
			// heartbeat
			// interval, sent the way the governor sends its own. What a heartbeat at that
			// rate cannot cost less than.
			floor = scheduler.scheduleWithFixedDelay(() -> connection.submit((redis) -> redis.ping()), Duration.ZERO,
					r.getHeartbeatInterval());
		}
		ScheduledFuture<?> floorTask = floor;
		if (parts.contains("registry")) {
			registry.start();
		}
		if (parts.contains("sampler")) {
			sampler.start();
		}
		if (parts.contains("watchdog")) {
			watchdog.start();
		}
		return () -> {
			if (floorTask != null) {
				floorTask.cancel(false);
			}
			watchdog.stop();
			sampler.stop();
			registry.stop();
		};
	}

	/**
	 * Redis's CPU and command rate over {@code seconds} with nothing but the fleet on it,
	 * then a separate probe window for latency: the probe's own 200 commands a second
	 * would add more noise to the CPU figure than the governor adds to it.
	 */
	private static Phase measure(String name, int round, RedisServer redis, int seconds, int probeSeconds)
			throws Exception {
		System.out.printf("Round %d: measuring '%s' for %d s, then probing for %d s...%n", round, name, seconds,
				probeSeconds);
		Map<String, String> before = redis.infoMap("everything");
		long jvmBefore = jvmCpuNanos();
		long start = System.nanoTime();
		Thread.sleep(Duration.ofSeconds(seconds).toMillis());
		double elapsed = (System.nanoTime() - start) / 1e9;
		long jvmAfter = jvmCpuNanos();
		Map<String, String> after = redis.infoMap("everything");
		long commands = Long.parseLong(after.get("total_commands_processed"))
				- Long.parseLong(before.get("total_commands_processed"));
		double cpu = cpu(after) - cpu(before);
		long scripts = calls(after, "evalsha") + calls(after, "eval") - calls(before, "evalsha")
				- calls(before, "eval");
		// Redis counts a command once it has run: the window's first INFO is in the
		// second
		// reading, not in the first.
		long infos = calls(after, "info") - calls(before, "info") - 1;
		int threads = ManagementFactory.getThreadMXBean().getThreadCount();
		long[] latencies = probe(redis, Duration.ofSeconds(probeSeconds));
		Arrays.sort(latencies);
		return new Phase(name, round, elapsed, commands / elapsed, 100.0 * cpu / elapsed, percentile(latencies, 0.50),
				percentile(latencies, 0.99), latencies[latencies.length - 1] / 1e6,
				Long.parseLong(after.get("connected_clients")), 100.0 * (jvmAfter - jvmBefore) / 1e9 / elapsed, scripts,
				infos, threads, -1, -1);
	}

	/** How often Redis ran a command, from {@code INFO commandstats}. */
	private static long calls(Map<String, String> info, String command) {
		String value = info.get("cmdstat_" + command);
		return (value != null) ? Long.parseLong(value.replaceAll("^calls=(\\d+),.*$", "$1")) : 0;
	}

	/**
	 * The price of one background command without the simulation around it: the real
	 * registry heartbeat (carrying the sampler's {@code INFO clients}) run on one
	 * connection about 1,000 times a second, and a {@code PING} at the same pace, each
	 * against a window with neither. The fleet's 1,000 idle connections stay open, and
	 * the simulated instances are stopped, so their JVM does not compete with Redis.
	 */
	private static Calibration calibrate(RedisServer redis, ClientResources resources, ConnectionActivity activity,
			GovernorScheduler scheduler, int seconds) throws Exception {
		System.out.printf("Calibrating: %d s idle, %d s of PING, %d s of heartbeats, one connection...%n", seconds,
				seconds, seconds);
		LettuceConnectionFactory factory = openFactory(redis, resources, "fleet:calibration");
		try {
			Duration window = Duration.ofSeconds(seconds);
			double idle = redisCpuRate(redis, window, () -> sleep(window)).cpuSecondsPerSecond();
			long[] pings = new long[1];
			RedisClient client = RedisClient.create(resources, RedisURI.create(redis.host(), redis.port()));
			Rate ping;
			try (StatefulRedisConnection<String, String> connection = client.connect()) {
				ping = redisCpuRate(redis, window, () -> {
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
			// in.
			InstanceRegistry registry = new InstanceRegistry(connection, scheduler, identity,
					"{redis-governor}:calibration", Duration.ofMillis(1), Duration.ofSeconds(30));
			ServerFiguresSampler sampler = new ServerFiguresSampler(connection, scheduler, identity,
					Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(5), Duration.ofSeconds(5));
			registry.sampleFor(sampler);
			sampler.start();
			long scriptsBefore = scriptCalls(redis);
			Rate heartbeat = redisCpuRate(redis, window, () -> {
				registry.start();
				sleep(window);
				registry.stop();
			});
			long heartbeats = scriptCalls(redis) - scriptsBefore;
			sampler.stop();
			if (sampler.current().connectedClients() == null) {
				throw new IllegalStateException("The heartbeats carried no INFO clients sample: " + sampler.current());
			}
			return new Calibration(pings[0] / ping.elapsedSeconds(),
					(ping.cpuSecondsPerSecond() - idle) * ping.elapsedSeconds() / pings[0] * 1e6,
					heartbeats / heartbeat.elapsedSeconds(),
					(heartbeat.cpuSecondsPerSecond() - idle) * heartbeat.elapsedSeconds() / heartbeats * 1e6);
		}
		finally {
			factory.destroy();
		}
	}

	private static long scriptCalls(RedisServer redis) {
		Map<String, String> stats = redis.infoMap("commandstats");
		return calls(stats, "evalsha") + calls(stats, "eval");
	}

	private static Rate redisCpuRate(RedisServer redis, Duration window, Runnable work) {
		double before = cpu(redis.infoMap("cpu"));
		long start = System.nanoTime();
		work.run();
		double elapsed = (System.nanoTime() - start) / 1e9;
		return new Rate((cpu(redis.infoMap("cpu")) - before) / elapsed, elapsed);
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

	private static double cpu(Map<String, String> info) {
		return Double.parseDouble(info.get("used_cpu_sys")) + Double.parseDouble(info.get("used_cpu_user"));
	}

	private static double percentile(long[] sorted, double p) {
		return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
	}

	private static void report(int instances, int seconds, List<String> parts, String setUp, List<Phase> phases,
			String registered, Calibration calibration, Path out) {
		StringBuilder table = new StringBuilder();
		table.append(String.format(Locale.ROOT,
				"Fleet benchmark, %s: %d simulated instances, %d s per phase, "
						+ "components %s at their default settings; %s%n",
				Instant.now(), instances, seconds, parts, setUp));
		table.append(String.format(Locale.ROOT, "%-5s %-14s %12s %15s %12s %12s %12s %8s %13s %8s %8s %7s %9s %8s%n",
				"round", "phase", "commands/s", "redis CPU %core", "probe p50ms", "probe p99ms", "probe maxms",
				"clients", "JVM CPU %core", "scripts", "INFO", "PINGs", "unsettled", "threads"));
		for (Phase phase : phases) {
			table.append(String.format(Locale.ROOT,
					"%-5d %-14s %12.1f %15.3f %12.3f %12.3f %12.3f %8d %13.1f %8d %8d %7s %9s %8d%n", phase.round,
					phase.name, phase.commandsPerSecond, phase.cpuPercent, phase.p50, phase.p99, phase.max,
					phase.clients, phase.jvmCpuPercent, phase.scripts, phase.infos,
					(phase.pings >= 0) ? Long.toString(phase.pings) : "-",
					(phase.unsettled >= 0) ? Long.toString(phase.unsettled) : "-", phase.threads));
		}
		List<Double> addedCommands = new ArrayList<>();
		List<Double> addedCpu = new ArrayList<>();
		List<Double> addedP99 = new ArrayList<>();
		for (int i = 0; i + 1 < phases.size(); i += 2) {
			Phase off = phases.get(i);
			Phase on = phases.get(i + 1);
			addedCommands.add(on.commandsPerSecond - off.commandsPerSecond);
			addedCpu.add(on.cpuPercent - off.cpuPercent);
			addedP99.add(on.p99 - off.p99);
			table.append(String.format(Locale.ROOT,
					"round %d, governor adds: %.1f commands/s, %.3f %% of one core, " + "probe p99 %+.3f ms%n",
					on.round, on.commandsPerSecond - off.commandsPerSecond, on.cpuPercent - off.cpuPercent,
					on.p99 - off.p99));
		}
		double commands = median(addedCommands);
		double cpu = median(addedCpu);
		table.append(String.format(Locale.ROOT,
				"median of %d rounds, governor adds: %.1f commands/s, %.3f %% of one "
						+ "core (%.5f %% per instance), probe p99 %+.3f ms; instances registered: %s%n",
				addedCpu.size(), commands, cpu, cpu / instances, median(addedP99), registered));
		table.append(String.format(Locale.ROOT,
				"linear estimate for 10,000 instances: %.0f commands/s, " + "%.2f %% of one core%n",
				commands * 10_000 / instances, cpu * 10_000 / instances));
		if (calibration != null) {
			double perSecond = instances * 1000.0
					/ new RedisGovernorProperties().getRegistry().getHeartbeatInterval().toMillis();
			table.append(String.format(Locale.ROOT,
					"calibration on one connection: PING %.1f us of Redis CPU each "
							+ "(%.0f/s); heartbeat script with INFO clients %.1f us each (%.0f/s)%n",
					calibration.microsPerPing, calibration.pingsPerSecond, calibration.microsPerHeartbeat,
					calibration.heartbeatsPerSecond));
			table.append(String.format(Locale.ROOT,
					"calibrated cost of the background traffic: %.0f heartbeats/s x "
							+ "%.1f us = %.3f %% of one core for %d instances; %.2f %% for 10,000%n",
					perSecond, calibration.microsPerHeartbeat, perSecond * calibration.microsPerHeartbeat / 1e4,
					instances, perSecond * calibration.microsPerHeartbeat / 1e4 * 10_000 / instances));
		}
		System.out.print(table);
		try {
			Files.createDirectories(out.toAbsolutePath().getParent());
			Files.writeString(out, table.toString());
			System.out.println("Raw figures written to " + out.toAbsolutePath());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static double median(List<Double> values) {
		List<Double> sorted = values.stream().sorted().toList();
		int n = sorted.size();
		return (n % 2 == 1) ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
	}

	private static String arg(String[] args, String name, String fallback) {
		for (String arg : args) {
			if (arg.startsWith("--" + name + "=")) {
				return arg.substring(name.length() + 3);
			}
		}
		return fallback;
	}

	private record Rate(double cpuSecondsPerSecond, double elapsedSeconds) {
	}

	private record Calibration(double pingsPerSecond, double microsPerPing, double heartbeatsPerSecond,
			double microsPerHeartbeat) {
	}

	/**
	 * One measured window. {@code scripts} and {@code infos} count calls in the window;
	 * {@code pings} (the watchdogs') and {@code unsettled} (budget monitors) are -1 with
	 * the governor off.
	 */
	private record Phase(String name, int round, double elapsedSeconds, double commandsPerSecond, double cpuPercent,
			double p50, double p99, double max, long clients, double jvmCpuPercent, long scripts, long infos,
			int threads, long pings, long unsettled) {

		Phase withGovernor(long pings, long unsettled) {
			return new Phase(this.name, this.round, this.elapsedSeconds, this.commandsPerSecond, this.cpuPercent,
					this.p50, this.p99, this.max, this.clients, this.jvmCpuPercent, this.scripts, this.infos,
					this.threads, pings, unsettled);
		}

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
