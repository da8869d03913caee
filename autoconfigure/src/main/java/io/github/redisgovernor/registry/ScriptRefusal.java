package io.github.redisgovernor.registry;

import java.util.Locale;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Tells a refusal of the heartbeat script itself from any other error reply to it, by the
 * error's text.
 * <p>
 * A refusal means the same work sent as plain commands would succeed where the script
 * cannot:
 * <ul>
 * <li>the user may not run {@code EVAL} or {@code EVALSHA} ({@code NOPERM ... 'evalsha'
 * command});</li>
 * <li>the server does not know them, or does not support or allow them (renamed away, a
 * proxy or a Redis-compatible server without Lua);</li>
 * <li>scripting is disabled, or a command the script calls is not allowed from
 * scripts;</li>
 * <li>the server is too old to write after {@code TIME} in a script (before Redis 5,
 * without {@code redis.replicate_commands()}).</li>
 * </ul>
 * Every other error reply says something about the server's state, and the plain commands
 * would get it too: {@code OOM}, {@code LOADING}, {@code BUSY}, {@code READONLY},
 * {@code MASTERDOWN}, {@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code WRONGTYPE}, and
 * {@code NOPERM} for the registry key or for a command inside the script (the ACL applies
 * to plain commands alike). Lua errors of the script's own making are not refusals
 * either: they are a bug to report, not a reason to cost Redis five times more. The text
 * is matched rather than Lettuce's exception types because Lettuce has no type for most
 * of these, and Redis before 7 wraps an error raised inside a script in
 * {@code ERR Error running script ...}.
 *
 * @author Redis Governor contributors
 */
final class ScriptRefusal {

	/**
	 * {@code EVAL}, {@code EVALSHA} or their {@code _RO} forms, quoted as Redis quotes
	 * command names.
	 */
	private static final Pattern SCRIPT_COMMAND = Pattern.compile("['`\"]eval(sha)?(_ro)?['`\"]");

	private static final Pattern COMMAND_REFUSED = Pattern
		.compile("^noperm|no permissions|unknown command|unsupported|not supported|disabled|not allowed");

	private static final Pattern SCRIPTING_REFUSED = Pattern
		.compile("not allowed from script|not allowed after non deterministic commands"
				+ "|\\b(lua|scripts?|scripting)\\b[^.]*\\b(disabled|not enabled|not supported|unsupported)\\b");

	private ScriptRefusal() {
	}

	/**
	 * Return whether an error reply to the heartbeat script refuses scripts themselves.
	 * @param errorReply the server's error reply, for example
	 * {@code NOPERM this user has no permissions to run the 'evalsha' command}
	 * @return {@code true} for a refusal of scripts, {@code false} for any other error
	 */
	static boolean isRefusal(@Nullable String errorReply) {
		if (errorReply == null) {
			return false;
		}
		String reply = errorReply.strip().toLowerCase(Locale.ROOT);
		return (SCRIPT_COMMAND.matcher(reply).find() && COMMAND_REFUSED.matcher(reply).find())
				|| SCRIPTING_REFUSED.matcher(reply).find();
	}

}
