package io.github.redisgovernor.watchdog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.redisgovernor.autoconfigure.RedisGovernorProperties;
import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.GovernedConnectionFixture;
import io.github.redisgovernor.connection.SharedConnectionStyle;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.TcpProxy;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link PingWatchdog} against a real {@code redis-server}: it replaces a connection
 * whose server stopped answering, and never one that is alive but busy (a slow script, a
 * full queue) or idle beside a parked {@code BLPOP}.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class PingWatchdogTests {

	private static final InstanceIdentity IDENTITY = new InstanceIdentity("orders", "i-1");

	private final RedisServer redis;

	private GovernedConnectionFixture fixture;

	private PingWatchdog watchdog;

	private TcpProxy proxy;

	private Duration commandTimeout = Duration.ofSeconds(10);

	private int requestQueueSize = Integer.MAX_VALUE;

	PingWatchdogTests(RedisServer redis) {
		this.redis = redis;
	}

	@AfterEach
	void stop() {
		if (this.watchdog != null) {
			this.watchdog.stop();
		}
		if (this.fixture != null) {
			this.fixture.close();
		}
		if (this.proxy != null) {
			this.proxy.close();
		}
	}

	@Test
	void idleHealthyConnectionGetsOnePingPerIdleIntervalNotPerFastInterval() {
		startWatchdog(this.redis.port(), Duration.ofMillis(400), Duration.ofMillis(100), Duration.ofMillis(50), 3);
		open();
		sleep(Duration.ofSeconds(3));
		long pings = this.watchdog.getPings();
		System.out.printf("idle watchdog: %d PINGs in 3000 ms at interval 400 ms, fast interval 100 ms%n", pings);
		// One per idle interval at most: far fewer than one per fast interval (30).
		assertThat(pings).isBetween(1L, 3000L / 400 + 1);
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void busyConnectionIsNotPinged() {
		startWatchdog(this.redis.port(), Duration.ofMillis(300), Duration.ofMillis(100), Duration.ofMillis(50), 3);
		long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
		int commands = 0;
		while (System.nanoTime() < end) {
			template().opsForValue().get("busy");
			commands++;
			sleep(Duration.ofMillis(20));
		}
		long pings = this.watchdog.getPings();
		System.out.printf("busy connection: %d watchdog PINGs, %d application commands in 3000 ms (interval 300 ms)%n",
				pings, commands);
		assertThat(pings).isZero();
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void slowScriptWithinTheCommandTimeoutIsNotMistakenForADeadConnection() {
		// Aggressive watchdog: a 100 ms PING timeout and a check every 200 ms.
		this.commandTimeout = Duration.ofSeconds(10);
		startWatchdog(this.redis.port(), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMillis(100), 3);
		open();
		long started = System.nanoTime();
		Long result = this.fixture.connection()
			.getFactory()
			.getConnection()
			.scriptingCommands()
			.eval(("local t = redis.call('TIME') local start = t[1] * 1000 + t[2] / 1000 local now = start "
					+ "while now - start < 6000 do t = redis.call('TIME') now = t[1] * 1000 + t[2] / 1000 end "
					+ "return 1")
				.getBytes(), ReturnType.INTEGER, 0);
		long tookMillis = (System.nanoTime() - started) / 1_000_000;
		System.out.printf(
				"6 s script with command-timeout 10 s: replied after %d ms, %d watchdog PINGs, " + "%d recoveries%n",
				tookMillis, this.watchdog.getPings(), this.watchdog.getRecoveries());
		assertThat(result).isEqualTo(1L);
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void fullRequestQueueDoesNotCloseTheConnection() throws Exception {
		this.requestQueueSize = 4;
		startWatchdog(this.redis.port(), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMillis(100), 3);
		open();
		StringRedisTemplate template = template();
		AtomicLong succeeded = new AtomicLong();
		AtomicLong rejected = new AtomicLong();
		ExecutorService threads = Executors.newFixedThreadPool(12);
		long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
		for (int i = 0; i < 12; i++) {
			threads.execute(() -> {
				while (System.nanoTime() < end) {
					try {
						template.opsForValue().get("queued");
						succeeded.incrementAndGet();
					}
					catch (RuntimeException ex) {
						rejected.incrementAndGet();
					}
				}
			});
		}
		threads.shutdown();
		assertThat(threads.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		System.out.printf(
				"request queue of 4, 12 threads for 5 s: %d commands succeeded, %d rejected locally, "
						+ "%d watchdog PINGs, %d recoveries%n",
				succeeded.get(), rejected.get(), this.watchdog.getPings(), this.watchdog.getRecoveries());
		assertThat(rejected.get()).as("the queue did fill up").isPositive();
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void silentServerBehindAFullCommandStackIsStillReplaced() throws Exception {
		// Timed-out commands stay on Lettuce's stack until the channel closes: with 64
		// callers and room for 50, the watchdog's PING itself is rejected locally.
		this.requestQueueSize = 50;
		this.commandTimeout = Duration.ofSeconds(1);
		startWatchdog(redis.port(), Duration.ofSeconds(1), Duration.ofMillis(200), Duration.ofMillis(100), 3);
		open();
		StringRedisTemplate template = template();
		redis.pause();
		ExecutorService callers = Executors.newFixedThreadPool(64);
		try {
			long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
			for (int i = 0; i < 64; i++) {
				callers.execute(() -> {
					while (System.nanoTime() < end && this.watchdog.getRecoveries() == 0) {
						try {
							template.opsForValue().get("stuck");
						}
						catch (RuntimeException ex) {
							// Timed out or rejected: the stack is full.
						}
					}
				});
			}
			long pausedAt = System.nanoTime();
			await().atMost(Duration.ofSeconds(20)).until(() -> this.watchdog.getRecoveries() >= 1);
			System.out.printf("paused server, 64 callers, request-queue-size 50, command-timeout 1 s: replaced "
					+ "after %d ms%n", (System.nanoTime() - pausedAt) / 1_000_000);
		}
		finally {
			callers.shutdownNow();
			redis.resume();
			assertThat(callers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
		}
	}

	@Test
	void parkedBlockingCommandOnADedicatedConnectionBringsNoPing() throws Exception {
		RedisGovernorProperties.Watchdog defaults = new RedisGovernorProperties().getWatchdog();
		startWatchdog(this.redis.port(), defaults.getInterval(), defaults.getFastInterval(), defaults.getTimeout(),
				defaults.getFailureThreshold());
		open();
		sleep(Duration.ofMillis(200));
		long pingsBefore = this.watchdog.getPings();
		// Spring Data Redis runs blocking commands on a dedicated connection.
		try (RedisConnection connection = this.fixture.connection().getFactory().getConnection()) {
			List<byte[]> popped = connection.listCommands().bLPop(7, "nothing-arrives".getBytes());
			assertThat(popped).isNullOrEmpty();
		}
		long pings = this.watchdog.getPings() - pingsBefore;
		System.out.printf("idle app with a 7 s BLPOP on a dedicated connection: %d watchdog PINGs%n", pings);
		assertThat(pings).isZero();
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void timedOutApplicationCommandSwitchesToFastChecks() {
		this.proxy = TcpProxy.start(this.redis.port());
		// An idle interval far longer than the guards below: only the stall can recover.
		this.commandTimeout = Duration.ofSeconds(1);
		startWatchdog(this.proxy.port(), Duration.ofMinutes(5), Duration.ofMillis(200), Duration.ofMillis(100), 3);
		assertThat(template().opsForValue().get("silenced")).isNull();
		long silencedAt = System.nanoTime();
		this.proxy.silenceOpenConnections();
		try {
			template().opsForValue().get("silenced");
		}
		catch (RuntimeException expected) {
			System.out.printf("application command failed after %d ms: %s%n",
					(System.nanoTime() - silencedAt) / 1_000_000, expected.getClass().getSimpleName());
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> this.watchdog.getRecoveries() == 1);
		System.out.printf("timed-out command: connection replaced %d ms after the silence "
				+ "(idle interval 5 min, fast interval 200 ms, timeout 100 ms, command timeout 1 s, threshold 3)%n",
				(System.nanoTime() - silencedAt) / 1_000_000);
		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> "v".equals(setAndGet("after-silence", "v")));
	}

	@Test
	void pausedServerBehindIdleConnectionIsDetectedAtDefaultSettings() {
		RedisGovernorProperties.Watchdog defaults = new RedisGovernorProperties().getWatchdog();
		this.proxy = TcpProxy.start(this.redis.port());
		this.commandTimeout = RedisGovernorProperties.DEFAULT_COMMAND_TIMEOUT;
		startWatchdog(this.proxy.port(), defaults.getInterval(), defaults.getFastInterval(), defaults.getTimeout(),
				defaults.getFailureThreshold());
		open();
		long silencedAt = System.nanoTime();
		this.proxy.silenceOpenConnections();
		await().atMost(Duration.ofSeconds(40)).until(() -> this.watchdog.getRecoveries() == 1);
		System.out.printf(
				"idle connection, defaults (interval %d ms, fast interval %d ms, timeout %d ms, "
						+ "threshold %d): silent peer replaced %d ms after it went silent%n",
				defaults.getInterval().toMillis(), defaults.getFastInterval().toMillis(),
				defaults.getTimeout().toMillis(), defaults.getFailureThreshold(),
				(System.nanoTime() - silencedAt) / 1_000_000);
	}

	@Test
	void pausedServerNeverGetsMoreThanOnePingInFlight() {
		this.commandTimeout = Duration.ofSeconds(60);
		startWatchdog(this.redis.port(), Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofMillis(20), 1_000);
		open();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.watchdog.getPings() > 0);
		this.redis.pause();
		long before;
		long during;
		try {
			sleep(Duration.ofMillis(300));
			before = this.watchdog.getPings();
			sleep(Duration.ofMillis(1500));
			during = this.watchdog.getPings() - before;
		}
		finally {
			this.redis.resume();
		}
		System.out.printf("paused server: %d watchdog PINGs started in 1500 ms at fast interval 50 ms%n", during);
		// The PING sent when the pause began has no reply: every check waits for it.
		assertThat(during).isZero();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.watchdog.getPings() > before + 1);
		assertThat(this.watchdog.getRecoveries()).isZero();
	}

	@Test
	void silencedConnectionIsReplacedAndTheSameLettuceConnectionWorksAgain(CapturedOutput output) {
		this.proxy = TcpProxy.start(this.redis.port());
		this.commandTimeout = Duration.ofMillis(500);
		startWatchdog(this.proxy.port(), Duration.ofMillis(200), Duration.ofMillis(100), Duration.ofMillis(100), 3);
		open();
		StatefulConnection<?, ?> before = this.fixture.connection().sharedConnections().get(0);
		long silencedAt = System.nanoTime();
		this.proxy.silenceOpenConnections();
		await().atMost(Duration.ofSeconds(20)).until(() -> this.watchdog.getRecoveries() == 1);
		long recoveredAt = System.nanoTime();
		await().atMost(Duration.ofSeconds(20))
			.ignoreExceptions()
			.until(() -> "v".equals(setAndGet("after-replace", "v")));
		System.out.printf(
				"silenced connection: replaced after %d ms, commands succeed after %d ms "
						+ "(interval 200 ms, timeout 100 ms, command timeout 500 ms, threshold 3)%n",
				(recoveredAt - silencedAt) / 1_000_000, (System.nanoTime() - silencedAt) / 1_000_000);
		assertThat(this.fixture.connection().sharedConnections()).as("Lettuce reconnected the same connection")
			.containsExactly(before);
		assertThat(output).containsOnlyOnce("Redis Governor [orders:i-1] replaced the dead connection to 127.0.0.1:"
				+ this.proxy.port() + ": nothing arrived on it for ");
		assertThat(output).contains("3 watchdog checks in a row found its PING unanswered")
			.contains("closed its channel; Lettuce reconnects");
	}

	@Test
	void factoryWithoutSharedConnectionIsNotWatched() {
		startWatchdog(this.redis.port(), Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofMillis(50), 3,
				false);
		template().opsForValue().get("unshared");
		sleep(Duration.ofSeconds(1));
		assertThat(this.watchdog.getPings()).isZero();
	}

	private void startWatchdog(int port, Duration interval, Duration fastInterval, Duration timeout, int threshold) {
		startWatchdog(port, interval, fastInterval, timeout, threshold, true);
	}

	private void startWatchdog(int port, Duration interval, Duration fastInterval, Duration timeout, int threshold,
			boolean shared) {
		ClientOptions options = ClientOptions.builder()
			.disconnectedBehavior(DisconnectedBehavior.REJECT_COMMANDS)
			.timeoutOptions(TimeoutOptions.enabled())
			.requestQueueSize(this.requestQueueSize)
			.build();
		this.fixture = GovernedConnectionFixture.of(port, IDENTITY, this.commandTimeout, options,
				SharedConnectionStyle.IMPERATIVE);
		this.fixture.factory().setShareNativeConnection(shared);
		this.watchdog = new PingWatchdog(this.fixture.connection(), this.fixture.scheduler(), interval, fastInterval,
				timeout, threshold);
		this.watchdog.start();
	}

	/**
	 * Open the shared connection, as the registry's first heartbeat would.
	 */
	private void open() {
		assertThat(this.fixture.connection().submit((redis) -> redis.ping()).join()).isEqualTo("PONG");
	}

	private StringRedisTemplate template() {
		StringRedisTemplate template = new StringRedisTemplate(this.fixture.factory());
		template.afterPropertiesSet();
		return template;
	}

	private String setAndGet(String key, String value) {
		template().opsForValue().set(key, value);
		return template().opsForValue().get(key);
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
