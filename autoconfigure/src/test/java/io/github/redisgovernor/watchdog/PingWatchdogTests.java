package io.github.redisgovernor.watchdog;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.TcpProxy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link PingWatchdog} against a real {@code redis-server}, on a plain
 * {@link LettuceConnectionFactory} with a {@link CommandListener} that counts the PINGs
 * the watchdog starts.
 */
@ExtendWith(OutputCaptureExtension.class)
class PingWatchdogTests {

	private static final InstanceIdentity IDENTITY = new InstanceIdentity("orders", "i-1");

	private static RedisServer redis;

	private final AtomicInteger pingsStarted = new AtomicInteger();

	private LettuceConnectionFactory factory;

	private PingWatchdog watchdog;

	private TcpProxy proxy;

	private Duration commandTimeout = Duration.ofSeconds(10);

	@BeforeAll
	static void startRedis() {
		redis = RedisServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@AfterEach
	void stop() {
		if (this.watchdog != null) {
			this.watchdog.stop();
		}
		if (this.factory != null) {
			this.factory.destroy();
		}
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	@Test
	void idleHealthyConnectionGetsOnePingPerInterval() {
		startWatchdog(redis.port(), Duration.ofMillis(200), Duration.ofMillis(100), 3);
		sleep(Duration.ofSeconds(3));
		int pings = this.pingsStarted.get();
		System.out.printf("idle watchdog: %d PINGs in 3000 ms at interval 200 ms%n", pings);
		// Fixed delay between checks: never more than one check per interval.
		assertThat(pings).isBetween(1, 3000 / 200 + 1);
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void idleHealthyConnectionGetsOnePingPerIdleIntervalNotPerFastInterval() {
		startWatchdog(redis.port(), Duration.ofMillis(400), Duration.ofMillis(100), Duration.ofMillis(50), 3, true);
		sleep(Duration.ofSeconds(3));
		int pings = this.pingsStarted.get();
		System.out.printf("idle watchdog: %d PINGs in 3000 ms at interval 400 ms, fast interval 100 ms%n", pings);
		// The first check comes at the first tick (a new watchdog checks fast until a PING
		// succeeds), then one per idle interval: far fewer than one per fast interval (30).
		assertThat(pings).isBetween(1, 3000 / 400 + 2);
		assertThat(this.watchdog.getPings()).isEqualTo(pings);
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void busyConnectionIsNotPinged() {
		startWatchdog(redis.port(), Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(50), 3, true);
		long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
		int commands = 0;
		while (System.nanoTime() < end) {
			try (RedisConnection connection = this.factory.getConnection()) {
				connection.stringCommands().get("busy".getBytes());
			}
			commands++;
			sleep(Duration.ofMillis(20));
		}
		int pings = this.pingsStarted.get();
		System.out.printf("busy connection: %d watchdog PINGs, %d checks skipped, %d application commands in "
				+ "3000 ms (interval 300 ms)%n", pings, this.watchdog.getSkippedChecks(), commands);
		// The first check has nothing to compare with and PINGs; later ones see the replies.
		assertThat(this.watchdog.getSkippedChecks()).isGreaterThan(0);
		assertThat(pings).isLessThan(3000 / 300);
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void timedOutApplicationCommandSwitchesToFastChecks() {
		this.proxy = TcpProxy.start(redis.port());
		// An idle interval far longer than the guards below: only fast checks can recover.
		this.commandTimeout = Duration.ofSeconds(1);
		startWatchdog(this.proxy.port(), Duration.ofMinutes(5), Duration.ofMillis(200), Duration.ofMillis(100), 3,
				true);
		// The idle interval has not passed: no check yet, the application opens the connection.
		try (RedisConnection connection = this.factory.getConnection()) {
			assertThat(connection.stringCommands().get("silenced".getBytes())).isNull();
		}
		long silencedAt = System.nanoTime();
		this.proxy.silenceOpenConnections();
		// The application's command times out (command timeout 1 s): the watchdog hears of it.
		try (RedisConnection connection = this.factory.getConnection()) {
			connection.stringCommands().get("silenced".getBytes());
		}
		catch (RuntimeException expected) {
			System.out.printf("application command failed after %d ms: %s%n",
					(System.nanoTime() - silencedAt) / 1_000_000, expected.getClass().getSimpleName());
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> this.watchdog.getRecoveries() == 1);
		System.out.printf("timed-out command: connection replaced %d ms after the silence "
				+ "(idle interval 5 min, fast interval 200 ms, timeout 100 ms, threshold 3)%n",
				(System.nanoTime() - silencedAt) / 1_000_000);
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
			try (RedisConnection connection = this.factory.getConnection()) {
				return "PONG".equals(connection.ping());
			}
		});
	}

	@Test
	void pausedServerBehindIdleConnectionIsDetectedAtDefaultSettings() {
		RedisGovernorProperties.Watchdog defaults = new RedisGovernorProperties().getWatchdog();
		this.proxy = TcpProxy.start(redis.port());
		startWatchdog(this.proxy.port(), defaults.getInterval(), defaults.getFastInterval(), defaults.getTimeout(),
				defaults.getFailureThreshold(), true);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.watchdog.getPings() > 0);
		// Idle and healthy: the next check is an idle interval away.
		long silencedAt = System.nanoTime();
		this.proxy.silenceOpenConnections();
		await().atMost(Duration.ofSeconds(30)).until(() -> this.watchdog.getRecoveries() == 1);
		System.out.printf("idle connection, defaults (interval %d ms, fast interval %d ms, timeout %d ms, "
				+ "threshold %d): silent peer replaced %d ms after it went silent%n", defaults.getInterval().toMillis(),
				defaults.getFastInterval().toMillis(), defaults.getTimeout().toMillis(),
				defaults.getFailureThreshold(), (System.nanoTime() - silencedAt) / 1_000_000);
	}

	@Test
	void pausedServerNeverGetsMoreThanOnePingInFlight() {
		startWatchdog(redis.port(), Duration.ofMillis(100), Duration.ofMillis(50), 1_000);
		await().atMost(Duration.ofSeconds(10)).until(() -> this.pingsStarted.get() > 0);
		redis.pause();
		int before;
		int during;
		try {
			sleep(Duration.ofMillis(200));
			before = this.pingsStarted.get();
			sleep(Duration.ofMillis(1500));
			during = this.pingsStarted.get() - before;
		}
		finally {
			redis.resume();
		}
		System.out.printf("paused server: %d watchdog PINGs started in 1500 ms at interval 100 ms%n", during);
		// The PING sent when the pause began has no reply: every check waits for it.
		assertThat(during).isZero();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.pingsStarted.get() > before + 1);
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void silencedConnectionIsReplacedAndTheSameLettuceConnectionWorksAgain(CapturedOutput output) {
		this.proxy = TcpProxy.start(redis.port());
		startWatchdog(this.proxy.port(), Duration.ofMillis(200), Duration.ofMillis(100), 3);
		StatefulConnection<?, ?> before = statefulConnection();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.pingsStarted.get() > 0);
		long silencedAt = System.nanoTime();
		this.proxy.silenceOpenConnections();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.watchdog.getRecoveries() == 1);
		long recoveredAt = System.nanoTime();
		await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
			try (RedisConnection connection = this.factory.getConnection()) {
				return "PONG".equals(connection.ping());
			}
		});
		System.out.printf("silenced connection: replaced after %d ms, commands succeed after %d ms "
				+ "(interval 200 ms, timeout 100 ms, threshold 3)%n", (recoveredAt - silencedAt) / 1_000_000,
				(System.nanoTime() - silencedAt) / 1_000_000);
		assertThat(statefulConnection()).as("Lettuce reconnected the same connection").isSameAs(before);
		assertThat(output).containsOnlyOnce("Redis Governor [orders:i-1] replaced the dead connection to 127.0.0.1:"
				+ this.proxy.port() + ": 3 watchdog PINGs in a row failed (last: no reply to a PING sent ");
		assertThat(output).contains("closed its channel; Lettuce reconnects");
	}

	@Test
	void factoryWithoutSharedConnectionIsNotWatched() {
		startWatchdog(redis.port(), Duration.ofMillis(100), Duration.ofMillis(50), 3, false);
		sleep(Duration.ofSeconds(1));
		assertThat(this.pingsStarted.get()).isZero();
		assertThat(redis.clientList()).noneSatisfy(
				(client) -> assertThat(client.get("name")).isEqualTo("orders-unshared"));
	}

	@Test
	void stopEndsTheWatchdogThread() {
		startWatchdog(redis.port(), Duration.ofMillis(100), Duration.ofMillis(50), 3);
		assertThat(watchdogThreads()).isEqualTo(1);
		this.watchdog.stop();
		assertThat(this.watchdog.isRunning()).isFalse();
		assertThat(watchdogThreads()).isZero();
	}

	private void startWatchdog(int port, Duration interval, Duration timeout, int threshold) {
		startWatchdog(port, interval, timeout, threshold, true);
	}

	private void startWatchdog(int port, Duration interval, Duration timeout, int threshold, boolean shared) {
		startWatchdog(port, interval, interval, timeout, threshold, shared);
	}

	private void startWatchdog(int port, Duration interval, Duration fastInterval, Duration timeout, int threshold,
			boolean shared) {
		LettuceClientConfiguration clientConfiguration = LettuceClientConfiguration.builder()
			.clientName(shared ? "orders-shared" : "orders-unshared")
			.commandTimeout(this.commandTimeout)
			.clientOptions(ClientOptions.builder()
				.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
				.timeoutOptions(TimeoutOptions.enabled())
				.build())
			.build();
		this.factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port),
				clientConfiguration);
		this.factory.setShareNativeConnection(shared);
		this.factory.afterPropertiesSet();
		this.factory.start();
		// Before the first connection: Lettuce captures the listeners when it connects.
		this.factory.getRequiredNativeClient().addListener(new CommandListener() {

			@Override
			public void commandStarted(CommandStartedEvent event) {
				if (event.getCommand().getType() == CommandType.PING) {
					PingWatchdogTests.this.pingsStarted.incrementAndGet();
				}
			}

		});
		this.watchdog = new PingWatchdog(this.factory, IDENTITY, interval, fastInterval, timeout, threshold);
		this.watchdog.start();
	}

	private StatefulConnection<?, ?> statefulConnection() {
		try (RedisConnection connection = this.factory.getConnection()) {
			return ((RedisAsyncCommands<?, ?>) connection.getNativeConnection()).getStatefulConnection();
		}
	}

	private static long watchdogThreads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.getName().equals("redis-governor-watchdog") && thread.isAlive())
			.count();
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
