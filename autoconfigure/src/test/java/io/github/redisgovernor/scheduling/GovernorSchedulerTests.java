package io.github.redisgovernor.scheduling;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link GovernorScheduler}.
 */
class GovernorSchedulerTests {

	@Test
	void ownsOneThreadThatEndsOnStopAndComesBackOnStart() throws Exception {
		GovernorScheduler scheduler = new GovernorScheduler();
		for (int cycle = 0; cycle < 3; cycle++) {
			scheduler.start();
			CountDownLatch ran = new CountDownLatch(1);
			scheduler.schedule(ran::countDown, Duration.ZERO);
			assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
			assertThat(threads()).isEqualTo(1);
			scheduler.stop();
			assertThat(scheduler.isRunning()).isFalse();
			await().atMost(Duration.ofSeconds(5)).until(() -> threads() == 0);
		}
	}

	@Test
	void failingTaskDoesNotEndItsSchedule() throws Exception {
		GovernorScheduler scheduler = new GovernorScheduler();
		scheduler.start();
		try {
			AtomicInteger runs = new AtomicInteger();
			CountDownLatch thrice = new CountDownLatch(3);
			scheduler.scheduleWithFixedDelay(() -> {
				runs.incrementAndGet();
				thrice.countDown();
				throw new IllegalStateException("boom");
			}, Duration.ZERO, Duration.ofMillis(10));
			assertThat(thrice.await(10, TimeUnit.SECONDS)).isTrue();
		}
		finally {
			scheduler.stop();
		}
	}

	@Test
	void userExecutorIsUsedAndNeverShutDown() throws Exception {
		ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
		try {
			GovernorScheduler scheduler = new GovernorScheduler(executor);
			scheduler.start();
			CountDownLatch ran = new CountDownLatch(1);
			scheduler.schedule(ran::countDown, Duration.ZERO);
			assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
			scheduler.stop();
			assertThat(executor.isShutdown()).isFalse();
			assertThat(threads()).isZero();
		}
		finally {
			executor.shutdownNow();
		}
	}

	@Test
	void schedulingBeforeStartSaysWhy() {
		assertThatIllegalStateException().isThrownBy(() -> new GovernorScheduler().schedule(() -> {
		}, Duration.ZERO)).withMessageContaining("not running");
	}

	private static long threads() {
		return Thread.getAllStackTraces()
			.keySet()
			.stream()
			.filter((thread) -> thread.isAlive() && thread.getName().equals(GovernorScheduler.THREAD_NAME))
			.count();
	}

}
