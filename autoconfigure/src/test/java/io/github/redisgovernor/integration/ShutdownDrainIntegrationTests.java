package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.github.redisgovernor.drain.DrainParticipant;
import io.github.redisgovernor.drain.GracefulDrain;
import io.github.redisgovernor.connection.GovernedConnection;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.annotation.PreDestroy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.scheduling.annotation.Async;
import org.springframework.scheduling.annotation.EnableAsync;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.Scheduled;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Redis work that outlives the web server's drain, against a real {@code redis-server}:
 * governed, it completes; with {@code redis.governor.enabled=false} (plain Spring Boot),
 * the outcome is printed and asserted as it really is.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class ShutdownDrainIntegrationTests {

	private static final Duration WORK = Duration.ofSeconds(1);

	private final RedisServer redis;

	private ConfigurableApplicationContext context;

	ShutdownDrainIntegrationTests(RedisServer redis) {
		this.redis = redis;
	}

	@AfterEach
	void closeContext() {
		if (this.context != null && this.context.isActive()) {
			this.context.close();
		}
		Clients.awaitNone(this.redis);
	}

	@Test
	void governedThreadOfItsOwnCompletesItsRedisWorkAfterClose(CapturedOutput output) throws Exception {
		RedisWork work = closeDuringThreadWork(true);
		assertThat(work.failed).as(work.toString()).hasValue(0);
		assertThat(work.succeeded.get()).isGreaterThan(50);
		assertThat(output).contains("drained the Redis connection in").contains("0 abandoned");
	}

	@Test
	void plainBootStopsTheFactoryUnderAThreadOfItsOwn() throws Exception {
		RedisWork work = closeDuringThreadWork(false);
		assertThat(work.failed.get()).as(work.toString()).isPositive();
		assertThat(work.errors).anyMatch((error) -> error.contains("IllegalStateException: LettuceConnectionFactory"));
	}

	private RedisWork closeDuringThreadWork(boolean governed) throws Exception {
		this.context = start(governed);
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		RedisWork work = new RedisWork("thread");
		CountDownLatch started = new CountDownLatch(1);
		Thread thread = new Thread(() -> {
			started.countDown();
			work.run(template, WORK);
		}, "own-redis-work");
		thread.start();
		started.await();
		closeTimed(governed);
		thread.join(TimeUnit.SECONDS.toMillis(30));
		System.out.println("own thread, governed=" + governed + ": " + work);
		return work;
	}

	@Test
	void governedPreDestroyMethodCanStillUseRedis(CapturedOutput output) {
		RedisWork work = closeWithPreDestroyWork(true);
		assertThat(work.failed).as(work.toString()).hasValue(0);
		assertThat(work.succeeded).hasValue(100);
		assertThat(this.redis.command("GET", "predestroy:9")).isEqualTo("v99");
	}

	@Test
	void plainBootPreDestroyMethodFindsTheFactoryStopped() {
		RedisWork work = closeWithPreDestroyWork(false);
		assertThat(work.succeeded).as(work.toString()).hasValue(0);
		assertThat(work.errors).anyMatch((error) -> error.contains("STOPPED"));
	}

	private RedisWork closeWithPreDestroyWork(boolean governed) {
		this.context = start(governed, PreDestroyWork.class);
		RedisWork work = this.context.getBean(PreDestroyWork.class).work;
		closeTimed(governed);
		System.out.println("@PreDestroy, governed=" + governed + ": " + work);
		return work;
	}

	@Test
	void governedScheduledJobRunningAtCloseCompletes() throws Exception {
		RedisWork work = closeDuringScheduledWork(true);
		assertThat(work.failed).as(work.toString()).hasValue(0);
		assertThat(work.succeeded.get()).isGreaterThan(50);
	}

	@Test
	void plainBootScheduledJobRunningAtClose() throws Exception {
		RedisWork work = closeDuringScheduledWork(false);
		// Spring Framework 7 task schedulers wait for their running tasks in their own
		// lifecycle phase, before phase 0 stops the factory: plain Boot completes this
		// case.
		assertThat(work.failed).as(work.toString()).hasValue(0);
		assertThat(work.succeeded.get()).isGreaterThan(50);
	}

	private RedisWork closeDuringScheduledWork(boolean governed) throws Exception {
		this.context = start(governed, ScheduledWork.class);
		ScheduledWork job = this.context.getBean(ScheduledWork.class);
		assertThat(job.started.await(30, TimeUnit.SECONDS)).isTrue();
		closeTimed(governed);
		System.out.println("@Scheduled, governed=" + governed + ": " + job.work);
		return job.work;
	}

	@Test
	void governedAsyncTaskRunningAtCloseCompletes() throws Exception {
		RedisWork work = closeDuringAsyncWork(true);
		assertThat(work.failed).as(work.toString()).hasValue(0);
		assertThat(work.succeeded.get()).isGreaterThan(50);
	}

	@Test
	void plainBootAsyncTaskRunningAtClose() throws Exception {
		RedisWork work = closeDuringAsyncWork(false);
		// Same as @Scheduled: Boot's applicationTaskExecutor waits for running tasks.
		assertThat(work.failed).as(work.toString()).hasValue(0);
		assertThat(work.succeeded.get()).isGreaterThan(50);
	}

	private RedisWork closeDuringAsyncWork(boolean governed) throws Exception {
		this.context = start(governed, AsyncWork.class);
		AsyncRunner async = this.context.getBean(AsyncRunner.class);
		async.run();
		assertThat(async.started().await(30, TimeUnit.SECONDS)).isTrue();
		closeTimed(governed);
		System.out.println("@Async, governed=" + governed + ": " + async.work());
		return async.work();
	}

	@Test
	void drainCountsCommandsInFlight() {
		this.context = start(true);
		GovernedConnection connection = this.context.getBean(GovernedConnection.class);
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		long before = connection.sharedActivity().written();
		for (int i = 0; i < 25; i++) {
			template.opsForValue().set("counted", "v" + i);
		}
		// At least: the governor's own background commands (heartbeat, watchdog) go
		// through the same connection and may land in this window too.
		assertThat(connection.sharedActivity().written() - before).isGreaterThanOrEqualTo(25);
		await().atMost(Duration.ofSeconds(10)).until(() -> connection.sharedActivity().waiting() == 0);
		assertThat(this.context.getBean(GracefulDrain.class).getPhase()).isBetween(1, Integer.MAX_VALUE / 2 - 1);
	}

	@Test
	void participantsRunFirstWhileTheConnectionIsStillOpenAndTheTimerIsRecorded(CapturedOutput output) {
		this.context = start(true, Participants.class);
		MeterRegistry registry = this.context.getBean(MeterRegistry.class);
		Participants participants = this.context.getBean(Participants.class);
		closeTimed(true);
		assertThat(participants.calls).containsExactly("failing", "deregister");
		assertThat(this.redis.command("GET", "registry:drain")).isEqualTo("deregistered");
		assertThat(output).contains("drain participant").contains("failed to stop; the drain goes on without it");
		Timer drain = registry.get("redis.governor.drain").tag("application", "drain").timer();
		System.out.println("redis.governor.drain timer: count " + drain.count() + ", total "
				+ drain.totalTime(TimeUnit.MILLISECONDS) + "ms");
		assertThat(drain.count()).isEqualTo(1);
	}

	@Test
	void workLongerThanTheDrainTimeoutIsReportedAsAbandonedWork(CapturedOutput output) throws Exception {
		this.context = start(true, "redis.governor.shutdown.drain-timeout=600ms");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		RedisWork work = new RedisWork("endless");
		Thread thread = new Thread(() -> work.run(template, Duration.ofSeconds(3)), "endless-redis-work");
		thread.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> work.succeeded.get() > 0);
		closeTimed(true);
		thread.join(TimeUnit.SECONDS.toMillis(30));
		System.out.println("work longer than drain-timeout: " + work);
		assertThat(output).contains("Redis work was still running after redis.governor.shutdown.drain-timeout (600ms)");
		assertThat(work.failed.get()).as("work after the close fails").isPositive();
	}

	private ConfigurableApplicationContext start(boolean governed, Class<?>... components) {
		return start(governed, new String[0], components);
	}

	private ConfigurableApplicationContext start(boolean governed, String property, Class<?>... components) {
		return start(governed, new String[] { property }, components);
	}

	private ConfigurableApplicationContext start(boolean governed, String[] properties, Class<?>... components) {
		Class<?>[] sources = new Class<?>[components.length + 1];
		sources[0] = KvTestApplication.class;
		System.arraycopy(components, 0, sources, 1, components.length);
		return new SpringApplicationBuilder(sources)
			.properties("server.port=0", "spring.data.redis.host=127.0.0.1",
					"spring.data.redis.port=" + this.redis.port(), "spring.main.banner-mode=off",
					"redis.governor.enabled=" + governed, "redis.governor.application=drain",
					"spring.task.scheduling.pool.size=2")
			.properties(properties)
			.run();
	}

	private void closeTimed(boolean governed) {
		long start = System.nanoTime();
		assertTimeoutPreemptively(Duration.ofSeconds(60), () -> this.context.close());
		System.out.println("context.close() took " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
				+ "ms, governed=" + governed);
	}

	@Configuration(proxyBeanMethods = false)
	static class Participants {

		final List<String> calls = new CopyOnWriteArrayList<>();

		@Bean
		@Order(1)
		DrainParticipant failingParticipant() {
			return () -> {
				this.calls.add("failing");
				throw new IllegalStateException("boom");
			};
		}

		@Bean
		@Order(2)
		DrainParticipant registryParticipant(StringRedisTemplate template) {
			return () -> {
				this.calls.add("deregister");
				template.opsForValue().set("registry:drain", "deregistered");
			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class PreDestroyWork {

		final RedisWork work = new RedisWork("predestroy");

		@Autowired
		private StringRedisTemplate template;

		@PreDestroy
		void flushOnShutdown() {
			this.work.runCommands(this.template, 100);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableScheduling
	static class ScheduledWork {

		final RedisWork work = new RedisWork("scheduled");

		final CountDownLatch started = new CountDownLatch(1);

		private volatile boolean done;

		@Autowired
		private StringRedisTemplate template;

		@Scheduled(fixedDelay = 50)
		void job() {
			if (this.done) {
				return;
			}
			this.done = true;
			this.started.countDown();
			this.work.run(this.template, WORK);
		}

		public RedisWork work() {
			return this.work;
		}

		public CountDownLatch started() {
			return this.started;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableAsync
	static class AsyncWork {

		@Bean
		AsyncRunner asyncRunner(StringRedisTemplate template) {
			return new AsyncRunner(template);
		}

	}

	static class AsyncRunner {

		final RedisWork work = new RedisWork("async");

		final CountDownLatch started = new CountDownLatch(1);

		private final StringRedisTemplate template;

		AsyncRunner(StringRedisTemplate template) {
			this.template = template;
		}

		@Async
		public void run() {
			this.started.countDown();
			this.work.run(this.template, WORK);
		}

		public RedisWork work() {
			return this.work;
		}

		public CountDownLatch started() {
			return this.started;
		}

	}

}
