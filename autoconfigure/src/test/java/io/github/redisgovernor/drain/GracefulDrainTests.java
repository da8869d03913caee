package io.github.redisgovernor.drain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.ConnectionActivity.Activity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.support.StaticApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link GracefulDrain}'s sequence, without Redis: the in-flight counter is
 * driven directly (the listener ignores the event objects).
 */
@ExtendWith(OutputCaptureExtension.class)
class GracefulDrainTests {

	private final Commands inFlight = new Commands();

	private final List<DrainSummary> summaries = new ArrayList<>();

	private final List<String> calls = new ArrayList<>();

	@Test
	void stopCallsParticipantsInOrderAndReportsOnceWhenQuiet(CapturedOutput output) {
		GracefulDrain drain = drain(Duration.ofSeconds(5), List.of(() -> this.calls.add("first"), () -> {
			this.calls.add("failing");
			throw new IllegalStateException("boom");
		}, () -> this.calls.add("last")));
		drain.start();
		drain.stop();
		assertThat(this.calls).containsExactly("first", "failing", "last");
		assertThat(this.summaries).singleElement().satisfies((summary) -> {
			assertThat(summary.abandoned()).isZero();
			assertThat(summary.timedOut()).isFalse();
		});
		assertThat(output).contains("Redis Governor [orders:i-1] drained the Redis connection in")
			.contains("0 abandoned.");
	}

	@Test
	void stopGivesUpAtTheTimeoutAndReportsAbandonedCommands(CapturedOutput output) {
		this.inFlight.started();
		GracefulDrain drain = drain(Duration.ofMillis(100), List.of());
		drain.start();
		drain.stop();
		assertThat(this.summaries).singleElement().satisfies((summary) -> {
			assertThat(summary.abandoned()).isEqualTo(1);
			assertThat(summary.timedOut()).isTrue();
		});
		assertThat(output).contains(
				"1 abandoned; Redis work was still running after " + "redis.governor.shutdown.drain-timeout (100ms)");
	}

	@Test
	void deferredCloseReportsWhenTheFactoryIsClosed() {
		GracefulDrain drain = drain(Duration.ofSeconds(5), List.of());
		drain.deferCloseToFactoryDestruction();
		drain.start();
		drain.onApplicationEvent(new ContextClosedEvent(new StaticApplicationContext()));
		drain.stop();
		assertThat(drain.hasDrained()).isTrue();
		assertThat(this.summaries).isEmpty();
		this.inFlight.started();
		this.inFlight.finished();
		AtomicInteger closes = new AtomicInteger();
		// A closed connection counts nothing: the summary is read before the close.
		drain.close(() -> {
			closes.incrementAndGet();
			this.inFlight.close();
		});
		drain.close(closes::incrementAndGet);
		assertThat(closes).hasValue(2);
		assertThat(this.summaries).singleElement().satisfies((summary) -> {
			assertThat(summary.drained()).isEqualTo(1);
			assertThat(summary.abandoned()).isZero();
		});
	}

	@Test
	void deferredCloseAfterATimedOutDrainStillReportsTheTimeout(CapturedOutput output) {
		GracefulDrain drain = drain(Duration.ofMillis(100), List.of());
		drain.deferCloseToFactoryDestruction();
		drain.start();
		drain.onApplicationEvent(new ContextClosedEvent(new StaticApplicationContext()));
		this.inFlight.started();
		drain.stop();
		// The stuck command completes in the short gap before the factory is destroyed.
		this.inFlight.finished();
		drain.close(() -> {
		});
		assertThat(this.summaries).singleElement().satisfies((summary) -> assertThat(summary.timedOut()).isTrue());
		assertThat(output).contains("Redis work was still running after redis.governor.shutdown.drain-timeout");
	}

	@Test
	void stopWithoutContextCloseDoesNotDeferTheFactoryStopAndStartRearms() {
		GracefulDrain drain = drain(Duration.ofSeconds(5), List.of(() -> this.calls.add("participant")));
		drain.deferCloseToFactoryDestruction();
		for (int cycle = 1; cycle <= 3; cycle++) {
			drain.start();
			assertThat(drain.isRunning()).isTrue();
			drain.stop();
			// context.stop(): the factory's own stop must run, so nothing is deferred.
			assertThat(drain.hasDrained()).isFalse();
			assertThat(this.summaries).hasSize(cycle);
		}
		assertThat(this.calls).containsExactly("participant", "participant", "participant");
	}

	@Test
	void closeBeforeAnyDrainOnlyCloses() {
		GracefulDrain drain = drain(Duration.ofSeconds(5), List.of());
		AtomicInteger closes = new AtomicInteger();
		drain.close(closes::incrementAndGet);
		assertThat(closes).hasValue(1);
		assertThat(this.summaries).isEmpty();
	}

	private GracefulDrain drain(Duration timeout, List<DrainParticipant> participants) {
		return new GracefulDrain(new InstanceIdentity("orders", "i-1"), this.inFlight::activity, () -> participants,
				timeout, Duration.ofMillis(20), this.summaries::add);
	}

	/**
	 * Commands on the shared connection, as the activity counter reports them.
	 */
	private static final class Commands {

		private final AtomicLong written = new AtomicLong();

		private final AtomicInteger waiting = new AtomicInteger();

		private volatile boolean closed;

		void started() {
			this.written.incrementAndGet();
			this.waiting.incrementAndGet();
		}

		void finished() {
			this.waiting.decrementAndGet();
		}

		void close() {
			this.closed = true;
		}

		Activity activity() {
			if (this.closed) {
				return new Activity(0, 0, 0, true);
			}
			return new Activity(this.written.get(), this.written.get() - this.waiting.get(), this.waiting.get(), true);
		}

	}

}
