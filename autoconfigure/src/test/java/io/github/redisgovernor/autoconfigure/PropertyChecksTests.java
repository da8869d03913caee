package io.github.redisgovernor.autoconfigure;

import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.github.redisgovernor.client.GovernedClientCustomizer;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.support.SpringFactoriesLoader;
import org.springframework.core.io.support.SpringFactoriesLoader.ArgumentResolver;
import org.springframework.core.io.support.SpringFactoriesLoader.FailureHandler;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every {@code redis.governor.*} property at its boundaries, through the governor's
 * auto-configuration and Spring Boot's failure analyzers: the smallest (and largest)
 * valid value starts the application with Lettuce configured, and the nearest invalid
 * value stops startup with a report that names the property, the value and an example
 * that itself starts.
 */
class PropertyChecksTests {

	private static final String PREFIX = "redis.governor.";

	private static final String LONGEST = "2147483647ms";

	private static final String TOO_LONG = "2147483648ms";

	private static final String NOT_WHOLE_MILLIS = "999999ns";

	private static final String POSITIVE = "must be a positive duration";

	private static final String WHOLE_MILLIS = "must be a whole number of milliseconds";

	private static final String AT_MOST_LONGEST = "must not be longer than 2147483647ms";

	private static final String WHOLE_SECONDS = "must be a whole number of seconds";

	private static final String RATIO = "must be a ratio above 0 and at most 1";

	private static final String BOOLEAN = "must be true or false";

	private static final String CLIENT_NAME = "must contain only letters, digits";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(
				AutoConfigurations.of(RedisGovernorAutoConfiguration.class, DataRedisAutoConfiguration.class))
		.withPropertyValues("redis.governor.instance-id=i-1");

	static Stream<Valid> validValues() {
		return Stream.of(
				// Switches
				valid("enabled", "true"), valid("enabled", "false"), valid("fail-fast", "true"),
				valid("fail-fast", "false"), valid("shared-connection", "auto"),
				valid("shared-connection", "imperative"), valid("shared-connection", "reactive"),
				valid("watchdog.enabled", "false"), valid("health.report-out-of-service", "true"),
				valid("cache.fail-open", "true"),
				// Identity
				valid("application", "a"), valid("application", "Orders_API-2.eu"), valid("instance-id", "1"),
				valid("instance-id", "ip-10-0-1-17_4242.b"),
				// Client
				valid("connect-timeout", "1ms"), valid("connect-timeout", LONGEST), valid("command-timeout", "1ms"),
				valid("command-timeout", LONGEST), valid("request-queue-size", "1"),
				valid("request-queue-size", "2147483647"), valid("leak-detection-threshold", "0ms"),
				valid("leak-detection-threshold", "1ms"), valid("leak-detection-threshold", LONGEST),
				// Reconnect: Lettuce needs whole milliseconds and min-delay < max-delay
				valid("reconnect.min-delay", "1ms"),
				valid("reconnect.min-delay", "2147483646ms", "reconnect.max-delay=" + LONGEST),
				valid("reconnect.max-delay", "2ms", "reconnect.min-delay=1ms"), valid("reconnect.max-delay", "101ms"),
				valid("reconnect.max-delay", LONGEST), valid("reconnect.grace", "0ms"),
				valid("reconnect.grace", "1999ms"), valid("reconnect.grace", "5s", "command-timeout=10s"),
				// TCP: keepalive in whole seconds up to the kernel's limits,
				// TCP_USER_TIMEOUT in ms
				valid("tcp.keep-alive-idle", "1s"), valid("tcp.keep-alive-idle", "32767s"),
				valid("tcp.keep-alive-interval", "1s"), valid("tcp.keep-alive-interval", "32767s"),
				valid("tcp.keep-alive-count", "1"), valid("tcp.keep-alive-count", "127"),
				valid("tcp.user-timeout", "1ms"), valid("tcp.user-timeout", LONGEST),
				// Watchdog: timeout <= fast-interval <= interval
				valid("watchdog.interval", "1ms", "watchdog.fast-interval=1ms", "watchdog.timeout=1ms"),
				valid("watchdog.interval", LONGEST), valid("watchdog.fast-interval", "1ms", "watchdog.timeout=1ms"),
				valid("watchdog.fast-interval", "20000ms"),
				valid("watchdog.fast-interval", LONGEST, "watchdog.interval=" + LONGEST),
				valid("watchdog.timeout", "1ms"), valid("watchdog.timeout", "1000ms"),
				valid("watchdog.timeout", LONGEST, "watchdog.interval=" + LONGEST, "watchdog.fast-interval=" + LONGEST),
				valid("watchdog.failure-threshold", "1"), valid("watchdog.failure-threshold", "2147483647"),
				// Registry: ttl > heartbeat-interval
				valid("registry.key", "{k}"), valid("registry.key", "fleet-{orders}:instances"),
				valid("registry.fleet-heartbeat-rate", "0.001"), valid("registry.fleet-heartbeat-rate", "1000000"),
				valid("registry.heartbeat-interval", "1ms"),
				valid("registry.heartbeat-interval", "2147483646ms", "registry.ttl=" + LONGEST),
				valid("registry.ttl", "2ms", "registry.heartbeat-interval=1ms"), valid("registry.ttl", "20001ms"),
				valid("registry.ttl", LONGEST),
				// Server sampling
				valid("server.sample-interval", "1ms"), valid("server.sample-interval", LONGEST),
				valid("server.fast-sample-interval", "1ms"), valid("server.fast-sample-interval", LONGEST),
				valid("server.client-list-max-age", "1ms"), valid("server.client-list-max-age", LONGEST),
				valid("server.client-list-interval", "1ms"), valid("server.client-list-interval", LONGEST),
				// Budget
				valid("budget.connections-per-instance", "1"), valid("budget.connections-per-instance", "2147483647"),
				valid("budget.reserved-clients", "0"), valid("budget.reserved-clients", "2147483647"),
				valid("budget.headroom", "4.9E-324"), valid("budget.headroom", "1.0"),
				valid("budget.saturation.warn", "4.9E-324"), valid("budget.saturation.warn", "0.95"),
				valid("budget.saturation.warn", "1.0", "budget.saturation.critical=1.0"),
				valid("budget.saturation.critical", "0.8"), valid("budget.saturation.critical", "1.0"),
				valid("budget.saturation.critical", "4.9E-324", "budget.saturation.warn=4.9E-324"),
				valid("budget.leak.window", "1ms"), valid("budget.leak.window", LONGEST),
				// Shutdown: quiet-period <= drain-timeout
				valid("shutdown.drain-timeout", "1ms", "shutdown.quiet-period=0ms"),
				valid("shutdown.drain-timeout", "200ms"), valid("shutdown.drain-timeout", LONGEST),
				valid("shutdown.quiet-period", "0ms"), valid("shutdown.quiet-period", "10000ms"),
				valid("shutdown.quiet-period", LONGEST, "shutdown.drain-timeout=" + LONGEST),
				// Cache
				valid("cache.log-interval", "1ms"), valid("cache.log-interval", LONGEST),
				// Cluster
				valid("cluster.refresh.period", "1ms"), valid("cluster.refresh.period", LONGEST),
				valid("cluster.refresh.while-node-down", "1ms"), valid("cluster.refresh.while-node-down", LONGEST),
				valid("cluster.refresh.adaptive-timeout", "1ms"), valid("cluster.refresh.adaptive-timeout", LONGEST));
	}

	static Stream<Invalid> invalidValues() {
		return Stream.of(
				// Switches: only Spring Boot's conversion can fail
				invalid("enabled", "maybe", BOOLEAN, "true"), invalid("fail-fast", "maybe", BOOLEAN, "false"),
				invalid("shared-connection", "both", "must be one of", "auto"),
				invalid("watchdog.enabled", "maybe", BOOLEAN, "true"),
				invalid("health.report-out-of-service", "maybe", BOOLEAN, "false"),
				invalid("cache.fail-open", "maybe", BOOLEAN, "false"),
				// Identity
				invalid("application", "",
						"must not be empty; set a name, or remove the property to default to "
								+ "spring.application.name",
						"orders-api"),
				invalid("application", "orders api", CLIENT_NAME, "orders-api"),
				invalid("application", "orders:api", CLIENT_NAME, "orders-api"),
				invalid("instance-id", "",
						"must not be empty; set a name, or remove the property to default to "
								+ "the host name and process id",
						"orders-api-7f9c4"),
				invalid("instance-id", "i/1", CLIENT_NAME, "orders-api-7f9c4"),
				// Client
				invalid("connect-timeout", "0ms", POSITIVE, "2s"),
				invalid("connect-timeout", NOT_WHOLE_MILLIS,
						WHOLE_MILLIS + ": it is applied in milliseconds, so it " + "would silently become 0ms", "2s"),
				invalid("connect-timeout", TOO_LONG, AT_MOST_LONGEST, "2s"),
				invalid("connect-timeout", "fast", "must be a duration such as 500ms", "2s"),
				invalid("command-timeout", "0ms", POSITIVE, "2s"),
				invalid("command-timeout", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "2s"),
				invalid("command-timeout", TOO_LONG, AT_MOST_LONGEST, "2s"),
				invalid("request-queue-size", "0", "must be at least 1", "10000"),
				invalid("request-queue-size", "2147483648", "must be a whole number no larger than 2147483647",
						"10000"),
				invalid("leak-detection-threshold", "-1ns", "must not be negative (0 turns leak detection off)", "30s"),
				invalid("leak-detection-threshold", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "30s"),
				invalid("leak-detection-threshold", TOO_LONG, AT_MOST_LONGEST, "30s"),
				// Reconnect
				invalid("reconnect.min-delay", "0ms", POSITIVE, "100ms"),
				invalid("reconnect.min-delay", "500us",
						WHOLE_MILLIS + ": it is applied in milliseconds, so it " + "would silently become 0ms",
						"100ms"),
				invalid("reconnect.min-delay", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "100ms"),
				invalid("reconnect.min-delay", "1500us", "would silently become 1ms", "100ms"),
				invalid("reconnect.min-delay", TOO_LONG, AT_MOST_LONGEST, "100ms"),
				invalid("reconnect.grace", "-1ns", "must not be negative (0 fails commands at once while disconnected)",
						"1s"),
				invalid("reconnect.grace", "2000ms", "must be shorter than the command timeout (2000ms)", "1s"),
				invalid("reconnect.grace", "1000ms",
						"must be shorter than the command timeout 'redis.governor.command-timeout' (1000ms)", "500ms",
						"command-timeout=1s"),
				invalid("reconnect.max-delay", "0ms", POSITIVE, "3s"),
				invalid("reconnect.max-delay", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "3s"),
				invalid("reconnect.max-delay", TOO_LONG, AT_MOST_LONGEST, "3s"),
				invalid("reconnect.max-delay", "100ms",
						"must be longer than 'redis.governor.reconnect.min-delay' (100ms)", "3s"),
				invalid("reconnect.max-delay", "1000ms",
						"must be longer than 'redis.governor.reconnect.min-delay' (1000ms)", "3s",
						"reconnect.min-delay=1s"),
				invalid("reconnect.max-delay", "5000ms",
						"must be longer than 'redis.governor.reconnect.min-delay' (5000ms)", "15s",
						"reconnect.min-delay=5s"),
				// TCP
				invalid("tcp.keep-alive-idle", "0ms", POSITIVE, "30s"),
				invalid("tcp.keep-alive-idle", "999ms",
						WHOLE_SECONDS + ": TCP keepalive counts in seconds, so it " + "would silently become 0s",
						"30s"),
				invalid("tcp.keep-alive-idle", "1500ms", "would silently become 1s", "30s"),
				invalid("tcp.keep-alive-idle", "32768000ms",
						"must not be longer than 32767s, the most the Linux kernel accepts", "30s"),
				invalid("tcp.keep-alive-interval", "0ms", POSITIVE, "10s"),
				invalid("tcp.keep-alive-interval", "999ms", WHOLE_SECONDS, "10s"),
				invalid("tcp.keep-alive-interval", "32768000ms", "must not be longer than 32767s", "10s"),
				invalid("tcp.keep-alive-count", "0", "must be at least 1", "3"),
				invalid("tcp.keep-alive-count", "128", "must be at most 127, the most the Linux kernel accepts", "3"),
				invalid("tcp.user-timeout", "0ms", POSITIVE, "30s"),
				invalid("tcp.user-timeout", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "30s"),
				invalid("tcp.user-timeout", TOO_LONG, AT_MOST_LONGEST, "30s"),
				// Watchdog
				invalid("watchdog.interval", "0ms", POSITIVE, "20s"),
				invalid("watchdog.interval", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "20s"),
				invalid("watchdog.interval", TOO_LONG, AT_MOST_LONGEST, "20s"),
				setting("watchdog.interval", "999ms").blaming("watchdog.fast-interval", "1000ms",
						"must not be longer than 'redis.governor.watchdog.interval' (999ms)", "999ms"),
				invalid("watchdog.fast-interval", "0ms", POSITIVE, "1s"),
				invalid("watchdog.fast-interval", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "1s"),
				invalid("watchdog.fast-interval", TOO_LONG, AT_MOST_LONGEST, "1s"),
				invalid("watchdog.fast-interval", "20001ms",
						"must not be longer than 'redis.governor.watchdog.interval' (20000ms)", "1s"),
				setting("watchdog.fast-interval", "499ms").blaming("watchdog.timeout", "500ms",
						"must not be longer than 'redis.governor.watchdog.fast-interval' (499ms)", "499ms"),
				invalid("watchdog.timeout", "0ms", POSITIVE, "500ms"),
				invalid("watchdog.timeout", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "500ms"),
				invalid("watchdog.timeout", TOO_LONG, AT_MOST_LONGEST, "500ms"),
				invalid("watchdog.timeout", "1001ms",
						"must not be longer than 'redis.governor.watchdog.fast-interval' (1000ms)", "500ms"),
				invalid("watchdog.failure-threshold", "0", "must be at least 1", "3"),
				// Registry
				invalid("registry.key", "", "must not be empty", "{redis-governor}:instances"),
				invalid("registry.key", "redis-governor:instances", "must contain a hash tag",
						"{redis-governor}:instances"),
				invalid("registry.key", "{}:instances", "must contain a hash tag", "{redis-governor}:instances"),
				invalid("registry.fleet-heartbeat-rate", "0.0", "must be a positive number of heartbeats per second",
						"10"),
				invalid("registry.fleet-heartbeat-rate", "-1.0", "must be a positive number of heartbeats per second",
						"10"),
				invalid("registry.heartbeat-interval", "0ms", POSITIVE, "10s"),
				invalid("registry.heartbeat-interval", NOT_WHOLE_MILLIS,
						WHOLE_MILLIS + ": it is applied in " + "milliseconds, so it would silently become 0ms", "10s"),
				invalid("registry.heartbeat-interval", TOO_LONG, AT_MOST_LONGEST, "10s"),
				setting("registry.heartbeat-interval", "60000ms").blaming("registry.ttl", "60000ms",
						"must be longer than 'redis.governor.registry.heartbeat-interval' (60000ms)", "180s"),
				invalid("registry.ttl", "0ms", POSITIVE, "60s"),
				invalid("registry.ttl", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "60s"),
				invalid("registry.ttl", TOO_LONG, AT_MOST_LONGEST, "60s"),
				invalid("registry.ttl", "10000ms",
						"must be longer than 'redis.governor.registry.heartbeat-interval' (10000ms)", "60s"),
				// Server sampling
				invalid("server.sample-interval", "0ms", POSITIVE, "2s"),
				invalid("server.sample-interval", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "2s"),
				invalid("server.sample-interval", TOO_LONG, AT_MOST_LONGEST, "2s"),
				invalid("server.fast-sample-interval", "0ms", POSITIVE, "5s"),
				invalid("server.fast-sample-interval", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "5s"),
				invalid("server.fast-sample-interval", TOO_LONG, AT_MOST_LONGEST, "5s"),
				invalid("server.client-list-max-age", "0ms", POSITIVE, "5s"),
				invalid("server.client-list-max-age", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "5s"),
				invalid("server.client-list-max-age", TOO_LONG, AT_MOST_LONGEST, "5s"),
				invalid("server.client-list-interval", "0ms", POSITIVE, "60s"),
				invalid("server.client-list-interval", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "60s"),
				invalid("server.client-list-interval", TOO_LONG, AT_MOST_LONGEST, "60s"),
				// Budget
				invalid("budget.connections-per-instance", "0", "must be at least 1", "2"),
				invalid("budget.reserved-clients", "-1", "must be at least 0", "5"),
				invalid("budget.headroom", "0.0", RATIO, "0.8"),
				invalid("budget.headroom", "1.0000000000000002", RATIO, "0.8"),
				invalid("budget.headroom", "NaN", RATIO, "0.8"),
				invalid("budget.headroom", "most", "must be a decimal number such as 0.8", "0.8"),
				invalid("budget.saturation.warn", "0.0", RATIO, "0.8"),
				invalid("budget.saturation.warn", "1.0000000000000002", RATIO, "0.8"),
				setting("budget.saturation.warn", "0.96").blaming("budget.saturation.critical", "0.95",
						"must not be below 'redis.governor.budget.saturation.warn' (0.96)", "0.96"),
				invalid("budget.saturation.critical", "0.0", RATIO, "0.95"),
				invalid("budget.saturation.critical", "1.0000000000000002", RATIO, "0.95"),
				invalid("budget.saturation.critical", "0.7999999999999999",
						"must not be below 'redis.governor.budget.saturation.warn' (0.8)", "0.95"),
				invalid("budget.leak.window", "0ms", POSITIVE, "30s"),
				invalid("budget.leak.window", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "30s"),
				invalid("budget.leak.window", TOO_LONG, AT_MOST_LONGEST, "30s"),
				// Shutdown
				invalid("shutdown.drain-timeout", "0ms", POSITIVE, "10s"),
				invalid("shutdown.drain-timeout", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "10s"),
				invalid("shutdown.drain-timeout", TOO_LONG, AT_MOST_LONGEST, "10s"),
				invalid("shutdown.drain-timeout", "199ms",
						"must not be shorter than 'redis.governor.shutdown.quiet-period' (200ms)", "10s"),
				invalid("shutdown.quiet-period", "-1ns", "must not be negative", "200ms"),
				invalid("shutdown.quiet-period", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "200ms"),
				invalid("shutdown.quiet-period", TOO_LONG, AT_MOST_LONGEST, "200ms"),
				setting("shutdown.quiet-period", "10001ms").blaming("shutdown.drain-timeout", "10000ms",
						"must not be shorter than 'redis.governor.shutdown.quiet-period' (10001ms)", "10001ms"),
				// Cache
				invalid("cache.log-interval", "0ms", POSITIVE, "30s"),
				invalid("cache.log-interval", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "30s"),
				invalid("cache.log-interval", TOO_LONG, AT_MOST_LONGEST, "30s"),
				// Cluster
				invalid("cluster.refresh.period", "0ms", POSITIVE, "60s"),
				invalid("cluster.refresh.period", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "60s"),
				invalid("cluster.refresh.period", TOO_LONG, AT_MOST_LONGEST, "60s"),
				invalid("cluster.refresh.while-node-down", "0ms", POSITIVE, "1s"),
				invalid("cluster.refresh.while-node-down", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "1s"),
				invalid("cluster.refresh.while-node-down", TOO_LONG, AT_MOST_LONGEST, "1s"),
				invalid("cluster.refresh.adaptive-timeout", "0ms", POSITIVE, "5s"),
				invalid("cluster.refresh.adaptive-timeout", NOT_WHOLE_MILLIS, WHOLE_MILLIS, "5s"),
				invalid("cluster.refresh.adaptive-timeout", TOO_LONG, AT_MOST_LONGEST, "5s"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("validValues")
	void runWithValidValueShouldStartAndConfigureLettuce(Valid row) {
		this.contextRunner.withPropertyValues(row.properties()).run((context) -> {
			assertThat(context).hasNotFailed();
			// The customizer ran inside Lettuce's builders: Lettuce accepted the values.
			context.getBeanProvider(GovernedClientCustomizer.class)
				.ifAvailable((customizer) -> assertThat(customizer.isApplied()).isTrue());
		});
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidValues")
	void runWithInvalidValueShouldFailWithTheAnalyzerReport(Invalid row) {
		this.contextRunner.withPropertyValues(row.properties()).run((context) -> {
			assertThat(context).hasFailed();
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis).as("failure analysis of %s", context.getStartupFailure()).isNotNull();
			assertThat(analysis.getDescription())
				.startsWith("Redis Governor could not start: the value '" + row.shownValue() + "' of property '"
						+ PREFIX + row.blamed() + "' is invalid. It ")
				.contains(row.reason());
			assertThat(analysis.getAction()).contains(PREFIX + row.blamed() + "=" + row.example() + "\n");
		});
		// The example is a value that works, next to everything else the row set.
		this.contextRunner.withPropertyValues(row.properties())
			.withPropertyValues(PREFIX + row.blamed() + "=" + row.example())
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithSubMillisecondBootTimeoutShouldFailNamingBootProperty() {
		// Unset governor timeouts fall back to Boot's, which then reach Lettuce too.
		this.contextRunner.withPropertyValues("spring.data.redis.timeout=500us").run((context) -> {
			FailureAnalysis analysis = analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("'500us' of property 'spring.data.redis.timeout'")
				.contains("would silently become 0ms");
			assertThat(analysis.getAction()).contains("spring.data.redis.timeout=2s");
		});
		this.contextRunner.withPropertyValues("spring.data.redis.connect-timeout=0ms")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.contains("'0ms' of property 'spring.data.redis.connect-timeout'")
				.contains(POSITIVE));
	}

	@Test
	void runWithGovernorTimeoutsShouldNotCheckBootTimeoutsItReplaces() {
		this.contextRunner
			.withPropertyValues("spring.data.redis.timeout=500us", "redis.governor.command-timeout=2s",
					"spring.data.redis.connect-timeout=1500us", "redis.governor.connect-timeout=2s")
			.run((context) -> assertThat(context).hasNotFailed());
	}

	@Test
	void runWithUnconvertibleValueShouldSayWhereItWasSet() {
		// What Spring Boot's own report would have said; the governor's must not lose it.
		this.contextRunner.withPropertyValues("redis.governor.enabled=ture")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.endsWith(" Origin: \"redis.governor.enabled\" from property source \"test\"."));
	}

	@Test
	void runWithUnconvertibleBootPropertyShouldLeaveTheReportToSpringBoot() {
		this.contextRunner.withPropertyValues("spring.data.redis.port=six")
			.run((context) -> assertThat(analyze(context.getStartupFailure()).getDescription())
				.startsWith("Failed to bind properties under 'spring.data.redis.port'"));
	}

	@Test
	void tablesCoverEveryBoundProperty() throws Exception {
		Set<String> bound = boundProperties();
		assertThat(bound).contains(PREFIX + "enabled", PREFIX + "reconnect.min-delay",
				PREFIX + "budget.saturation.critical");
		assertThat(propertiesOf(validValues().map(Valid::property))).as("properties with a valid value")
			.isEqualTo(bound);
		assertThat(propertiesOf(invalidValues().map(Invalid::property))).as("properties with an invalid value")
			.isEqualTo(bound);
	}

	private static Set<String> propertiesOf(Stream<String> names) {
		return names.map((name) -> PREFIX + name).collect(Collectors.toCollection(TreeSet::new));
	}

	/**
	 * The {@code redis.governor.*} properties the configuration processor found on
	 * {@link RedisGovernorProperties}.
	 */
	private static Set<String> boundProperties() throws Exception {
		try (InputStream metadata = new ClassPathResource("META-INF/spring-configuration-metadata.json",
				RedisGovernorProperties.class.getClassLoader())
			.getInputStream()) {
			return ConfigurationMetadataRepositoryJsonBuilder.create(metadata)
				.build()
				.getAllProperties()
				.keySet()
				.stream()
				.filter((id) -> id.startsWith(PREFIX))
				.collect(Collectors.toCollection(TreeSet::new));
		}
	}

	/**
	 * Analyze a startup failure the way Spring Boot does: every registered analyzer, in
	 * order, and the first analysis wins.
	 */
	private static FailureAnalysis analyze(Throwable failure) {
		GenericApplicationContext context = new GenericApplicationContext();
		ArgumentResolver arguments = ArgumentResolver.of(BeanFactory.class, context.getBeanFactory())
			.and(Environment.class, context.getEnvironment());
		List<FailureAnalyzer> analyzers = SpringFactoriesLoader
			.forDefaultResourceLocation(PropertyChecksTests.class.getClassLoader())
			.load(FailureAnalyzer.class, arguments,
					FailureHandler.logging(LogFactory.getLog(PropertyChecksTests.class)));
		return analyzers.stream()
			.map((analyzer) -> analyzer.analyze(failure))
			.filter(Objects::nonNull)
			.findFirst()
			.orElse(null);
	}

	private static Valid valid(String property, String value, String... with) {
		return new Valid(property, value, List.of(with));
	}

	private static Invalid invalid(String property, String value, String reason, String example, String... with) {
		return new Invalid(property, value, List.of(with), property, value, reason, example);
	}

	private static Invalid setting(String property, String value) {
		return new Invalid(property, value, List.of(), property, value, "", "");
	}

	/**
	 * A value that must start.
	 */
	record Valid(String property, String value, List<String> with) {

		String[] properties() {
			return Stream.concat(Stream.of(property + "=" + value), with.stream())
				.map((assignment) -> PREFIX + assignment)
				.toArray(String[]::new);
		}

		@Override
		public String toString() {
			return PREFIX + property + "=" + value + (with.isEmpty() ? "" : " with " + with);
		}

	}

	/**
	 * A value that must stop startup. The report blames {@code blamed} (usually the
	 * property itself; for a cross-property rule, possibly the other one) with the value
	 * it shows, the reason and an example.
	 */
	record Invalid(String property, String value, List<String> with, String blamed, String shownValue, String reason,
			String example) {

		/**
		 * The same value, reported against another property of a cross-property rule.
		 */
		Invalid blaming(String blamed, String shownValue, String reason, String example) {
			return new Invalid(property, value, with, blamed, shownValue, reason, example);
		}

		String[] properties() {
			return new Valid(property, value, with).properties();
		}

		@Override
		public String toString() {
			return PREFIX + property + "=" + value + (with.isEmpty() ? "" : " with " + with);
		}

	}

}
