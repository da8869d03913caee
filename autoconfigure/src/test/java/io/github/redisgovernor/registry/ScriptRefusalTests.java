package io.github.redisgovernor.registry;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ScriptRefusal}. The replies marked 7.0 were taken from
 * {@code redis-server} 7.0.15 (the fixture's embedded binary); the others are the
 * wordings of other versions, proxies and Redis-compatible servers.
 */
class ScriptRefusalTests {

	@ParameterizedTest
	@ValueSource(strings = {
			// 7.0, ACL without +@scripting, and without +eval when the script is not
			// loaded yet
			"NOPERM this user has no permissions to run the 'evalsha' command",
			"NOPERM this user has no permissions to run the 'eval' command",
			// 6.x and 7.2 wordings
			"NOPERM this user has no permissions to run the 'evalsha' command or its subcommand",
			"NOPERM User noscripts has no permissions to run the 'evalsha' command",
			// renamed away (rename-command EVALSHA ""), or a server without Lua; 7.0,
			// 6.0, 4.0
			"ERR unknown command 'EVALSHA', with args beginning with: 'abc' '0' ",
			"ERR unknown command `EVALSHA`, with args beginning with: `abc`, `0`, ", "ERR unknown command 'evalsha'",
			// proxies and compatible servers
			"ERR unsupported command 'evalsha'", "ERR command 'EVAL' is not supported", "ERR scripting is disabled",
			"ERR Lua scripts are not supported by this server",
			// 7.0 and 6.x: a command the script calls is not allowed from scripts
			"ERR This Redis command is not allowed from script script: ba922d924f6e7808414359ed93c37767dd0532ce, on @user_script:1.",
			"ERR Error running script (call to f_ba92): @user_script:1: @user_script: 1: This Redis command is not allowed from scripts",
			// before Redis 5: a write after TIME
			"ERR Error running script (call to f_32dc): @user_script:4: @user_script: 4: Write commands not allowed after "
					+ "non deterministic commands. Call redis.replicate_commands() at the start of your script in order "
					+ "to switch to single commands replication mode." })
	void isRefusalWhenScriptsThemselvesAreRefused(String reply) {
		assertThat(ScriptRefusal.isRefusal(reply)).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = {
			// 7.0: maxmemory reached with noeviction, inside the script and as a plain
			// command
			"OOM command not allowed when used memory > 'maxmemory'. script: 32dc8efd714fce8caf20dda561237052dffff6da, on @user_script:4.",
			"OOM command not allowed when used memory > 'maxmemory'.",
			// 6.x wraps it
			"ERR Error running script (call to f_32dc): @user_script:4: @user_script: 4: -OOM command not allowed when used memory > 'maxmemory'.",
			"LOADING Redis is loading the dataset in memory",
			"BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
			"READONLY You can't write against a read only replica. script: 32dc8efd714fce8caf20dda561237052dffff6da, on @user_script:4.",
			"MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
			"TRYAGAIN Multiple keys request during rehashing of slot", "CLUSTERDOWN The cluster is down",
			"CLUSTERDOWN Hash slot not served",
			"WRONGTYPE Operation against a key holding the wrong kind of value script: 32dc8efd714fce8caf20dda561237052dffff6da, on @user_script:4.",
			// handled by EVAL, never seen here; it names EVAL without refusing it
			"NOSCRIPT No matching script. Please use EVAL.",
			// the ACL refuses the key or a command in the script: plain commands would be
			// refused too
			"NOPERM this user has no permissions to access one of the keys used as arguments",
			"ERR The user executing the script can't run this command or subcommand script: 32dc8efd714fce8caf20dda561237052dffff6da, on @user_script:4.",
			"NOPERM User eval has no permissions to run the 'zadd' command",
			// a Lua error of the script's own making
			"ERR user_script:2: attempt to perform arithmetic on a nil value script: 32dc8efd714fce8caf20dda561237052dffff6da, on @user_script:2." })
	void isNotRefusalForAnyOtherError(String reply) {
		assertThat(ScriptRefusal.isRefusal(reply)).isFalse();
	}

	@ParameterizedTest
	@NullAndEmptySource
	void isNotRefusalWithoutAReply(String reply) {
		assertThat(ScriptRefusal.isRefusal(reply)).isFalse();
	}

}
