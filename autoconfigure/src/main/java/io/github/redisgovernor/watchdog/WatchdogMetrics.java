package io.github.redisgovernor.watchdog;

import io.github.redisgovernor.client.InstanceIdentity;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Binds {@code redis.governor.watchdog.recoveries}: the connections the watchdog
 * replaced.
 *
 * @author Redis Governor contributors
 */
public class WatchdogMetrics implements MeterBinder {

	private final ConnectionWatchdog watchdog;

	private final InstanceIdentity identity;

	public WatchdogMetrics(ConnectionWatchdog watchdog, InstanceIdentity identity) {
		this.watchdog = watchdog;
		this.identity = identity;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		FunctionCounter.builder("redis.governor.watchdog.recoveries", this.watchdog, ConnectionWatchdog::getRecoveries)
			.description("Dead connections the watchdog replaced")
			.tag("application", this.identity.getApplication())
			.register(registry);
	}

}
