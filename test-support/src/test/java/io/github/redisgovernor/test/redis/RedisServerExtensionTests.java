package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs sample test classes through the JUnit test kit and checks what they were given.
 */
class RedisServerExtensionTests {

	/** The servers the sample classes were given, in order. */
	static final List<RedisServer> seen = new CopyOnWriteArrayList<>();

	/** The servers the sample classes were given, by the names the tests know them by. */
	static final Map<String, List<RedisServer>> named = new ConcurrentHashMap<>();

	static void record(String name, RedisServer server) {
		named.computeIfAbsent(name, key -> new CopyOnWriteArrayList<>()).add(server);
	}

	/** The one server that the sample class was given under the name, however often. */
	static RedisServer named(String name) {
		List<RedisServer> servers = named.get(name);
		assertThat(servers).as("servers named " + name).isNotEmpty();
		assertThat(servers).allSatisfy(server -> assertThat(server).isSameAs(servers.get(0)));
		return servers.get(0);
	}

	@Test
	void methodsOfAClassAndItsNestedClassesShareOneServerThatIsClosedAfterTheClass() {
		RedisServer server = runAndCheck(MethodParameters.class, 3);
		assertThat(seen).hasSize(3);
		assertThat(server.isRunning()).isFalse();
		assertThat(Await.alive(server.pid())).isFalse();
	}

	@Test
	void constructorsAndLifecycleMethodsGetTheSameServer() {
		RedisServer server = runAndCheck(ConstructorAndBeforeAll.class, 2);
		// @BeforeAll, a constructor call per test, one test method
		assertThat(seen).hasSize(4);
		assertThat(server.isRunning()).isFalse();
	}

	@Test
	void serversAreToldApartByNameAndEachNameIsOneServerForTheClass() {
		run(NamedServers.class).assertStatistics(stats -> stats.started(2).succeeded(2));
		assertThat(named.get("a")).as("a constructor call and a parameter per test").hasSize(3);
		assertThat(named.get("b")).hasSize(2);
		RedisServer a = named("a");
		RedisServer b = named("b");
		RedisServer unnamed = named("unnamed");
		assertThat(List.of(a.port(), b.port(), unnamed.port())).doesNotHaveDuplicates();
		assertThat(a.toString()).contains("[a,");
		assertThat(b.toString()).contains("[b,");
		assertThat(unnamed.toString()).contains("[redis,");
		assertThat(List.of(a, b, unnamed)).allSatisfy(server -> assertThat(server.isRunning()).isFalse());
	}

	@Test
	void settingsConfigureTheServerAtStart() {
		run(ConfiguredServers.class).assertStatistics(stats -> stats.started(1).succeeded(1));
		assertThat(named("small").isRunning()).isFalse();
		assertThat(named("locked").isRunning()).isFalse();
	}

	@Test
	void oneNameWithTwoDifferentConfigsIsAnErrorThatNamesTheParameter() {
		Throwable failure = singleFailure(run(ConflictingConfig.class));
		assertThat(failure).isInstanceOf(ParameterResolutionException.class)
			.hasMessageContaining("Redis server 'x' of ConflictingConfig was started with config "
					+ "[maxclients, 20] and no password")
			.hasMessageContaining("parameter 'second' of conflict asks for config [maxclients, 30] and no password")
			.hasMessageContaining("or use another name");
		assertThat(named("x").isRunning()).as("the server that was started is closed").isFalse();
	}

	@Test
	void oneNameWithTwoDifferentPasswordsIsAnErrorThatShowsNeither() {
		Throwable failure = singleFailure(run(ConflictingPassword.class));
		assertThat(failure).isInstanceOf(ParameterResolutionException.class)
			.hasMessageContaining("was started with config [] and a password")
			.hasMessageContaining("asks for another password")
			.message()
			.doesNotContain("first-secret")
			.doesNotContain("second-secret");
	}

	@Test
	void configWithoutAValueForEveryNameIsRejected() {
		Throwable failure = singleFailure(run(OddConfig.class));
		assertThat(failure).isInstanceOf(ParameterResolutionException.class)
			.hasMessageContaining("config must hold name and value pairs")
			.hasMessageContaining("[maxclients, 20, appendonly]");
	}

	@Test
	void directivesThatTheFixtureSetsAreRejected() {
		Throwable failure = singleFailure(run(ReservedConfig.class));
		assertThat(failure).isInstanceOf(ParameterResolutionException.class)
			.hasMessageContaining("'port' is set by the fixture");
	}

	private static Events run(Class<?> testClass) {
		named.clear();
		return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute().testEvents();
	}

	private static Throwable singleFailure(Events events) {
		events.assertStatistics(stats -> stats.started(1).failed(1));
		return events.failed()
			.stream()
			.map(event -> event.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
			.findFirst()
			.orElseThrow();
	}

	private static RedisServer runAndCheck(Class<?> testClass, int tests) {
		seen.clear();
		EngineTestKit.engine("junit-jupiter")
			.selectors(selectClass(testClass))
			.execute()
			.testEvents()
			.assertStatistics(stats -> stats.started(tests).succeeded(tests));
		RedisServer server = seen.get(0);
		assertThat(seen).allSatisfy(each -> assertThat(each).isSameAs(server));
		return server;
	}

	@ExtendWith(RedisServerExtension.class)
	static class MethodParameters {

		@Test
		void first(RedisServer server) {
			seen.add(server);
			assertThat(server.command("PING")).isEqualTo("PONG");
		}

		@Test
		void second(RedisServer server) {
			seen.add(server);
			assertThat(server.isRunning()).isTrue();
		}

		@Nested
		class Inner {

			@Test
			void sharesTheOuterServer(RedisServer server) {
				seen.add(server);
				assertThat(server.command("PING")).isEqualTo("PONG");
			}

		}

	}

	@ExtendWith(RedisServerExtension.class)
	static class ConstructorAndBeforeAll {

		@BeforeAll
		static void beforeAll(RedisServer server) {
			seen.add(server);
		}

		ConstructorAndBeforeAll(RedisServer server) {
			seen.add(server);
		}

		@Test
		void first(RedisServer server) {
			seen.add(server);
		}

		@Test
		void second() {
			assertThat(seen).isNotEmpty();
		}

	}

	@ExtendWith(RedisServerExtension.class)
	static class NamedServers {

		NamedServers(@RedisServerSettings(name = "a") RedisServer a) {
			record("a", a);
		}

		@Test
		void severalServers(@RedisServerSettings(name = "b") RedisServer b, RedisServer unnamed) {
			record("b", b);
			record("unnamed", unnamed);
			b.command("SET", "owner", "b");
			assertThat(unnamed.command("GET", "owner")).isNull();
		}

		@Test
		void sameNamesSameServers(@RedisServerSettings(name = "a") RedisServer a,
				@RedisServerSettings(name = "b") RedisServer b, RedisServer unnamed) {
			record("a", a);
			record("b", b);
			record("unnamed", unnamed);
		}

	}

	@ExtendWith(RedisServerExtension.class)
	static class ConfiguredServers {

		@Test
		void configured(
				@RedisServerSettings(name = "small",
						config = { "maxclients", "20", "maxmemory", "10mb" }) RedisServer small,
				@RedisServerSettings(name = "locked", password = "fixture-secret") RedisServer locked) {
			record("small", small);
			record("locked", locked);
			assertThat(small.configGet("maxclients")).isEqualTo("20");
			assertThat(small.configGet("maxmemory")).isEqualTo(String.valueOf(10 * 1024 * 1024));
			assertThat(locked.configGet("maxclients")).isNotEqualTo("20");
			assertThat(RespPing.answers(locked.host(), locked.port(), null, 1000)).as("without AUTH").isFalse();
			assertThat(RespPing.answers(locked.host(), locked.port(), "fixture-secret", 1000)).isTrue();
		}

	}

	@ExtendWith(RedisServerExtension.class)
	static class ConflictingConfig {

		ConflictingConfig(@RedisServerSettings(name = "x", config = { "maxclients", "20" }) RedisServer first) {
			record("x", first);
		}

		@Test
		void conflict(@RedisServerSettings(name = "x", config = { "maxclients", "30" }) RedisServer second) {
		}

	}

	@ExtendWith(RedisServerExtension.class)
	static class ConflictingPassword {

		@Test
		void conflict(@RedisServerSettings(password = "first-secret") RedisServer first,
				@RedisServerSettings(password = "second-secret") RedisServer second) {
		}

	}

	@ExtendWith(RedisServerExtension.class)
	static class OddConfig {

		@Test
		void odd(@RedisServerSettings(config = { "maxclients", "20", "appendonly" }) RedisServer redis) {
		}

	}

	@ExtendWith(RedisServerExtension.class)
	static class ReservedConfig {

		@Test
		void reserved(@RedisServerSettings(config = { "port", "6379" }) RedisServer redis) {
		}

	}

}
