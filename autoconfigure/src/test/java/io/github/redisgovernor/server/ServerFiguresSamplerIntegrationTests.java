package io.github.redisgovernor.server;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.client.SharedConnectionCommands;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sampler against a real {@code redis-server}: it samples at its fast interval only
 * while the budget is unsettled.
 */
@ExtendWith(RedisServerExtension.class)
class ServerFiguresSamplerIntegrationTests {

	private LettuceConnectionFactory factory;

	private ServerFiguresSampler sampler;

	@BeforeEach
	void openFactory(RedisServer redis) {
		this.factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
		this.factory.afterPropertiesSet();
		this.factory.start();
	}

	@AfterEach
	void close() {
		if (this.sampler != null) {
			this.sampler.stop();
		}
		this.factory.destroy();
	}

	@Test
	void samplesAtTheFastIntervalWhileUnsettledAndBackAtTheSampleIntervalAfter() throws Exception {
		// A sample interval of an hour: any second sample comes from the fast interval.
		this.sampler = new ServerFiguresSampler(new SharedConnectionCommands(this.factory, Duration.ofSeconds(2)),
				new InstanceIdentity("app", "sampler"), Duration.ofHours(1), Duration.ofMillis(100),
				Duration.ofSeconds(5));
		AtomicInteger samples = new AtomicInteger();
		AtomicBoolean unsettled = new AtomicBoolean(true);
		this.sampler.addListener((figures) -> {
			assertThat(figures.connectedClients()).isNotNull();
			samples.incrementAndGet();
		});
		this.sampler.sampleFasterWhile(unsettled::get);
		this.sampler.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> samples.get() >= 4);
		unsettled.set(false);
		// The sample that sees the flag down schedules the next one an hour away.
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
	void fastIntervalLongerThanTheSampleIntervalIsNotApplied() {
		// Were the hour applied while unsettled, there would be one sample only.
		this.sampler = new ServerFiguresSampler(new SharedConnectionCommands(this.factory, Duration.ofSeconds(2)),
				new InstanceIdentity("app", "sampler"), Duration.ofMillis(100), Duration.ofHours(1),
				Duration.ofSeconds(5));
		AtomicInteger samples = new AtomicInteger();
		this.sampler.addListener((figures) -> samples.incrementAndGet());
		this.sampler.sampleFasterWhile(() -> true);
		this.sampler.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> samples.get() >= 3);
	}

}
