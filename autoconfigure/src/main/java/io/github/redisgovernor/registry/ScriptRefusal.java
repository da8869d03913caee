package io.github.redisgovernor.registry;

import java.util.Locale;

import io.lettuce.core.RedisCommandExecutionException;

/**
 * Tells a refusal of scripts themselves, the one error that makes the heartbeat fall back
 * to plain commands, from a transient error that fails one heartbeat only (OOM, LOADING,
 * BUSY, READONLY, MASTERDOWN, TRYAGAIN, CLUSTERDOWN).
 *
 * @author Redis Governor contributors
 */
final class ScriptRefusal {

	private ScriptRefusal() {
	}

	static boolean isRefusal(RedisCommandExecutionException ex) {
		return isRefusal(ex.getMessage());
	}

	static boolean isRefusal(@org.jspecify.annotations.Nullable String message) {
		if (message == null) {
			return false;
		}
		String text = message.strip().toLowerCase(Locale.ROOT);
		if (text.startsWith("noperm")) {
			// The ACL forbids EVAL/EVALSHA (or a command inside the script).
			return true;
		}
		if (text.startsWith("err unknown command") || text.startsWith("err unknown or disabled command")) {
			// Scripting renamed away or disabled (rename-command, managed services).
			return true;
		}
		// A server too old to write after TIME in a script (Redis before 5 without
		// effects replication), or scripts disabled by configuration.
		return text.startsWith("err") && (text.contains("write commands not allowed after non deterministic")
				|| text.contains("scripting is disabled") || text.contains("script") && text.contains("disabled"));
	}

}
