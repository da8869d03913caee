package io.github.redisgovernor.client;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;

/**
 * Words a failure to talk to Redis for a log line, a health detail or the endpoint.
 *
 * @author Redis Governor contributors
 */
public final class Failures {

	private Failures() {
	}

	/**
	 * Describe a failure in one line for health details, logs and the endpoint: the
	 * server's error reply (for example {@code NOPERM ...}) or the client's message.
	 * @param ex the failure
	 * @return the description, never containing credentials
	 */
	public static String describe(@Nullable Throwable ex) {
		Throwable cause = ex;
		while ((cause instanceof ExecutionException || cause instanceof CompletionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause == null) {
			return "no reply";
		}
		if (cause instanceof TimeoutException) {
			return "no reply within the command timeout";
		}
		String message = cause.getMessage();
		if (message == null || message.isBlank()) {
			return cause.getClass().getSimpleName();
		}
		message = message.strip();
		// Callers append their own sentence: "Commands are rejected." must not end in
		// "..".
		return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
	}

}
