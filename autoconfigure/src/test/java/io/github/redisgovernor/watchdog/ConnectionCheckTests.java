package io.github.redisgovernor.watchdog;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.github.redisgovernor.connection.ConnectionActivity.Activity;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The watchdog's rule as pure logic, on a simulated clock: which ticks send a
 * {@code PING} and which replace the connection.
 */
class ConnectionCheckTests {

	private static final long MS = 1_000_000;

	// Interval 20 s, ticks every second, PING timeout 500 ms, command timeout 10 s, 3
	// failures.
	private final WatchdogSettings settings = WatchdogSettings.of(Duration.ofSeconds(20), Duration.ofSeconds(1),
			Duration.ofMillis(500), Duration.ofSeconds(10), 3);

	private final ConnectionCheck check = new ConnectionCheck(this.settings, 0);

	@Test
	void idleConnectionThatKeepsAnsweringIsNeverPinged() {
		for (long second = 1; second <= 120; second++) {
			// A heartbeat reply every 20 s.
			Activity activity = new Activity(second / 20, second / 20, 0, true);
			assertThat(this.check.tick(second * 1000 * MS, true, activity)).isEqualTo(ConnectionCheck.Action.NOTHING);
		}
	}

	@Test
	void idleConnectionWithoutRepliesGetsAPingAfterTheInterval() {
		Activity quiet = new Activity(1, 1, 0, true);
		// The first look is the last sign of life: 20 s and half a tick from there.
		assertThat(this.check.tick(1000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(21_000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(22_000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.PING);
	}

	@Test
	void idleConnectionOfALargeFleetWaitsForTheLongerIdleInterval() {
		// A heartbeat every 50 s (1,000 instances): the idle PING waits 75 s.
		this.check.idleInterval(75_000 * MS);
		Activity quiet = new Activity(1, 1, 0, true);
		assertThat(this.check.tick(1000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(22_000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(76_000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(77_000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.PING);
	}

	@Test
	void idleIntervalNeverFallsBelowTheConfiguredOne() {
		this.check.idleInterval(5_000 * MS);
		Activity quiet = new Activity(1, 1, 0, true);
		assertThat(this.check.tick(1000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(21_000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(22_000 * MS, true, quiet)).isEqualTo(ConnectionCheck.Action.PING);
	}

	@Test
	void aStallIsCheckedAtOnceWhateverTheIdleInterval() {
		this.check.idleInterval(75_000 * MS);
		assertThat(this.check.tick(1000 * MS, true, new Activity(5, 5, 1, true)))
			.isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(2000 * MS, true, new Activity(5, 5, 1, true)))
			.isEqualTo(ConnectionCheck.Action.PING);
	}

	@Test
	void commandsWaitingWithoutAnyReadForATickBringAPing() {
		assertThat(this.check.tick(1000 * MS, true, new Activity(5, 5, 1, true)))
			.isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(2000 * MS, true, new Activity(5, 5, 1, true)))
			.isEqualTo(ConnectionCheck.Action.PING);
	}

	@Test
	void commandWrittenJustBeforeATickIsNotAStall() {
		this.check.tick(0, true, new Activity(5, 5, 0, true));
		// The heartbeat was written a moment ago; its reply has not arrived yet.
		assertThat(this.check.tick(1000 * MS, true, new Activity(6, 5, 1, true)))
			.isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.tick(2000 * MS, true, new Activity(6, 6, 0, true)))
			.isEqualTo(ConnectionCheck.Action.NOTHING);
	}

	@Test
	void slowCommandWithinTheCommandTimeoutIsNeverReplaced() {
		Activity stalled = new Activity(5, 5, 1, true);
		this.check.tick(0, true, stalled);
		CompletableFuture<String> ping = new CompletableFuture<>();
		assertThat(this.check.tick(1000 * MS, true, stalled)).isEqualTo(ConnectionCheck.Action.PING);
		this.check.sent(1000 * MS, ping, stalled);
		// Nothing arrives for 9 s: a script still running within the 10 s command
		// timeout.
		for (long second = 2; second <= 9; second++) {
			assertThat(this.check.tick(second * 1000 * MS, true, stalled)).isEqualTo(ConnectionCheck.Action.NOTHING);
		}
		// The script replies, then the PING.
		assertThat(this.check.tick(10_000 * MS, true, new Activity(5, 6, 1, true)))
			.isEqualTo(ConnectionCheck.Action.NOTHING);
		ping.complete("PONG");
		assertThat(this.check.tick(11_000 * MS, true, new Activity(5, 7, 0, true)))
			.isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.failures()).isZero();
	}

	@Test
	void silentConnectionIsReplacedAfterTheCommandTimeoutAndThreeFailedChecks() {
		Activity stalled = new Activity(5, 5, 1, true);
		this.check.tick(0, true, stalled);
		assertThat(this.check.tick(1000 * MS, true, stalled)).isEqualTo(ConnectionCheck.Action.PING);
		this.check.sent(1000 * MS, new CompletableFuture<>(), stalled);
		ConnectionCheck.Action action = ConnectionCheck.Action.NOTHING;
		long second = 2;
		while (action != ConnectionCheck.Action.REPLACE && second < 60) {
			action = this.check.tick(second * 1000 * MS, true, stalled);
			second++;
		}
		// Three failed checks by 4 s, but nothing replaced before 10 s of silence.
		assertThat(action).isEqualTo(ConnectionCheck.Action.REPLACE);
		assertThat(second - 1).isEqualTo(10);
		assertThat(this.check.silentMillisAtReplace()).isEqualTo(10_000);
	}

	@Test
	void pingRejectedLocallyIsNotAFailedCheck() {
		Activity waiting = new Activity(5, 5, 1, true);
		CompletableFuture<String> rejected = CompletableFuture
			.failedFuture(new RedisException("Request queue size exceeded: 4. Commands are not accepted"));
		this.check.tick(0, true, waiting);
		// The server keeps answering the queued commands.
		for (long second = 1; second <= 30; second++) {
			Activity answering = new Activity(5 + second, 5 + second, 4, true);
			ConnectionCheck.Action action = this.check.tick(second * 1000 * MS, true, answering);
			if (action == ConnectionCheck.Action.PING) {
				action = this.check.sent(second * 1000 * MS, rejected, answering);
			}
			assertThat(action).isNotEqualTo(ConnectionCheck.Action.REPLACE);
		}
		assertThat(this.check.failures()).isZero();
	}

	@Test
	void errorReplyIsProofOfLife() {
		Activity waiting = new Activity(5, 5, 1, true);
		this.check.tick(0, true, waiting);
		this.check.tick(1000 * MS, true, waiting);
		CompletableFuture<String> busy = CompletableFuture
			.failedFuture(new RedisCommandExecutionException("BUSY Redis is busy running a script"));
		assertThat(this.check.sent(1000 * MS, busy, waiting)).isEqualTo(ConnectionCheck.Action.NOTHING);
		assertThat(this.check.failures()).isZero();
	}

	@Test
	void reconnectingConnectionIsLeftToLettuce() {
		Activity stalled = new Activity(5, 5, 1, true);
		this.check.tick(0, true, stalled);
		this.check.tick(1000 * MS, true, stalled);
		this.check.sent(1000 * MS, new CompletableFuture<>(), stalled);
		for (long second = 2; second <= 60; second++) {
			assertThat(this.check.tick(second * 1000 * MS, false, stalled)).isEqualTo(ConnectionCheck.Action.NOTHING);
		}
	}

	@Test
	void unknownActivityCountsSilenceFromThePing() {
		Activity unknown = Activity.UNKNOWN;
		this.check.tick(0, true, unknown);
		assertThat(this.check.tick(21_000 * MS, true, unknown)).isEqualTo(ConnectionCheck.Action.PING);
		this.check.sent(21_000 * MS, new CompletableFuture<>(), unknown);
		for (long second = 22; second <= 30; second++) {
			assertThat(this.check.tick(second * 1000 * MS, true, unknown)).isEqualTo(ConnectionCheck.Action.NOTHING);
		}
	}

}
