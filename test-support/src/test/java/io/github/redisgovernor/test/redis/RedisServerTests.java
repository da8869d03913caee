package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;

class RedisServerTests {

	@Test
	void startsARealServerAndStopsItOnClose() {
		RedisServer server = RedisServer.start();
		long pid;
		try {
			pid = server.pid();
			assertThat(server.command("PING")).isEqualTo("PONG");
			assertThat(server.source()).isEqualTo(expectedSource());
			assertThat(server.host()).isEqualTo("127.0.0.1");
			assertThat(server.uri()).isEqualTo("redis://127.0.0.1:" + server.port());
			assertThat(server.isRunning()).isTrue();
			assertThat(Await.alive(pid)).isTrue();
			Map<String, String> info = server.infoMap("server");
			assertThat(info).containsEntry("process_id", String.valueOf(pid))
				.containsEntry("tcp_port", String.valueOf(server.port()))
				.containsEntry("redis_version", server.version());
			assertThat(server.version()).matches("\\d+\\.\\d+\\.\\d+");
		}
		finally {
			server.close();
		}
		assertThat(Await.alive(pid)).isFalse();
		assertThat(server.isRunning()).isFalse();
		server.close(); // idempotent
		assertThatThrownBy(server::restart).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
		assertThatThrownBy(() -> server.command("PING")).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void pausedServerMakesAdminCallsTimeOutUntilResumed() {
		try (RedisServer server = RedisServer.builder().adminTimeout(Duration.ofSeconds(1)).start()) {
			server.pause();
			assertThat(server.isRunning()).isTrue();
			assertThatThrownBy(() -> server.command("PING")).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("did not answer PING")
				.hasMessageContaining("paused")
				.hasCauseInstanceOf(TimeoutException.class);
			// The kernel still accepts connections of a frozen server.
			assertThat(connects(server.port())).isTrue();

			server.resume();
			assertThat(server.command("PING")).isEqualTo("PONG");
		}
	}

	@Test
	void stopAndRestartKeepThePort() {
		try (RedisServer server = RedisServer.start()) {
			int port = server.port();
			long firstPid = server.pid();
			server.command("SET", "key", "value");

			server.stop();
			assertThat(server.isRunning()).isFalse();
			assertThat(Await.alive(firstPid)).isFalse();
			assertThat(connects(port)).isFalse();
			assertThatThrownBy(() -> server.command("PING")).isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("not running");

			server.restart();
			assertThat(server.port()).isEqualTo(port);
			assertThat(server.pid()).isNotEqualTo(firstPid);
			assertThat(server.isRunning()).isTrue();
			assertThat(server.command("PING")).isEqualTo("PONG");
			assertThat(server.command("GET", "key")).isNull(); // nothing is persisted
		}
	}

	@Test
	void killAndRestartKeepThePortAndConfig() {
		try (RedisServer server = RedisServer.builder().password("secret").config("maxclients", "77").start()) {
			int port = server.port();
			long firstPid = server.pid();

			server.kill();
			assertThat(Await.alive(firstPid)).isFalse();
			assertThat(server.isRunning()).isFalse();

			server.restart();
			assertThat(server.port()).isEqualTo(port);
			assertThat(server.configGet("maxclients")).isEqualTo("77");
			assertThat(server.configGet("requirepass")).isEqualTo("secret");
		}
	}

	@Test
	void restartOfARunningServerReplacesTheProcess() {
		try (RedisServer server = RedisServer.start()) {
			long firstPid = server.pid();
			server.restart();
			assertThat(Await.alive(firstPid)).isFalse();
			assertThat(server.pid()).isNotEqualTo(firstPid);
			assertThat(server.infoMap("server")).containsEntry("process_id", String.valueOf(server.pid()));
		}
	}

	@Test
	void stopAndCloseWorkOnAPausedServer() {
		RedisServer server = RedisServer.start();
		long pid = server.pid();
		server.pause();
		server.stop();
		assertThat(Await.alive(pid)).isFalse();
		server.restart();
		long secondPid = server.pid();
		server.pause();
		server.close();
		assertThat(Await.alive(secondPid)).isFalse();
	}

	@Test
	void passwordIsRequiredAndNotInTheUri() {
		try (RedisServer server = RedisServer.builder().password("s3cret-pw").start();
				RedisClient client = RedisClient.create(RedisURI.create(server.uri()))) {
			// Lettuce's connection handshake already runs a command, so the connect
			// itself fails.
			assertThatThrownBy(() -> {
				try (StatefulRedisConnection<String, String> connection = client.connect()) {
					connection.sync().ping();
				}
			}).isInstanceOf(RedisException.class).hasStackTraceContaining("NOAUTH");
			assertThat(server.uri()).isEqualTo("redis://127.0.0.1:" + server.port()).doesNotContain("s3cret-pw");
			assertThat(server.toString()).doesNotContain("s3cret-pw");
			assertThat(server.command("PING")).isEqualTo("PONG");
		}
	}

	@Test
	void configSetAndGetRoundTrip() {
		try (RedisServer server = RedisServer.builder().config("maxclients", "42").start()) {
			assertThat(server.configGet("maxclients")).isEqualTo("42");
			server.configSet("maxclients", "50");
			assertThat(server.configGet("maxclients")).isEqualTo("50");
			assertThat(server.configGet("no-such-parameter")).isNull();
			assertThatThrownBy(() -> server.configSet("maxclients", "not-a-number"))
				.isInstanceOf(RedisCommandExecutionException.class);
		}
	}

	@Test
	void clientListShowsOtherClientsButNoLingeringAdminConnections() {
		try (RedisServer server = RedisServer.start();
				RedisClient client = RedisClient.create(RedisURI.builder()
					.withHost(server.host())
					.withPort(server.port())
					.withClientName("test-client")
					.build());
				StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().ping();
			server.info("clients");
			server.configGet("maxclients");
			server.command("PING");

			List<Map<String, String>> clients = server.clientList();
			assertThat(clients).anySatisfy(entry -> {
				assertThat(entry).containsEntry("name", "test-client").containsKeys("id", "addr", "cmd");
				assertThat(entry.get("id")).matches("\\d+");
			});
			assertThat(adminConnections(clients)).singleElement()
				.satisfies(entry -> assertThat(entry).containsEntry("cmd", "client|list"));

			assertThat(adminConnections(server.clientList())).hasSize(1);
			assertThat(server.infoMap("clients")).containsEntry("connected_clients", "2");
		}
	}

	@Test
	void commandRendersRepliesAsText() {
		try (RedisServer server = RedisServer.start()) {
			assertThat(server.command("SET", "greeting", "hello world")).isEqualTo("OK");
			assertThat(server.command("GET", "greeting")).isEqualTo("hello world");
			assertThat(server.command("GET", "missing")).isNull();
			assertThat(server.command("INCR", "counter")).isEqualTo("1");
			assertThat(server.command("RPUSH", "list", "a", "b", "c")).isEqualTo("3");
			assertThat(server.command("LRANGE", "list", "0", "-1")).isEqualTo("a\nb\nc");
			assertThat(server.command("LRANGE", "missing", "0", "-1")).isEmpty();
			assertThat(server.command("MGET", "greeting", "missing")).isEqualTo("hello world\n(nil)");
			assertThat(server.command("SCAN", "0", "MATCH", "greeting")).isEqualTo("0\n[greeting]");
			assertThat(server.command("ACL", "SETUSER", "app", "on", ">pw", "~*", "+@all")).isEqualTo("OK");
			assertThat(server.command("ACL", "USERS")).isEqualTo("app\ndefault");
			assertThatThrownBy(() -> server.command("NO-SUCH-COMMAND"))
				.isInstanceOf(RedisCommandExecutionException.class)
				.hasMessageContaining("unknown command");
		}
	}

	@Test
	void flushAllEmptiesTheServer() {
		try (RedisServer server = RedisServer.start()) {
			server.command("SET", "a", "1");
			server.command("SET", "b", "2");
			assertThat(server.command("DBSIZE")).isEqualTo("2");
			server.flushAll();
			assertThat(server.command("DBSIZE")).isEqualTo("0");
		}
	}

	@Test
	void serversGetTheirOwnPortsAndAFixedPortIsHonoured() {
		try (RedisServer first = RedisServer.builder().name("first").start();
				RedisServer second = RedisServer.start()) {
			assertThat(second.port()).isNotEqualTo(first.port());
			first.command("SET", "owner", "first");
			assertThat(second.command("GET", "owner")).isNull();

			int port = first.port();
			first.close();
			try (RedisServer fixed = RedisServer.builder().port(port).start()) {
				assertThat(fixed.port()).isEqualTo(port);
				assertThat(fixed.infoMap("server")).containsEntry("tcp_port", String.valueOf(port));
			}
		}
	}

	@Test
	void aTakenFixedPortIsReported() {
		try (RedisServer first = RedisServer.start()) {
			assertThatThrownBy(() -> RedisServer.builder().port(first.port()).start())
				.isInstanceOf(IllegalStateException.class)
				.hasMessageContaining("port " + first.port() + " is in use");
			assertThat(first.command("PING")).isEqualTo("PONG");
		}
	}

	@Test
	void startupFailureReportsTheLogTail() {
		assertThatThrownBy(() -> RedisServer.builder().config("no-such-directive", "x").start())
			.isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("exited during startup")
			.hasMessageContaining("no-such-directive");
	}

	@Test
	void fixtureControlledDirectivesAreRejected() {
		assertThatThrownBy(() -> RedisServer.builder().config("port", "1234"))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> RedisServer.builder().config("--requirepass", "x"))
			.isInstanceOf(IllegalArgumentException.class);
	}

	private static List<Map<String, String>> adminConnections(List<Map<String, String>> clients) {
		return clients.stream().filter(entry -> RedisServer.ADMIN_CLIENT_NAME.equals(entry.get("name"))).toList();
	}

	private static boolean connects(int port) {
		try (Socket socket = new Socket("127.0.0.1", port)) {
			return socket.isConnected();
		}
		catch (ConnectException e) {
			return false;
		}
		catch (IOException e) {
			throw new AssertionError(e);
		}
	}

	/** The source this machine's setup should give, per the lookup order. */
	private static RedisServer.Source expectedSource() {
		String forced = System.getProperty(LauncherResolver.SOURCE_PROPERTY,
				System.getenv(LauncherResolver.SOURCE_ENV));
		if (forced != null && !forced.isBlank()) {
			return RedisServer.Source.valueOf(forced.trim().toUpperCase(Locale.ROOT));
		}
		String path = System.getenv("PATH");
		boolean onPath = System.getenv(LauncherResolver.BIN_ENV) != null
				|| path != null && Stream.of(path.split(File.pathSeparator))
					.filter(dir -> !dir.isBlank())
					.map(dir -> Path.of(dir, "redis-server"))
					.anyMatch(Files::isExecutable);
		return onPath ? RedisServer.Source.PATH : RedisServer.Source.EMBEDDED;
	}

}
