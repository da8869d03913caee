package io.github.redisgovernor.server;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.connection.GovernedConnectionFixture;
import io.github.redisgovernor.registry.InstanceRegistry;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sampler against a real {@code redis-server}: it samples at its fast interval only
 * while the budget is unsettled, and the registry's flow samples between heartbeats when
 * the sample interval is the shorter.
 */
@ExtendWith(RedisServerExtension.class)
class ServerFiguresSamplerIntegrationTests {

	private GovernedConnectionFixture fixture;

	private ServerFiguresSampler sampler;

	@BeforeEach
	void openConnection(RedisServer redis) {
		this.fixture = GovernedConnectionFixture.of(redis);
	}

	@AfterEach
	void close() {
		if (this.sampler != null) {
			this.sampler.stop();
		}
		this.fixture.close();
	}

	private ServerFiguresSampler sampler(Duration sampleInterval, Duration fastSampleInterval) {
		return new ServerFiguresSampler(this.fixture.connection(), this.fixture.scheduler(),
				new InstanceIdentity("app", "sampler"), sampleInterval, fastSampleInterval, Duration.ofSeconds(5),
				Duration.ofSeconds(60));
	}

	@Test
	void samplesAtTheFastIntervalWhileUnsettledAndStopsOnceSettled() throws Exception {
		// A sample interval of an hour: any second sample comes from the fast interval.
		this.sampler = sampler(Duration.ofHours(1), Duration.ofMillis(100));
		AtomicInteger samples = new AtomicInteger();
		AtomicBoolean unsettled = new AtomicBoolean(true);
		// Counts read samples only: a sample that timed out on a busy machine is not one,
		// and a listener must not throw.
		this.sampler.addListener((figures) -> {
			if (figures.connectedClients() != null) {
				samples.incrementAndGet();
			}
		});
		this.sampler.sampleFasterWhile(unsettled::get);
		this.sampler.start();
		this.sampler.sampleNow();
		await().atMost(Duration.ofSeconds(10)).until(() -> samples.get() >= 4);
		unsettled.set(false);
		// The sample that sees the flag down schedules no further one.
		await().atMost(Duration.ofSeconds(10)).until(() -> {
			int before = samples.get();
			Thread.sleep(500);
			return samples.get() == before;
		});
		int settled = samples.get();
		Thread.sleep(1000);
		assertThat(samples.get()).isEqualTo(settled);
	}

	@Test
	void theElectedSamplerSamplesAtItsOwnIntervalBetweenHeartbeats(RedisServer redis) {
		redis.command("CONFIG", "RESETSTAT");
		this.sampler = sampler(Duration.ofMillis(100), Duration.ofHours(1));
		InstanceRegistry registry = new InstanceRegistry(this.fixture.connection(), this.fixture.scheduler(),
				new InstanceIdentity("app", "sampler"), "{redis-governor}:sampler-test", Duration.ofSeconds(30),
				Duration.ofSeconds(90));
		registry.sampleFor(this.sampler);
		AtomicInteger samples = new AtomicInteger();
		this.sampler.addListener((figures) -> samples.incrementAndGet());
		this.sampler.sampleFasterWhile(() -> true);
		this.sampler.start();
		registry.start();
		try {
			await().atMost(Duration.ofSeconds(10)).until(() -> samples.get() >= 3);
			// Heartbeats 30 s apart: the samples are the elected sampler's, every 100 ms.
			assertThat(registry.isSampling()).isTrue();
			assertThat(redis.info("commandstats")).contains("cmdstat_info:calls=");
			assertThat(registry.current().liveInstances()).isEqualTo(1L);
		}
		finally {
			registry.stop();
		}
	}

}
