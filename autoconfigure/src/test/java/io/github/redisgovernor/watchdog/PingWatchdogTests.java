package io.github.redisgovernor.watchdog;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.TcpProxy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
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
		LettuceClientConfiguration clientConfiguration = LettuceClientConfiguration.builder()
			.clientName(shared ? "orders-shared" : "orders-unshared")
			.commandTimeout(Duration.ofSeconds(10))
			.clientOptions(ClientOptions.builder().disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS).build())
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
		this.watchdog = new PingWatchdog(this.factory, IDENTITY, interval, timeout, threshold);
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
