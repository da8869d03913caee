package io.github.redisgovernor.drain;

import java.util.concurrent.atomic.LongAdder;

import io.lettuce.core.event.command.CommandFailedEvent;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.lettuce.core.event.command.CommandSucceededEvent;

/**
 * Counts the commands in flight on the governed client: started minus finished
 * (succeeded or failed). Registered as a Lettuce {@link CommandListener} on the governed
 * factory's native client.
 * <p>
 * It sits on the command path, so it does nothing but add to a {@link LongAdder}: no
 * clock, no allocation, no lock. The drain and the meters read the sums.
 * <p>
 * Lettuce tells the listener just after it has completed the caller's future, so the
 * count may lag a reply by a few microseconds; the drain's quiet period absorbs that.
 *
 * @author Redis Governor contributors
 */
public class InFlightCommands implements CommandListener {

	private final LongAdder started = new LongAdder();

	private final LongAdder finished = new LongAdder();

	@Override
	public void commandStarted(CommandStartedEvent event) {
		this.started.increment();
	}

	@Override
	public void commandSucceeded(CommandSucceededEvent event) {
		this.finished.increment();
	}

	@Override
	public void commandFailed(CommandFailedEvent event) {
		this.finished.increment();
	}

	/**
	 * Return the number of commands in flight now.
	 * @return commands started and not yet finished, never negative
	 */
	public long current() {
		// Read finished first: a command that finishes between the two reads then shows
		// as still in flight (over-count) rather than as a negative number.
		long done = this.finished.sum();
		return Math.max(0, this.started.sum() - done);
	}

	/**
	 * Return the number of commands started since the application started.
	 * @return the count of started commands
	 */
	public long started() {
		return this.started.sum();
	}

	/**
	 * Return the number of commands finished (succeeded or failed) since the application
	 * started.
	 * @return the count of finished commands
	 */
	public long finished() {
		return this.finished.sum();
	}

}
