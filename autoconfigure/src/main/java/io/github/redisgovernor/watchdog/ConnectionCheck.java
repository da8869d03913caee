package io.github.redisgovernor.watchdog;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.github.redisgovernor.connection.ConnectionActivity.Activity;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * The watchdog's judgement of one shared connection, one tick at a time. Pure state, no
 * I/O: the caller sends the {@code PING} and closes the channel when told to.
 * <p>
 * The rule: a connection is dead only when the server has stopped answering it. Any read
 * on the connection (a reply to any command, the watchdog's {@code PING} included) is
 * proof of life. A check fails when a {@code PING} got no reply within the
 * {@code timeout}; the connection is replaced only after {@code failureThreshold} failed
 * checks in a row <em>and</em> once nothing at all arrived for {@code deadAfter}, the
 * longest a command may legitimately run (the command timeout): a slow script or a burst
 * that fills the queue is never mistaken for a dead peer. A {@code PING} that never left
 * (queue full, not connected) is not a failed check, except when the queue is full of
 * commands the server has not answered for {@code deadAfter}.
 *
 * @author Redis Governor contributors
 */
final class ConnectionCheck {

	private final WatchdogSettings settings;

	private long idleInterval;

	private long lastReads = Long.MIN_VALUE;

	private long lastProof;

	private boolean waitingAtLastTick;

	private @Nullable CompletableFuture<String> pending;

	private long pendingSince;

	private int failures;

	private long silentAtReplace;

	ConnectionCheck(WatchdogSettings settings, long now) {
		this.settings = settings;
		this.idleInterval = settings.interval();
		this.lastProof = now;
	}

	/**
	 * What the watchdog must do after this tick.
	 */
	enum Action {

		NOTHING, PING, REPLACE

	}

	/**
	 * Judge the connection now.
	 * @param now the tick's time, in nanoseconds
	 * @param open whether the connection is open (not reconnecting)
	 * @param activity the connection's activity
	 * @return what to do
	 */
	Action tick(long now, boolean open, Activity activity) {
		if (!open) {
			// Lettuce is reconnecting: nothing to replace.
			forgetPing();
			this.failures = 0;
			this.lastProof = now;
			return Action.NOTHING;
		}
		// Stalled: commands were waiting at the previous tick already, and nothing
		// arrived
		// since. A command written just before this tick is not a stall.
		boolean stalled = activity.known() && activity.waiting() > 0 && this.waitingAtLastTick
				&& activity.reads() == this.lastReads;
		this.waitingAtLastTick = activity.waiting() > 0;
		if (activity.known() && activity.reads() != this.lastReads) {
			this.lastReads = activity.reads();
			proof(now);
		}
		CompletableFuture<String> ping = this.pending;
		if (ping != null) {
			return judgePending(now, ping, activity);
		}
		long silence = now - this.lastProof;
		boolean idleDue = silence >= this.idleInterval + this.settings.fastInterval() / 2;
		return (stalled || idleDue || this.failures > 0) ? Action.PING : Action.NOTHING;
	}

	/**
	 * Let an idle connection go longer without a {@code PING}: never less than the
	 * configured interval.
	 * @param nanos the time without any reply after which an idle connection gets a
	 * {@code PING}
	 */
	void idleInterval(long nanos) {
		this.idleInterval = Math.max(this.settings.interval(), nanos);
	}

	/**
	 * Record the {@code PING} sent after {@link Action#PING}.
	 * @param now when it was sent
	 * @param ping its reply to come
	 * @param activity the connection's activity
	 * @return what to do now, if the {@code PING} was rejected at once
	 */
	Action sent(long now, CompletableFuture<String> ping, Activity activity) {
		this.pending = ping;
		this.pendingSince = now;
		return ping.isDone() ? judgePending(now, ping, activity) : Action.NOTHING;
	}

	private Action judgePending(long now, CompletableFuture<String> ping, Activity activity) {
		if (!ping.isDone()) {
			return (now - this.pendingSince >= this.settings.timeout()) ? failed(now, activity) : Action.NOTHING;
		}
		this.pending = null;
		Throwable failure = failureOf(ping);
		if (failure == null || failure instanceof RedisCommandExecutionException) {
			// A reply, even an error reply: the server answers.
			proof(now);
			return Action.NOTHING;
		}
		if (failure instanceof RedisCommandTimeoutException) {
			return failed(now, activity);
		}
		// Rejected locally: the PING never reached the server. Only a queue full of
		// commands the server leaves unanswered says anything about the server.
		String message = String.valueOf(failure.getMessage());
		if ((message.contains("queue size exceeded") || message.contains("stack size exceeded"))
				&& activity.waiting() > 0) {
			return failed(now, activity);
		}
		return Action.NOTHING;
	}

	private Action failed(long now, Activity activity) {
		this.failures++;
		long since = activity.known() ? this.lastProof : this.pendingSince;
		if (this.failures < this.settings.failureThreshold() || now - since < this.settings.deadAfter()) {
			// Not yet, or something answered recently enough: a long command may still be
			// running.
			return Action.NOTHING;
		}
		forgetPing();
		this.failures = 0;
		this.silentAtReplace = now - this.lastProof;
		this.lastProof = now;
		return Action.REPLACE;
	}

	private void proof(long now) {
		this.lastProof = now;
		this.failures = 0;
	}

	private void forgetPing() {
		CompletableFuture<String> ping = this.pending;
		if (ping != null) {
			ping.cancel(false);
		}
		this.pending = null;
	}

	int failures() {
		return this.failures;
	}

	/**
	 * How long nothing had arrived when the last {@link Action#REPLACE} was decided.
	 */
	long silentMillisAtReplace() {
		return this.silentAtReplace / 1_000_000;
	}

	private static @Nullable Throwable failureOf(CompletableFuture<String> future) {
		try {
			future.join();
			return null;
		}
		catch (CompletionException ex) {
			return (ex.getCause() != null) ? ex.getCause() : ex;
		}
		catch (RuntimeException ex) {
			return ex;
		}
	}

}
