package io.github.redisgovernor.drain;

import io.github.redisgovernor.connection.GovernedConnection;
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

	private final GovernedConnection connection;

	private volatile @Nullable Timer timer;

	/**
	 * Create the binder.
	 * @param application the value of the {@code application} tag
	 * @param connection the governed connection, whose shared connections' commands in
	 * flight the gauge reads
	 */
	public DrainMetrics(String application, GovernedConnection connection) {
		this.application = application;
		this.connection = connection;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge
			.builder("redis.governor.commands.inflight", this.connection,
					(governed) -> governed.sharedActivity().waiting())
			.description("Commands sent on the shared connections that wait for their reply")
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
