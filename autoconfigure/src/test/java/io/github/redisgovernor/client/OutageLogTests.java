package io.github.redisgovernor.client;

import java.time.Duration;
import java.util.List;

import io.lettuce.core.RedisConnectionException;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A background task's outage costs a first WARN, at most one summary a minute and a line
 * when it ends, on a simulated clock.
 */
@ExtendWith(OutputCaptureExtension.class)
class OutageLogTests {

	private static final String TASK = "Redis Governor [orders:i-1] registry heartbeat";

	private final SimulatedClock clock = new SimulatedClock();

	private final OutageLog outageLog = new OutageLog(LogFactory.getLog(OutageLogTests.class), TASK, this.clock);

	@Test
	void anHourOfFailuresEverySecondLogsAtMostOneLineAMinute(CapturedOutput output) {
		for (int i = 0; i < 3600; i++) {
			this.outageLog.failed(new RedisConnectionException("Connection refused"),
					() -> "This instance drops out of the fleet count.");
			this.clock.advance(Duration.ofSeconds(1));
		}
		assertThat(this.outageLog.isFailing()).isTrue();
		this.outageLog.succeeded();
		assertThat(this.outageLog.isFailing()).isFalse();

		List<String> lines = lines(output);
		assertThat(lines).hasSize(1 + 59 + 1);
		assertThat(lines.get(0)).contains(TASK + " failed: ")
			.contains("Connection refused. This instance drops out of the fleet count. Until it works again, a "
					+ "summary is logged at most once a minute.");
		assertThat(lines.get(1))
			.contains(TASK + " still failing after 1min 0s: 61 attempts failed so far, the last " + "with: ");
		assertThat(lines.get(59)).contains(TASK + " still failing after 59min 0s: 3541 attempts failed so far");
		assertThat(lines.get(60)).contains(TASK + " works again after 3600 failed attempts over 1h 0min.");
	}

	@Test
	void successWithoutAnOutageLogsNothing(CapturedOutput output) {
		this.outageLog.succeeded();
		assertThat(lines(output)).isEmpty();
	}

	@Test
	void lengthsReadAsMillisecondsThenSecondsMinutesAndHours() {
		assertThat(OutageLog.format(Duration.ofMillis(9999))).isEqualTo("9999ms");
		assertThat(OutageLog.format(Duration.ofSeconds(42))).isEqualTo("42s");
		assertThat(OutageLog.format(Duration.ofSeconds(312))).isEqualTo("5min 12s");
		assertThat(OutageLog.format(Duration.ofMinutes(125))).isEqualTo("2h 5min");
		assertThat(OutageLog.format(Duration.ofMillis(-5))).as("a clock set back").isEqualTo("0ms");
	}

	private static List<String> lines(CapturedOutput output) {
		return output.getAll()
			.lines()
			.filter((line) -> line.contains(TASK))
			.filter((line) -> line.contains(" WARN ") || line.contains(" INFO "))
			.toList();
	}

}
