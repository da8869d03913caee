package io.github.redisgovernor.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
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

import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.SharedConnectionCommands;
import io.github.redisgovernor.registry.InstanceRegistry;
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
 * {@code redis-server}, opens one governed connection per simulated instance, and
 * measures Redis twice over the same window length: with the connections idle (governor
 * off), then with every instance running the governor's real background components at
 * default settings (registry heartbeat, server figures sampler, watchdog PING). For each
 * phase it reads the commands Redis processed and the CPU it used ({@code INFO stats},
 * {@code INFO cpu}), and the latency a separate probe client sees.
 * <p>
 * Usage: {@code FleetBenchmark [--instances=1000] [--seconds=30] [--out=target/fleet-benchmark.txt]}
 */
public final class FleetBenchmark {

	private static final List<PingWatchdog> watchdogs = new CopyOnWriteArrayList<>();

	private FleetBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		int instances = Integer.parseInt(arg(args, "instances", "1000"));
		int seconds = Integer.parseInt(arg(args, "seconds", "30"));
		List<String> parts = List.of(arg(args, "components", "registry,sampler,watchdog").split(","));
		Path out = Path.of(arg(args, "out", "target/fleet-benchmark.txt"));
		try (RedisServer redis = RedisServer.builder().name("fleet").config("maxclients", "20000").start()) {
			ClientResources resources = DefaultClientResources.create();
			List<LettuceConnectionFactory> factories = new ArrayList<>();
			List<Runnable> stops = new ArrayList<>();
			try {
				System.out.printf("Opening %d connections to redis-server %s on port %d...%n", instances,
						redis.version(), redis.port());
				for (int i = 0; i < instances; i++) {
					factories.add(openFactory(redis, resources, i));
				}
				Phase off = measure("governor off", redis, seconds, instances);
				System.out.printf("Starting the governor's background components on %d instances...%n", instances);
				long spread = Duration.ofSeconds(5).toNanos() / instances;
				for (int i = 0; i < instances; i++) {
					stops.add(startGovernor(factories.get(i), i, parts));
					Thread.sleep(0, (int) Math.min(spread, 999_999));
				}
				Thread.sleep(Duration.ofSeconds(12).toMillis());
				long pingsBefore = watchdogs.stream().mapToLong(PingWatchdog::getPings).sum();
				long skippedBefore = watchdogs.stream().mapToLong(PingWatchdog::getSkippedChecks).sum();
				Phase on = measure("governor on", redis, seconds, instances);
				System.out.printf("Watchdog during 'governor on': %d PINGs sent, %d checks skipped (connection busy)%n",
						watchdogs.stream().mapToLong(PingWatchdog::getPings).sum() - pingsBefore,
						watchdogs.stream().mapToLong(PingWatchdog::getSkippedChecks).sum() - skippedBefore);
				String registered = redis.command("ZCARD", "{redis-governor}:instances");
				report(instances, seconds, parts, off, on, registered, out);
			}
			finally {
				stops.forEach(Runnable::run);
				factories.forEach(LettuceConnectionFactory::destroy);
				resources.shutdown();
			}
		}
	}

	private static LettuceConnectionFactory openFactory(RedisServer redis, ClientResources resources, int i) {
		LettuceClientConfiguration client = LettuceClientConfiguration.builder()
			.clientResources(resources)
			.clientName("fleet:i-" + i)
			.commandTimeout(Duration.ofSeconds(2))
			.build();
		LettuceConnectionFactory factory = new LettuceConnectionFactory(
				new RedisStandaloneConfiguration(redis.host(), redis.port()), client);
		factory.afterPropertiesSet();
		factory.start();
		// As in an application: the watchdog bean exists before the shared connection opens,
		// so that its reply counter is on the connection.
		RedisGovernorProperties.Watchdog w = new RedisGovernorProperties().getWatchdog();
		watchdogs.add(new PingWatchdog(factory, new InstanceIdentity("fleet", "i-" + i), w.getInterval(),
				w.getFastInterval(), w.getTimeout(), w.getFailureThreshold()));
		try (var connection = factory.getConnection()) {
			connection.ping();
		}
		return factory;
	}

	private static Runnable startGovernor(LettuceConnectionFactory factory, int i, List<String> parts) {
		InstanceIdentity identity = new InstanceIdentity("fleet", "i-" + i);
		SharedConnectionCommands commands = new SharedConnectionCommands(factory, Duration.ofSeconds(2));
		// The starter's defaults, as an application that sets nothing gets them.
		RedisGovernorProperties defaults = new RedisGovernorProperties();
		RedisGovernorProperties.Registry r = defaults.getRegistry();
		RedisGovernorProperties.Server s = defaults.getServer();
		InstanceRegistry registry = new InstanceRegistry(commands, identity, r.getKey(), r.getHeartbeatInterval(),
				r.getTtl());
		ServerFiguresSampler sampler = new ServerFiguresSampler(commands, identity, s.getSampleInterval(),
				s.getClientListMaxAge());
		PingWatchdog watchdog = watchdogs.get(i);
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
			watchdog.stop();
			sampler.stop();
			registry.stop();
		};
	}

	private static Phase measure(String name, RedisServer redis, int seconds, int instances) throws Exception {
		System.out.printf("Measuring '%s' for %d s...%n", name, seconds);
		Map<String, String> before = redis.infoMap("everything");
		long start = System.nanoTime();
		long[] latencies = probe(redis, Duration.ofSeconds(seconds));
		double elapsed = (System.nanoTime() - start) / 1e9;
		Map<String, String> after = redis.infoMap("everything");
		long commands = Long.parseLong(after.get("total_commands_processed"))
				- Long.parseLong(before.get("total_commands_processed"));
		double cpu = cpu(after) - cpu(before);
		Arrays.sort(latencies);
		return new Phase(name, elapsed, commands / elapsed, 100.0 * cpu / elapsed,
				percentile(latencies, 0.50), percentile(latencies, 0.99), latencies[latencies.length - 1] / 1e6,
				Long.parseLong(after.get("connected_clients")));
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

	private static void report(int instances, int seconds, List<String> parts, Phase off, Phase on,
			String registered, Path out)
			throws IOException {
		StringBuilder table = new StringBuilder();
		table.append(String.format(Locale.ROOT, "Fleet benchmark, %s: %d simulated instances, %d s per phase, "
				+ "components %s at their default settings%n", Instant.now(), instances, seconds, parts));
		table.append(String.format(Locale.ROOT, "%-14s %12s %14s %12s %12s %12s %10s%n", "phase", "commands/s",
				"redis CPU %core", "probe p50ms", "probe p99ms", "probe maxms", "clients"));
		for (Phase phase : List.of(off, on)) {
			table.append(String.format(Locale.ROOT, "%-14s %12.1f %14.3f %12.3f %12.3f %12.3f %10d%n", phase.name,
					phase.commandsPerSecond, phase.cpuPercent, phase.p50, phase.p99, phase.max, phase.clients));
		}
		double addedCommands = on.commandsPerSecond - off.commandsPerSecond;
		double addedCpu = on.cpuPercent - off.cpuPercent;
		table.append(String.format(Locale.ROOT, "governor adds: %.1f commands/s, %.3f %% of one core "
				+ "(%.4f %% per instance); instances registered: %s%n", addedCommands, addedCpu, addedCpu / instances,
				registered));
		table.append(String.format(Locale.ROOT, "linear estimate for 10,000 instances: %.0f commands/s, "
				+ "%.2f %% of one core%n", addedCommands * 10_000 / instances, addedCpu * 10_000 / instances));
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

	private static String arg(String[] args, String name, String fallback) {
		for (String arg : args) {
			if (arg.startsWith("--" + name + "=")) {
				return arg.substring(name.length() + 3);
			}
		}
		return fallback;
	}

	private record Phase(String name, double elapsedSeconds, double commandsPerSecond, double cpuPercent, double p50,
			double p99, double max, long clients) {
	}

}
