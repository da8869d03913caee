package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lookup order, end to end: child JVMs with a prepared environment start a real
 * server. A copy of the embedded binary stands in for a redis-server installed on the
 * PATH.
 */
@EnabledOnOs(OS.LINUX) // /proc/<pid>/exe tells which binary runs
class SourceSelectionTests {

	@TempDir
	static Path binDir;

	private static Path installed;

	@BeforeAll
	static void installRedisServer() throws IOException {
		String resource = EmbeddedBinary.resourceName(System.getProperty("os.name"), System.getProperty("os.arch"));
		installed = EmbeddedBinary.extract(resource, binDir);
		assertThat(installed).isEqualTo(binDir.resolve("redis-server")).isExecutable();
	}

	@Test
	void redisServerOnThePathComesFirst() throws Exception {
		Map<String, String> report = runFixture("report",
				Map.of("PATH", binDir + File.pathSeparator + System.getenv("PATH")));
		assertThat(report).containsEntry("source", "PATH").containsEntry("ping", "PONG").containsEntry("exit", "0");
		assertThat(report.get("exe")).isEqualTo(installed.toRealPath().toString());
	}

	@Test
	void redisServerBinEnvironmentVariableIsUsed() throws Exception {
		Map<String, String> report = runFixture("report", Map.of(LauncherResolver.BIN_ENV, installed.toString()));
		assertThat(report).containsEntry("source", "PATH").containsEntry("ping", "PONG");
		assertThat(report.get("exe")).isEqualTo(installed.toRealPath().toString());
	}

	@Test
	void environmentVariableForcesTheEmbeddedBinaryOverThePath() throws Exception {
		Map<String, String> report = runFixture("report", Map.of("PATH",
				binDir + File.pathSeparator + System.getenv("PATH"), LauncherResolver.SOURCE_ENV, "embedded"));
		assertThat(report).containsEntry("source", "EMBEDDED").containsEntry("ping", "PONG");
		assertThat(report.get("exe")).isNotEqualTo(installed.toRealPath().toString()).endsWith("redis-server");
	}

	@Test
	void systemPropertyForcesTheEmbeddedBinary() {
		System.setProperty(LauncherResolver.SOURCE_PROPERTY, "embedded");
		try (RedisServer server = RedisServer.start()) {
			assertThat(server.source()).isEqualTo(RedisServer.Source.EMBEDDED);
			assertThat(server.command("PING")).isEqualTo("PONG");
			assertThat(server.version()).isEqualTo(EmbeddedBinary.REDIS_VERSION);
		}
		finally {
			System.clearProperty(LauncherResolver.SOURCE_PROPERTY);
		}
	}

	@Test
	void aWrongRedisServerBinFailsClearly() throws Exception {
		Map<String, String> report = runFixture("report", Map.of(LauncherResolver.BIN_ENV, "/no/such/redis-server"));
		assertThat(report.get("exit")).isNotEqualTo("0");
		assertThat(report.get("output")).contains("REDIS_SERVER_BIN=/no/such/redis-server is not an executable file");
	}

	@Test
	void theShutdownHookKillsServersThatWereNotClosed() throws Exception {
		Map<String, String> report = runFixture("leak", Map.of());
		assertThat(report).containsEntry("ping", "PONG").containsEntry("exit", "0");
		long pid = Long.parseLong(report.get("pid"));
		try {
			assertThat(Await.alive(pid)).isFalse();
		}
		finally {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
	}

	/**
	 * Runs {@link FixtureMain} in a child JVM; returns its key=value lines plus exit and
	 * output.
	 */
	private static Map<String, String> runFixture(String mode, Map<String, String> env) throws Exception {
		Path java = Path.of(System.getProperty("java.home"), "bin", "java");
		ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
				FixtureMain.class.getName(), mode)
			.redirectErrorStream(true);
		builder.environment().remove(LauncherResolver.SOURCE_ENV);
		builder.environment().remove(LauncherResolver.BIN_ENV);
		builder.environment().putAll(env);
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("child JVM exited").isTrue();

		Map<String, String> report = new LinkedHashMap<>();
		for (String line : output.split("\\R")) {
			int equals = line.indexOf('=');
			if (equals > 0 && List.of("source", "pid", "ping", "exe").contains(line.substring(0, equals))) {
				report.put(line.substring(0, equals), line.substring(equals + 1));
			}
		}
		report.put("exit", String.valueOf(process.exitValue()));
		report.put("output", output);
		return report;
	}

}
