package io.github.redisgovernor.test.redis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM by the tests that need another environment or a JVM exit. Prints
 * {@code
 * key=value} lines: source, pid, ping and (on Linux) exe, the binary the server runs.
 */
public final class FixtureMain {

	private FixtureMain() {
	}

	public static void main(String[] args) throws IOException {
		String mode = args.length == 0 ? "report" : args[0];
		RedisServer server = RedisServer.start();
		System.out.println("source=" + server.source());
		System.out.println("pid=" + server.pid());
		System.out.println("ping=" + server.command("PING"));
		Path exe = Path.of("/proc", String.valueOf(server.pid()), "exe");
		if (Files.exists(exe)) {
			System.out.println("exe=" + exe.toRealPath());
		}
		System.out.flush();
		if ("leak".equals(mode)) {
			System.exit(0); // without close(): the shutdown hook must kill the process
		}
		server.close();
	}

}
