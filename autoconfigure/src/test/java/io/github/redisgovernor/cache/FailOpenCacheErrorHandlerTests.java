package io.github.redisgovernor.cache;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.github.redisgovernor.client.InstanceIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cache.concurrent.ConcurrentMapCache;
import org.springframework.data.redis.RedisConnectionFailureException;
import org.springframework.data.redis.serializer.SerializationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link FailOpenCacheErrorHandler}: what it absorbs and how it rate-limits its
 * log, on a fake clock.
 */
@ExtendWith(OutputCaptureExtension.class)
class FailOpenCacheErrorHandlerTests {

	private final AtomicLong now = new AtomicLong();

	private final FailOpenCacheErrorHandler handler = new FailOpenCacheErrorHandler(
			new InstanceIdentity("orders", "i-1"), Duration.ofSeconds(30), this.now::get);

	private final ConcurrentMapCache cache = new ConcurrentMapCache("prices");

	@Test
	void absorbsRedisFaultsAndLogsOncePerInterval(CapturedOutput output) {
		for (int i = 0; i < 5; i++) {
			this.handler.handleCacheGetError(fault(), this.cache, "k");
		}
		this.now.addAndGet(TimeUnit.SECONDS.toNanos(31));
		this.handler.handleCachePutError(fault(), this.cache, "k", "v");
		assertThat(this.handler.getAbsorbedErrors()).isEqualTo(6);
		assertThat(output.getOut().lines().filter((line) -> line.contains("Redis Governor [orders:i-1]"))).hasSize(2);
		assertThat(output).contains("could not read from cache 'prices'")
			.contains("could not write to cache 'prices'")
			.contains("4 more cache errors were absorbed since the previous warning");
	}

	@Test
	void rethrowsFaultsThatAreNotRedisFaults() {
		SerializationException bug = new SerializationException("cannot deserialize");
		assertThatExceptionOfType(SerializationException.class)
			.isThrownBy(() -> this.handler.handleCacheGetError(bug, this.cache, "k"));
		assertThat(this.handler.getAbsorbedErrors()).isZero();
	}

	private static RuntimeException fault() {
		return new RedisConnectionFailureException("Unable to connect to Redis");
	}

}
