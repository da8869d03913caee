package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The names {@code /actuator/prometheus} exports for the governor's meters, read from a
 * running application with a real {@code redis-server} and Micrometer's Prometheus
 * registry. Alert rules and dashboards are written against these names, so they are
 * pinned here.
 */
@ExtendWith(RedisServerExtension.class)
class PrometheusNamesIntegrationTests {

	/**
	 * Every series name the governor exports. Gauges carry no unit suffix where their
	 * name already says what they count; counters end in {@code _total}; the drain timer
	 * is in seconds.
	 */
	static final Set<String> EXPORTED = Set.of("redis_governor_clients_connected", "redis_governor_clients_fleet",
			"redis_governor_clients_max", "redis_governor_clients_utilization", "redis_governor_clients_per_instance",
			"redis_governor_instances", "redis_governor_instances_max_safe", "redis_governor_leak_suspected",
			"redis_governor_connections_open", "redis_governor_connections_opened_total",
			"redis_governor_reconnects_total", "redis_governor_watchdog_recoveries_total",
			"redis_governor_commands_inflight", "redis_governor_drain_seconds_count",
			"redis_governor_drain_seconds_sum", "redis_governor_drain_seconds_max");

	private static final Pattern SERIES = Pattern.compile("^(redis_governor_[a-z_]+)\\{([^}]*)\\}", Pattern.MULTILINE);

	private static ConfigurableApplicationContext context;

	private static String scrape;

	@BeforeAll
	static void start(RedisServer redis) {
		context = KvTestApplication.start(redis, "redis.governor.application=prom",
				"redis.governor.registry.heartbeat-interval=200ms", "redis.governor.server.sample-interval=200ms",
				"management.endpoints.web.exposure.include=health,prometheus");
		// The server figures are NaN until the first sample; wait for real values.
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			scrape = KvTestApplication.get(context, "/actuator/prometheus").body();
			assertThat(scrape).containsPattern("(?m)^redis_governor_instances\\{[^}]*\\} 1(\\.0)?$");
		});
	}

	@AfterAll
	static void stop() {
		if (context != null) {
			context.close();
		}
	}

	@Test
	void scrapeHasEveryMeterUnderItsPinnedNameTaggedWithTheApplication() {
		Set<String> exported = new TreeSet<>();
		Matcher series = SERIES.matcher(scrape);
		while (series.find()) {
			exported.add(series.group(1));
			assertThat(series.group(2)).as(series.group(1)).contains("application=\"prom\"");
		}
		assertThat(exported).containsExactlyInAnyOrderElementsOf(EXPORTED);
	}

}
