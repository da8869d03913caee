package io.github.redisgovernor.benchmarks;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.github.redisgovernor.test.redis.RedisServer;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Measures the command path of plain Spring Boot ({@code redis.governor.enabled=false})
 * and of the governed application: the same {@code SET}s through
 * {@code StringRedisTemplate} from several threads, rounds alternating between the
 * variants so that machine noise hits both alike. The governor adds no
 * {@code CommandListener}; its activity counter is a Netty handler on each channel.
 * Prints commands per second for every round and the median of each variant.
 * <p>
 * Arguments (optional): {@code --commands=200000} per round, {@code --threads=8},
 * {@code --rounds=3} per side.
 *
 * @author Redis Governor contributors
 */
public final class CommandPath {

	private CommandPath() {
	}

	public static void main(String[] args) throws Exception {
		int commands = intOption(args, "commands", 200_000);
		int threads = intOption(args, "threads", 8);
		int rounds = intOption(args, "rounds", 3);
		Map<Variant, List<Double>> rates = new EnumMap<>(Variant.class);
		try (RedisServer redis = RedisServer.start()) {
			for (int round = 0; round < rounds; round++) {
				for (Variant variant : Variant.values()) {
					double rate = measure(redis, variant, commands, threads);
					rates.computeIfAbsent(variant, (key) -> new ArrayList<>()).add(rate);
					System.out.printf(Locale.ROOT, "round %d, %-31s %,10.0f commands/s%n", round + 1, variant.label,
							rate);
				}
			}
		}
		double plain = median(rates.get(Variant.PLAIN));
		for (Variant variant : Variant.values()) {
			double median = median(rates.get(variant));
			System.out.printf(Locale.ROOT, "median %-31s %,10.0f commands/s (%+.1f%% vs plain)%n", variant.label,
					median, (median / plain - 1) * 100);
		}
		System.exit(0);
	}

	private static double measure(RedisServer redis, Variant variant, int commands, int threads) throws Exception {
		boolean enabled = variant == Variant.GOVERNED;
		try (ConfigurableApplicationContext app = new SpringApplicationBuilder(SoakApplication.class)
			.properties("spring.main.web-application-type=none", "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + redis.port(), "redis.governor.enabled=" + enabled,
					"redis.governor.application=command-path", "spring.main.banner-mode=off", "logging.level.root=WARN")
			.run()) {
			StringRedisTemplate template = app.getBean(StringRedisTemplate.class);
			run(template, commands / 10, threads);
			long start = System.nanoTime();
			run(template, commands, threads);
			return commands / ((System.nanoTime() - start) / 1e9);
		}
	}

	private static void run(StringRedisTemplate template, int commands, int threads) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Future<?>> futures = new ArrayList<>();
			int each = commands / threads;
			for (int t = 0; t < threads; t++) {
				int thread = t;
				futures.add(pool.submit(() -> {
					for (int i = 0; i < each; i++) {
						template.opsForValue().set("path:" + thread + ":" + (i % 100), "v");
					}
				}));
			}
			for (Future<?> future : futures) {
				future.get(10, TimeUnit.MINUTES);
			}
		}
		finally {
			pool.shutdownNow();
		}
	}

	enum Variant {

		PLAIN("plain Boot"), GOVERNED("governed");

		private final String label;

		Variant(String label) {
			this.label = label;
		}

	}

	private static double median(List<Double> values) {
		List<Double> sorted = new ArrayList<>(values);
		sorted.sort(null);
		return sorted.get(sorted.size() / 2);
	}

	private static int intOption(String[] args, String name, int fallback) {
		for (String arg : args) {
			if (arg.startsWith("--" + name + "=")) {
				return Integer.parseInt(arg.substring(name.length() + 3));
			}
		}
		return fallback;
	}

}
