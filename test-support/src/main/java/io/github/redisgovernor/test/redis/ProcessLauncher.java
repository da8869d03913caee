package io.github.redisgovernor.test.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a redis-server binary of this host as a child process. */
final class ProcessLauncher implements Launcher {

	private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

	private static final int LOG_TAIL_LINES = 30;

	private final Path binary;

	private final RedisServer.Source source;

	ProcessLauncher(Path binary, RedisServer.Source source) {
		this.binary = binary;
		this.source = source;
	}

	Path binary() {
		return binary;
	}

	@Override
	public RedisServer.Source source() {
		return source;
	}

	@Override
	public String description() {
		return binary.toString();
	}

	@Override
	public RedisInstance launch(int port, List<String> redisArgs, Path workDir) throws IOException {
		return launch(List.of(binary.toString()), port, redisArgs, workDir);
	}

	/**
	 * The same binary: the config file must be its first argument, and {@code --sentinel}
	 * may stand anywhere.
	 */
	@Override
	public RedisInstance launchSentinel(int port, Path configFile, List<String> redisArgs, Path workDir)
			throws IOException {
		return launch(List.of(binary.toString(), configFile.toAbsolutePath().toString(), "--sentinel"), port, redisArgs,
				workDir);
	}

	private RedisInstance launch(List<String> head, int port, List<String> redisArgs, Path workDir) throws IOException {
		Path logFile = workDir.resolve("redis.log");
		Path consoleFile = workDir.resolve("console.log");
		List<String> command = new ArrayList<>(head);
		command.addAll(List.of("--port", String.valueOf(port), "--bind", "127.0.0.1", "--dir", workDir.toString(),
				"--daemonize", "no", "--logfile", logFile.toString()));
		command.addAll(redisArgs);
		ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
			.redirectErrorStream(true)
			.redirectOutput(Redirect.appendTo(consoleFile.toFile()));
		// Both files are appended to across restarts; a run only reports what it wrote
		// itself.
		long logOffset = sizeOf(logFile);
		long consoleOffset = sizeOf(consoleFile);
		return new LocalInstance(start(builder), logFile, logOffset, consoleFile, consoleOffset);
	}

	/**
	 * Starts the process, retrying on ETXTBSY: a binary just extracted by this JVM can be
	 * briefly held open for writing by a child that another thread forked meanwhile.
	 */
	private static Process start(ProcessBuilder builder) throws IOException {
		for (int attempt = 1;; attempt++) {
			try {
				return builder.start();
			}
			catch (IOException e) {
				if (attempt == 5 || e.getMessage() == null || !e.getMessage().contains("error=26")) {
					throw e;
				}
				sleep(Duration.ofMillis(50L * attempt));
			}
		}
	}

	private static long sizeOf(Path file) throws IOException {
		return Files.exists(file) ? Files.size(file) : 0;
	}

	static void sleep(Duration duration) {
		try {
			Thread.sleep(duration.toMillis());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted", e);
		}
	}

	private static final class LocalInstance implements RedisInstance {

		private final Process process;

		private final Path logFile;

		private final long logOffset;

		private final Path consoleFile;

		private final long consoleOffset;

		LocalInstance(Process process, Path logFile, long logOffset, Path consoleFile, long consoleOffset) {
			this.process = process;
			this.logFile = logFile;
			this.logOffset = logOffset;
			this.consoleFile = consoleFile;
			this.consoleOffset = consoleOffset;
		}

		@Override
		public long pid() {
			return process.pid();
		}

		@Override
		public boolean isAlive() {
			return process.isAlive();
		}

		@Override
		public void pause() {
			signal("STOP");
			awaitStopped();
		}

		@Override
		public void resume() {
			signal("CONT");
		}

		@Override
		public void stop() {
			if (!process.isAlive()) {
				return;
			}
			process.destroy(); // SIGTERM: redis-server shuts down cleanly (nothing to
								// save)
			if (!awaitExit()) {
				kill();
			}
		}

		@Override
		public void kill() {
			process.destroyForcibly();
			if (!awaitExit()) {
				throw new IllegalStateException("redis-server pid " + pid() + " did not exit after SIGKILL");
			}
		}

		private boolean awaitExit() {
			try {
				return process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while waiting for redis-server to exit", e);
			}
		}

		private void signal(String signal) {
			if (!process.isAlive()) {
				throw new IllegalStateException("redis-server pid " + pid() + " is not running");
			}
			// The shell's built-in kill: /bin/kill is not installed on every slim image.
			ProcessBuilder builder = new ProcessBuilder("sh", "-c", "kill -s " + signal + " \"$1\"", "sh",
					String.valueOf(pid()))
				.redirectErrorStream(true);
			try {
				Process kill = builder.start();
				String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
				if (!kill.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
					throw new IllegalStateException("kill -s " + signal + " " + pid() + " failed: " + output);
				}
			}
			catch (IOException e) {
				throw new UncheckedIOException("Could not run kill -s " + signal, e);
			}
			catch (InterruptedException e) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("Interrupted while sending SIG" + signal, e);
			}
		}

		/**
		 * SIGSTOP takes effect asynchronously; on Linux wait until the process state is
		 * 'T' so that callers can rely on the server being frozen once {@link #pause()}
		 * returns.
		 */
		private void awaitStopped() {
			Path stat = Path.of("/proc", String.valueOf(pid()), "stat");
			if (!Files.exists(stat)) {
				return;
			}
			long deadline = System.nanoTime() + EXIT_TIMEOUT.toNanos();
			while (System.nanoTime() < deadline) {
				try {
					String content = Files.readString(stat);
					// "pid (comm) S ...": the command name may contain spaces and
					// parentheses.
					char state = content.charAt(content.lastIndexOf(')') + 2);
					if (state == 'T' || state == 't') {
						return;
					}
				}
				catch (IOException e) {
					return; // the process is gone; later calls report it
				}
				sleep(Duration.ofMillis(5));
			}
			throw new IllegalStateException("redis-server pid " + pid() + " did not stop after SIGSTOP");
		}

		@Override
		public String logTail() {
			List<String> lines = new ArrayList<>();
			lines.addAll(readFrom(logFile, logOffset));
			lines.addAll(readFrom(consoleFile, consoleOffset));
			return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
		}

		private static List<String> readFrom(Path file, long offset) {
			try (InputStream in = Files.newInputStream(file)) {
				in.skipNBytes(offset);
				String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
				return text.isBlank() ? List.of() : Arrays.asList(text.strip().split("\\R"));
			}
			catch (IOException e) {
				return List.of();
			}
		}

	}

}
