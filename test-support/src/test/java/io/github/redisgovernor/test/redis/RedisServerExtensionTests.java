package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Runs sample test classes through the JUnit test kit and checks what they were given.
 */
class RedisServerExtensionTests {

	/** The servers the sample classes were given, in order. */
	static final List<RedisServer> seen = new CopyOnWriteArrayList<>();

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

}
