package io.github.redisgovernor.integration;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Locale;
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
 * pinned here, and every name that the alert rules, their promtool tests, the Grafana
 * dashboard and the operations docs use must be one the scrape has: a renamed meter fails
 * this test rather than an alert that silently never fires.
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

	/**
	 * Files that use exported names. The names of a summary's series ({@code _count},
	 * {@code _sum}) and of a counter ({@code _total}) are written as Prometheus exports
	 * them, so each must be a series name of the scrape.
	 */
	static final String[] USING_NAMES = { "docs/ops/prometheus-rules.yml", "docs/ops/prometheus-rules-tests.yml",
			"docs/ops/grafana-dashboard.json", "docs/metrics.md", "docs/runbook.md", "docs/budget.md" };

	/**
	 * Files that link to sections of the runbook.
	 */
	static final String[] LINKING_RUNBOOK = { "docs/ops/prometheus-rules.yml", "docs/metrics.md", "docs/health.md",
			"docs/runbook.md" };

	/**
	 * The prefix of the meters of a pooled application's connection pools.
	 */
	static final String POOL_METERS = "redis_governor_pool_";

	/**
	 * The prefix of the meters of each Redis Cluster node.
	 */
	static final String NODE_METERS = "redis_governor_node_";

	private static final Pattern NAME = Pattern.compile("redis_governor_[a-z_]+");

	private static final Pattern RUNBOOK_LINK = Pattern.compile("runbook\\.md#([a-z0-9-]+)");

	private static final Pattern HEADING = Pattern.compile("(?m)^#+ (.+)$");

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

	@Test
	void everyNameTheAlertRulesTheDashboardAndTheDocsUseIsInTheScrape() throws IOException {
		for (String file : USING_NAMES) {
			Set<String> used = namesIn(file);
			assertThat(used).as("names in %s", file).isNotEmpty();
			// Only a pooled application has the pool meters, and only a cluster the node
			// meters: PoolIntegrationTests and ClusterIntegrationTests check those names
			// against their own scrapes.
			used.removeIf((name) -> name.startsWith(POOL_METERS) || name.startsWith(NODE_METERS));
			assertThat(seriesNames()).as("series of /actuator/prometheus, against the names in %s", file)
				.containsAll(used);
		}
	}

	@Test
	void metricsReferenceDocumentsEveryExportedName() throws IOException {
		assertThat(namesIn("docs/metrics.md")).containsAll(EXPORTED);
	}

	@Test
	void everyRunbookLinkOfTheAlertRulesAndTheDocsHasItsSection() throws IOException {
		Set<String> sections = new TreeSet<>();
		String runbook = Files.readString(ProjectFiles.find("docs/runbook.md"));
		// Lines of code blocks that start with '#' are comments, not headings.
		Matcher heading = HEADING.matcher(runbook.replaceAll("(?ms)^```.*?^```", ""));
		while (heading.find()) {
			sections.add(gitHubAnchor(heading.group(1)));
		}
		Set<String> links = new TreeSet<>();
		for (String file : LINKING_RUNBOOK) {
			Matcher link = RUNBOOK_LINK.matcher(Files.readString(ProjectFiles.find(file)));
			while (link.find()) {
				links.add(link.group(1));
			}
		}
		Matcher local = Pattern.compile("\\]\\(#([a-z0-9-]+)\\)").matcher(runbook);
		while (local.find()) {
			links.add(local.group(1));
		}
		assertThat(links).contains("leak-suspected", "saturation", "watchdog-recoveries");
		assertThat(sections).containsAll(links);
	}

	private static Set<String> seriesNames() {
		Set<String> names = new TreeSet<>();
		scrape.lines()
			.filter((line) -> !line.startsWith("#") && !line.isBlank())
			.forEach((line) -> names.add(line.split("[{ ]", 2)[0]));
		return names;
	}

	private static String gitHubAnchor(String heading) {
		return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
	}

	static Set<String> namesIn(String file) throws IOException {
		Set<String> names = new TreeSet<>();
		Matcher name = NAME.matcher(Files.readString(ProjectFiles.find(file)));
		while (name.find()) {
			names.add(name.group());
		}
		return names;
	}

}
