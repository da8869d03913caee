package io.github.redisgovernor.watchdog;

import io.github.redisgovernor.drain.DrainParticipant;

import org.springframework.context.SmartLifecycle;

/**
 * Watches the governed, shared Redis connection and replaces it when it is dead.
 * {@link #NONE} stands in when the watchdog is disabled.
 *
 * @author Redis Governor contributors
 * @see PingWatchdog
 */
public interface ConnectionWatchdog extends SmartLifecycle, DrainParticipant {

	/**
	 * Phase of the watchdog: it starts after the connection factory (phase 0) and stops
	 * before it, right after the web server's graceful shutdown phase.
	 */
	int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

	/**
	 * A watchdog that does nothing, for when the watchdog is disabled.
	 */
	ConnectionWatchdog NONE = new ConnectionWatchdog() {

		@Override
		public long getRecoveries() {
			return 0;
		}

		@Override
		public void start() {
		}

		@Override
		public void stop() {
		}

		@Override
		public boolean isRunning() {
			return false;
		}

		@Override
		public String toString() {
			return "ConnectionWatchdog.NONE";
		}

	};

	/**
	 * Return how many times this watchdog replaced a dead connection.
	 * @return the number of recoveries
	 */
	long getRecoveries();

	@Override
	default int getPhase() {
		return PHASE;
	}

	@Override
	default void stopBeforeDrain() {
		stop();
	}

}
