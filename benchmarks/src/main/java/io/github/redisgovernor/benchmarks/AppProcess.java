package io.github.redisgovernor.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link SoakApplication} in a JVM of its own, as an application runs in production: on a
 * free loopback port, its output in a temporary file, stopped with a real SIGTERM.
 * <p>
 * Each instance is either governed (the starter as it comes) or plain Spring Boot
 * ({@code redis.governor.enabled=false}, which backs every auto-configuration of the
 * governor off); further {@code --name=value} arguments add to or override the settings.
 *
 * <pre>{@code
 * try (AppProcess app = AppProcess.start(redis.port(), true, "orders")) {
 *     Duration ready = app.awaitAnswer("/kv/x", Duration.ofSeconds(60));
 *     ... app.port() ...
 * }
 * }</pre>
 *
 * @author Redis Governor contributors
 */
final class AppProcess implements AutoCloseable {

	private static final Pattern STARTED = Pattern
		.compile("Started SoakApplication in ([0-9.]+) seconds(?: \\(process running for ([0-9.]+)\\))?");

	private final Process process;

	private final int port;

	private final Path log;

	private final long startedAt;

	private AppProcess(Process process, int port, Path log, long startedAt) {
		this.process = process;
		this.port = port;
		this.log = log;
		this.startedAt = startedAt;
	}

	/**
	 * Starts the application against {@code 127.0.0.1:redisPort}.
	 * @param redisPort the Redis port (or a proxy's)
	 * @param governed whether the governor is enabled
	 * @param application {@code redis.governor.application}, the prefix of the governed
	 * connection's name
	 * @param arguments more {@code --name=value} arguments
	 * @return the process, starting
	 */
	static AppProcess start(int redisPort, boolean governed, String application, String... arguments) {
		int port = freePort();
		List<String> command = new ArrayList<>(
				List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
						System.getProperty("java.class.path"), SoakApplication.class.getName(), "--server.port=" + port,
						"--server.address=127.0.0.1", "--spring.data.redis.host=127.0.0.1",
						"--spring.data.redis.port=" + redisPort, "--redis.governor.enabled=" + governed,
						"--redis.governor.application=" + application, "--spring.main.banner-mode=off",
						"--logging.level.root=WARN", "--logging.level.io.github.redisgovernor=INFO"));
		command.addAll(List.of(arguments));
		try {
			Path log = Files.createTempFile("soak-application-", ".log");
			long startedAt = System.nanoTime();
			Process process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(log.toFile())
				.start();
			return new AppProcess(process, port, log, startedAt);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot start " + SoakApplication.class.getSimpleName(), ex);
		}
	}

	/**
	 * A free loopback port, for a server to listen on.
	 * @return the port
	 */
	static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("No free port", ex);
		}
	}

	int port() {
		return this.port;
	}

	long pid() {
		return this.process.pid();
	}

	/**
	 * The CPU time the application's JVM has used so far, all its threads together.
	 * @return the CPU time, or {@link Duration#ZERO} when the platform does not say
	 */
	Duration cpuTime() {
		return this.process.info().totalCpuDuration().orElse(Duration.ZERO);
	}

	/**
	 * Probes {@code GET path} every 50 ms until the application answers with any status.
	 * @param path the path to probe
	 * @param timeout how long to wait at most
	 * @return the time from the start of the process to the first answer
	 * @throws IllegalStateException when the process exits or the timeout passes first,
	 * naming its log
	 */
	Duration awaitAnswer(String path, Duration timeout) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			if (HttpConnection.get("127.0.0.1", this.port, path, Duration.ofSeconds(5)).answered()) {
				return Duration.ofNanos(System.nanoTime() - this.startedAt);
			}
			if (!this.process.isAlive() || System.nanoTime() > deadline) {
				throw new IllegalStateException("The application on port " + this.port + " did not answer GET " + path
						+ " within " + timeout.toSeconds() + " s" + (this.process.isAlive() ? "" : " (it exited)")
						+ "; its output is in " + this.log);
			}
			sleep(50);
		}
	}

	/**
	 * What Spring Boot logged as its startup time: {@code Started ... in N seconds}.
	 * @return the seconds, empty before that line
	 */
	OptionalDouble bootStartedSeconds() {
		for (String line : log()) {
			Matcher matcher = STARTED.matcher(line);
			if (matcher.find()) {
				return OptionalDouble.of(Double.parseDouble(matcher.group(1)));
			}
		}
		return OptionalDouble.empty();
	}

	/**
	 * The application's output so far.
	 * @return the lines
	 */
	List<String> log() {
		try {
			return Files.readAllLines(this.log);
		}
		catch (IOException ex) {
			return List.of("(cannot read " + this.log + ": " + ex.getMessage() + ")");
		}
	}

	/** Sends SIGTERM. */
	void terminate() {
		this.process.destroy();
	}

	/**
	 * Waits for the process to exit.
	 * @param timeout how long at most
	 * @return whether it exited
	 */
	boolean waitFor(Duration timeout) {
		try {
			return this.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

	int exitValue() {
		return this.process.exitValue();
	}

	/**
	 * SIGTERM, 5 s to exit, then SIGKILL; deletes the output file.
	 */
	@Override
	public void close() {
		if (this.process.isAlive()) {
			terminate();
			if (!waitFor(Duration.ofSeconds(5))) {
				this.process.destroyForcibly();
				waitFor(Duration.ofSeconds(10));
			}
		}
		try {
			Files.deleteIfExists(this.log);
		}
		catch (IOException ex) {
			// a temporary file
		}
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
