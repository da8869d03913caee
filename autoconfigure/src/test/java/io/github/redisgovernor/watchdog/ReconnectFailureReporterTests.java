package io.github.redisgovernor.watchdog;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.SimulatedClock;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import io.lettuce.core.event.connection.ReconnectFailedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The reconnect log names the server's reason and what to do about it, once per outage: a
 * first WARN, at most one summary a minute, and a line when it ends. The events are built
 * here and the clock is simulated; {@code MaxClientsIntegrationTests} and
 * {@code ReconnectOutageLogIntegrationTests} get them from a real server.
 */
@ExtendWith(OutputCaptureExtension.class)
class ReconnectFailureReporterTests {

	private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 6379);

	private final SimulatedClock clock = new SimulatedClock();

	private final ReconnectFailureReporter reporter = new ReconnectFailureReporter(
			new LettuceConnectionFactory(new RedisStandaloneConfiguration("redis.internal", 6379)),
			new InstanceIdentity("orders", "i-1"), this.clock);

	@Test
	void fullServerNamesMaxclientsAndWhoHoldsTheConnections(CapturedOutput output) {
		report(new RedisConnectionException("Unable to connect",
				new RedisCommandExecutionException("ERR max number of clients reached")), 3);
		assertThat(output)
			.contains("Redis Governor [orders:i-1] could not reconnect to redis.internal:6379 "
					+ "(attempt 3): ERR max number of clients reached. The server is full")
			.contains("raise maxclients");
	}

	@Test
	void handshakeClosedByThePeerPointsAtMaxclientsAndProxies(CapturedOutput output) {
		report(new RedisConnectionException("Unable to connect",
				new RedisConnectionException("RedisHandshakeHandler not registered")), 4);
		assertThat(output)
			.contains("(attempt 4): the server closed the connection during the handshake "
					+ "(RedisHandshakeHandler not registered). A full server closes new connections this way")
			.contains("INFO clients");
	}

	@Test
	void otherFailuresSayToCheckThatRedisIsReachable(CapturedOutput output) {
		report(refused(), 1);
		assertThat(output).contains("(attempt 1): Connection refused. Lettuce keeps retrying")
			.contains("up and reachable")
			.contains("Until it works again, a summary is logged at most once a minute.")
			.doesNotContain("maxclients");
	}

	@Test
	void fiveHundredFailedAttemptsInAnHourLogAtMostOneLineAMinute(CapturedOutput output) {
		for (int attempt = 1; attempt <= 500; attempt++) {
			report(refused(), attempt);
			this.clock.advance(Duration.ofMillis(7200));
		}
		this.reporter.activated(connectedTo(SERVER));

		List<String> lines = governorLines(output);
		assertThat(lines).hasSizeLessThanOrEqualTo(1 + 60 + 1);
		assertThat(lines.get(0))
			.contains("could not reconnect to redis.internal:6379 (attempt 1): Connection refused.");
		assertThat(lines.get(1)).contains("Redis Governor [orders:i-1] connection to redis.internal:6379 still failing "
				+ "after 1min 4s: 10 attempts failed so far, the last with: Connection refused.");
		assertThat(lines.subList(1, lines.size() - 1)).isNotEmpty()
			.allSatisfy((line) -> assertThat(line).contains("still failing after"));
		assertThat(lines.get(lines.size() - 1)).contains(
				"Redis Governor [orders:i-1] connection to redis.internal:6379 works again after 500 failed attempts "
						+ "over 1h 0min.");
	}

	@Test
	void summaryNamesTheLastReason(CapturedOutput output) {
		report(refused(), 1);
		this.clock.advance(Duration.ofSeconds(61));
		report(new RedisConnectionException("Unable to connect",
				new RedisCommandExecutionException("ERR max number of clients reached")), 2);
		assertThat(governorLines(output)).hasSize(2);
		assertThat(output).contains("still failing after 1min 1s: 2 attempts failed so far, the last with: "
				+ "ERR max number of clients reached.");
	}

	@Test
	void aNewOutageAfterTheEndOpensWithItsOwnWarning(CapturedOutput output) {
		report(refused(), 1);
		report(refused(), 2);
		this.clock.advance(Duration.ofMillis(1500));
		this.reporter.activated(connectedTo(SERVER));
		this.reporter.activated(connectedTo(SERVER));
		report(refused(), 1);
		List<String> lines = governorLines(output);
		assertThat(lines).hasSize(3);
		assertThat(lines.get(1)).contains("works again after 2 failed attempts over 1500ms.");
		assertThat(lines.get(2)).contains("(attempt 1): Connection refused.");
	}

	@Test
	void aConnectionToAnotherAddressDoesNotEndTheOutage(CapturedOutput output) throws UnknownHostException {
		report(refused(), 1);
		// Sentinel: each reconnect first asks a sentinel where the master is.
		this.reporter.activated(connectedTo(new InetSocketAddress("127.0.0.1", 26379)));
		report(refused(), 2);
		assertThat(governorLines(output)).hasSize(1);
		// The server, named with its host name this time.
		this.reporter.activated(connectedTo(
				new InetSocketAddress(InetAddress.getByAddress("redis.internal", new byte[] { 127, 0, 0, 1 }), 6379)));
		assertThat(governorLines(output)).hasSize(2).last().asString().contains("works again after 2 failed attempts");
	}

	@Test
	void aConnectionAnywhereAfterAQuietMinuteEndsTheOutage(CapturedOutput output) {
		report(refused(), 1);
		this.clock.advance(Duration.ofSeconds(30));
		this.reporter.activated(connectedTo(new InetSocketAddress("10.0.0.9", 6379)));
		assertThat(governorLines(output)).hasSize(1);
		// A failover to a new address: that reconnect succeeded, and no attempt failed
		// since.
		this.clock.advance(ReconnectFailureReporter.QUIET);
		this.reporter.activated(connectedTo(new InetSocketAddress("10.0.0.9", 6379)));
		assertThat(governorLines(output)).hasSize(2)
			.last()
			.asString()
			.contains("works again after 1 failed attempt over 1min 30s.");
	}

	@Test
	void connectionsWithoutAnOutageLogNothing(CapturedOutput output) {
		this.reporter.activated(connectedTo(SERVER));
		assertThat(governorLines(output)).isEmpty();
	}

	/**
	 * The reporter's log records at INFO and above, without the DEBUG lines that each
	 * attempt inside an outage may add.
	 */
	private static List<String> governorLines(CapturedOutput output) {
		return output.getAll()
			.lines()
			.filter((line) -> line.contains("Redis Governor [orders:i-1]"))
			.filter((line) -> line.contains(" WARN ") || line.contains(" INFO "))
			.toList();
	}

	private static RedisConnectionException refused() {
		return new RedisConnectionException("Unable to connect", new ConnectException("Connection refused"));
	}

	private void report(Throwable cause, int attempt) {
		this.reporter
			.report(new ReconnectFailedEvent(new InetSocketAddress("127.0.0.1", 50000), SERVER, cause, attempt));
	}

	private static ConnectionActivatedEvent connectedTo(InetSocketAddress remote) {
		return new ConnectionActivatedEvent(new InetSocketAddress("127.0.0.1", 50001), remote);
	}

}
