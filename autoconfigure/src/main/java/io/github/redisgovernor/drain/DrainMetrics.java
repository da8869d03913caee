package io.github.redisgovernor.drain;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Binds {@code redis.governor.commands.inflight} (gauge) and {@code redis.governor.drain}
 * (timer), both tagged {@code application}, and records every drain into the timer.
 *
 * @author Redis Governor contributors
 */
public class DrainMetrics implements MeterBinder, DrainObserver {

	private final String application;

	private final InFlightCommands inFlight;

	private volatile @Nullable Timer timer;

	/**
	 * Create the binder.
	 * @param application the value of the {@code application} tag
	 * @param inFlight the in-flight command counter
	 */
	public DrainMetrics(String application, InFlightCommands inFlight) {
		this.application = application;
		this.inFlight = inFlight;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("redis.governor.commands.inflight", this.inFlight, InFlightCommands::current)
			.description("Redis commands sent by this instance that have not completed yet")
			.baseUnit("commands")
			.tag("application", this.application)
			.strongReference(true)
			.register(registry);
		this.timer = Timer.builder("redis.governor.drain")
			.description("Time the shutdown drain took, from its start to the close of the Redis connection")
			.tag("application", this.application)
			.register(registry);
	}

	@Override
	public void drained(DrainSummary summary) {
		Timer current = this.timer;
		if (current != null) {
			current.record(summary.duration());
		}
	}

}
