package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.RedisServerSettings;
import io.github.redisgovernor.test.redis.TcpProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A failover behind a load balancer: the application talks to server A through a
 * {@link TcpProxy}; mid-load the proxy stops relaying the open connections (they stay
 * open, the kernel keeps acknowledging) and sends new connections to server B. Only a
 * watchdog that replaces the silent connection gets the application to B; TCP alone would
 * take many minutes. Recovery times are printed, never asserted.
 */
@ExtendWith(RedisServerExtension.class)
class FailoverIntegrationTests {

	private static final int CALLERS = 4;

	private final RedisServer serverA;

	private final RedisServer serverB;

	private TcpProxy proxy;

	private ConfigurableApplicationContext context;

	private Load load;

	FailoverIntegrationTests(@RedisServerSettings(name = "failover-a") RedisServer serverA,
			@RedisServerSettings(name = "failover-b") RedisServer serverB) {
		this.serverA = serverA;
		this.serverB = serverB;
	}

	@BeforeEach
	void startProxy() {
		this.serverA.command("SET", "who", "A");
		this.serverB.command("SET", "who", "B");
		this.proxy = TcpProxy.start(this.serverA.port());
	}

	@AfterEach
	void stop() throws InterruptedException {
		if (this.load != null) {
			this.load.stopping.set(true);
		}
		if (this.context != null) {
			this.context.close();
		}
		if (this.load != null) {
			this.load.join();
		}
		this.proxy.close();
	}

	@Test
	void governedApplicationReachesTheNewServerWithinSecondsAtDefaultSettings() {
		this.context = KvTestApplication.start(this.serverA, "spring.data.redis.port=" + this.proxy.port(),
				"redis.governor.application=kv", "redis.governor.instance-id=failover");
		this.load = new Load(this.context.getBean(StringRedisTemplate.class));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.load.repliesFromA.get() > 20);

		long failoverAt = this.load.failover(this.proxy, this.serverB.port());
		await().atMost(Duration.ofSeconds(40)).until(() -> this.load.firstReplyFromB.get() != 0);
		long recoveredMillis = (this.load.firstReplyFromB.get() - failoverAt) / 1_000_000;
		int failuresAfterB = this.load.failures.get();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.load.repliesFromB.get() > 20);

		System.out.printf(
				"failover, governor on (defaults: watchdog interval 20s, fast-interval 1s, timeout 500ms, threshold 3): "
						+ "first reply from B %d ms after the failover; %d failed calls meanwhile%n",
				recoveredMillis, failuresAfterB);
		assertThat(this.load.repliesFromB.get()).isGreaterThan(20);
		assertThat(this.load.failures.get()).as("no failures once on B").isEqualTo(failuresAfterB);
		assertThat(Clients.applicationClients(this.serverB)).singleElement()
			.satisfies((client) -> assertThat(client).containsEntry("name", "kv:failover"));
	}

	@Test
	void plainSpringBootDoesNotReachTheNewServer() {
		this.context = KvTestApplication.start(this.serverA, "spring.data.redis.port=" + this.proxy.port(),
				"redis.governor.enabled=false");
		this.load = new Load(this.context.getBean(StringRedisTemplate.class));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.load.repliesFromA.get() > 20);

		long failoverAt = this.load.failover(this.proxy, this.serverB.port());
		// 15 s keeps the suite short; the 80 s check: -Dfailover.plain.window=80s
		Duration window = Duration
			.ofSeconds(Long.parseLong(System.getProperty("failover.plain.window", "15s").replace("s", "")));
		sleep(window);
		System.out.printf(
				"failover, governor off (plain Spring Boot): after %d ms, %d replies from B, "
						+ "%d failed calls, %d calls still waiting%n",
				(System.nanoTime() - failoverAt) / 1_000_000, this.load.repliesFromB.get(), this.load.failures.get(),
				this.load.waiting());
		assertThat(this.load.repliesFromB.get()).isZero();
		assertThat(this.load.firstReplyFromB.get()).isZero();
	}

	private static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * A few threads that read the key {@code who} in a loop: "A" or "B" tells which
	 * server answered.
	 */
	private static final class Load {

		final AtomicBoolean stopping = new AtomicBoolean();

		final AtomicInteger repliesFromA = new AtomicInteger();

		final AtomicInteger repliesFromB = new AtomicInteger();

		final AtomicInteger failures = new AtomicInteger();

		final AtomicInteger calling = new AtomicInteger();

		final AtomicLong firstReplyFromB = new AtomicLong();

		private final List<Thread> threads = new ArrayList<>();

		Load(StringRedisTemplate template) {
			for (int i = 0; i < CALLERS; i++) {
				Thread thread = new Thread(() -> call(template), "failover-load-" + i);
				thread.setDaemon(true);
				thread.start();
				this.threads.add(thread);
			}
		}

		long failover(TcpProxy proxy, int newTargetPort) {
			long failoverAt = System.nanoTime();
			proxy.retarget(newTargetPort);
			proxy.silenceOpenConnections();
			return failoverAt;
		}

		int waiting() {
			return this.calling.get();
		}

		private void call(StringRedisTemplate template) {
			while (!this.stopping.get()) {
				this.calling.incrementAndGet();
				try {
					String who = template.opsForValue().get("who");
					if ("B".equals(who)) {
						this.firstReplyFromB.compareAndSet(0, System.nanoTime());
						this.repliesFromB.incrementAndGet();
					}
					else {
						this.repliesFromA.incrementAndGet();
					}
				}
				catch (RuntimeException ex) {
					if (!this.stopping.get()) {
						this.failures.incrementAndGet();
					}
				}
				finally {
					this.calling.decrementAndGet();
				}
				pause();
			}
		}

		private static void pause() {
			try {
				Thread.sleep(5);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}

		void join() throws InterruptedException {
			for (Thread thread : this.threads) {
				thread.join(Duration.ofSeconds(30).toMillis());
			}
		}

	}

}
