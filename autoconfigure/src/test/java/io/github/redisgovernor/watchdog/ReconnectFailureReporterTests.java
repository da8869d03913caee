package io.github.redisgovernor.watchdog;

import java.net.InetSocketAddress;

import io.github.redisgovernor.client.InstanceIdentity;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconnect log line names the server's reason and what to do about it. Pure
 * wording: the events are built here; {@code MaxClientsIntegrationTests} gets them from a
 * real full server.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReconnectFailureReporterTests {

	private final ReconnectFailureReporter reporter = new ReconnectFailureReporter(
			new LettuceConnectionFactory(new RedisStandaloneConfiguration("redis.internal", 6379)),
			new InstanceIdentity("orders", "i-1"));

	@Test
	void fullServerNamesMaxclientsAndWhoHoldsTheConnections(CapturedOutput output) {
		report(new RedisConnectionException("Unable to connect",
				new RedisCommandExecutionException("ERR max number of clients reached")), 3);
		assertThat(output).contains("Redis Governor [orders:i-1] could not reconnect to redis.internal:6379 "
				+ "(attempt 3): ERR max number of clients reached. The server is full")
			.contains("raise maxclients");
	}

	@Test
	void handshakeClosedByThePeerPointsAtMaxclientsAndProxies(CapturedOutput output) {
		report(new RedisConnectionException("Unable to connect",
				new RedisConnectionException("RedisHandshakeHandler not registered")), 4);
		assertThat(output).contains("(attempt 4): the server closed the connection during the handshake "
				+ "(RedisHandshakeHandler not registered). A full server closes new connections this way")
			.contains("INFO clients");
	}

	@Test
	void otherFailuresSayToCheckThatRedisIsReachable(CapturedOutput output) {
		report(new RedisConnectionException("Unable to connect", new java.net.ConnectException("Connection refused")),
				1);
		assertThat(output).contains("(attempt 1): Connection refused. Lettuce keeps retrying")
			.contains("up and reachable")
			.doesNotContain("maxclients");
	}

	private void report(Throwable cause, int attempt) {
		this.reporter.report(new ReconnectFailedEvent(new InetSocketAddress("127.0.0.1", 50000),
				new InetSocketAddress("127.0.0.1", 6379), cause, attempt));
	}

}
