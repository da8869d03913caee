package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.protocol.ProtocolVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TcpProxyTests {

	private RedisServer server;

	private TcpProxy proxy;

	private RedisClient client;

	@BeforeEach
	void start() {
		server = RedisServer.builder().name("proxied").start();
		proxy = TcpProxy.start(server.port());
		client = RedisClient.create(RedisURI.builder()
			.withHost("127.0.0.1")
			.withPort(proxy.port())
			.withTimeout(Duration.ofMillis(500))
			.build());
		client.setOptions(ClientOptions.builder().autoReconnect(false).protocolVersion(ProtocolVersion.RESP2).build());
	}

	@AfterEach
	void stop() {
		client.shutdown();
		proxy.close();
		server.close();
	}

	@Test
	void relaysTrafficToTheTarget() {
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			assertThat(connection.sync().set("via", "proxy")).isEqualTo("OK");
			assertThat(server.command("GET", "via")).isEqualTo("proxy");
			assertThat(connection.sync().info("server")).contains("run_id:" + server.infoMap("server").get("run_id"));
			assertThat(proxy.port()).isNotEqualTo(server.port());
			assertThat(proxy.activeConnections()).isEqualTo(1);
		}
		Await.until("the closed connection is released", () -> proxy.activeConnections() == 0);
	}

	@Test
	void silenceSwallowsTrafficButKeepsConnectionsOpen() {
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			assertThat(connection.sync().ping()).isEqualTo("PONG");

			proxy.silence();
			assertThatThrownBy(() -> connection.sync().set("lost", "write"))
				.isInstanceOf(RedisCommandTimeoutException.class);
			assertThat(connection.isOpen()).isTrue();
			assertThat(proxy.activeConnections()).isEqualTo(1);
			assertThat(server.command("EXISTS", "lost")).isEqualTo("0");

			proxy.unsilence();
			try (StatefulRedisConnection<String, String> fresh = client.connect()) {
				assertThat(fresh.sync().ping()).isEqualTo("PONG");
				assertThat(proxy.activeConnections()).isEqualTo(2);
			}
		}
	}

	@Test
	void silenceOpenConnectionsSwallowsOnlyTheConnectionsOpenNow() {
		try (StatefulRedisConnection<String, String> old = client.connect()) {
			assertThat(old.sync().ping()).isEqualTo("PONG");

			proxy.silenceOpenConnections();
			assertThatThrownBy(() -> old.sync().ping()).isInstanceOf(RedisCommandTimeoutException.class);
			assertThat(old.isOpen()).isTrue();
			try (StatefulRedisConnection<String, String> fresh = client.connect()) {
				assertThat(fresh.sync().ping()).isEqualTo("PONG");
			}
			Await.until("the fresh connection is released", () -> proxy.activeConnections() == 1);
			assertThat(old.isOpen()).isTrue();
		}
	}

	@Test
	void retargetMovesOnlyNewConnections() {
		try (RedisServer second = RedisServer.builder().name("second").start()) {
			server.command("SET", "who", "first");
			second.command("SET", "who", "second");
			try (StatefulRedisConnection<String, String> before = client.connect()) {
				assertThat(before.sync().get("who")).isEqualTo("first");

				proxy.retarget(second.port());

				assertThat(before.sync().get("who")).isEqualTo("first");
				try (StatefulRedisConnection<String, String> after = client.connect()) {
					assertThat(after.sync().get("who")).isEqualTo("second");
					assertThat(after.sync().info("server"))
						.contains("run_id:" + second.infoMap("server").get("run_id"));
				}
			}
		}
	}

	@Test
	void silentFailoverSilencesOpenConnectionsAndMovesNewOnes() {
		try (RedisServer standby = RedisServer.builder().name("standby").start()) {
			server.command("SET", "who", "old");
			standby.command("SET", "who", "standby");
			try (StatefulRedisConnection<String, String> old = client.connect()) {
				assertThat(old.sync().get("who")).isEqualTo("old");

				proxy.silentFailover(standby.port());

				assertThat(proxy.targetPort()).isEqualTo(standby.port());
				assertThatThrownBy(() -> old.sync().get("who")).isInstanceOf(RedisCommandTimeoutException.class);
				assertThat(old.isOpen()).isTrue();
				try (StatefulRedisConnection<String, String> fresh = client.connect()) {
					assertThat(fresh.sync().get("who")).isEqualTo("standby");
				}
				assertThat(old.isOpen()).isTrue();
			}
		}
	}

	@Test
	void dropConnectionsClosesBothSides() {
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			connection.sync().clientSetname("doomed");
			assertThat(server.clientList()).anySatisfy(entry -> assertThat(entry).containsEntry("name", "doomed"));

			proxy.dropConnections();

			Await.until("the client sees the connection closed", () -> !connection.isOpen());
			assertThat(proxy.activeConnections()).isZero();
			assertThatThrownBy(() -> connection.sync().ping()).isInstanceOf(RedisException.class);
			Await.until("the server drops the upstream connection",
					() -> server.clientList().stream().noneMatch(entry -> "doomed".equals(entry.get("name"))));
		}
		try (StatefulRedisConnection<String, String> fresh = client.connect()) {
			assertThat(fresh.sync().ping()).isEqualTo("PONG");
		}
	}

	@Test
	void closedProxyRefusesConnections() {
		int port = proxy.port();
		proxy.close();
		proxy.close(); // idempotent
		assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
	}

	@Test
	void unreachableTargetClosesTheClientConnection() throws IOException {
		int port = server.port();
		server.stop();
		try (Socket socket = new Socket("127.0.0.1", proxy.port())) {
			socket.setSoTimeout(5000);
			assertThat(socket.getInputStream().read()).isEqualTo(-1);
		}
		assertThat(proxy.activeConnections()).isZero();
		server.restart();
		assertThat(server.port()).isEqualTo(port);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			assertThat(connection.sync().ping()).isEqualTo("PONG");
		}
	}

}
