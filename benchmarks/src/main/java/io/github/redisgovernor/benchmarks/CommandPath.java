package io.github.redisgovernor.benchmarks;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
		Options options = Options.parse("CommandPath", args, "commands", "threads", "rounds");
		int commands = options.integer("commands", 200_000);
		int threads = options.integer("threads", 8);
		int rounds = options.integer("rounds", 3);
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
		double plain = Stats.median(rates.get(Variant.PLAIN));
		for (Variant variant : Variant.values()) {
			double median = Stats.median(rates.get(variant));
			System.out.printf(Locale.ROOT, "median %-31s %,10.0f commands/s (%+.1f%% vs plain)%n", variant.label,
					median, (median / plain - 1) * 100);
		}
		System.exit(0);
	}

	private static double measure(RedisServer redis, Variant variant, int commands, int threads) throws Exception {
		try (ConfigurableApplicationContext app = context(redis.port(), variant == Variant.GOVERNED, "command-path")) {
			StringRedisTemplate template = app.getBean(StringRedisTemplate.class);
			CommandLoad.count(threads, commands / 10, (thread, i) -> set(template, thread, i));
			return CommandLoad.count(threads, commands, (thread, i) -> set(template, thread, i));
		}
	}

	/**
	 * {@link SoakApplication} without its web server, in this JVM: the Redis client and
	 * the {@code StringRedisTemplate}, governed or plain Spring Boot.
	 * @param redisPort the Redis port
	 * @param governed whether the governor is enabled
	 * @param application {@code redis.governor.application}
	 * @return the running context
	 */
	static ConfigurableApplicationContext context(int redisPort, boolean governed, String application) {
		return new SpringApplicationBuilder(SoakApplication.class)
			.properties("spring.main.web-application-type=none", "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + redisPort, "redis.governor.enabled=" + governed,
					"redis.governor.application=" + application, "spring.main.banner-mode=off",
					"logging.level.root=WARN")
			.run();
	}

	private static void set(StringRedisTemplate template, int thread, long i) {
		template.opsForValue().set("path:" + thread + ":" + (i % 100), "v");
	}

	enum Variant {

		PLAIN("plain Boot"), GOVERNED("governed");

		private final String label;

		Variant(String label) {
			this.label = label;
		}

	}

}
