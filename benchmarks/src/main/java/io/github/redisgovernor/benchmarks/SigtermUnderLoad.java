package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.redisgovernor.test.redis.RedisServer;

/**
 * Sends a real SIGTERM to a separate {@link SoakApplication} process while 40 callers
 * keep {@code GET /slow} busy (one Redis call, then 300 ms), once governed and once with
 * {@code redis.governor.enabled=false}, and counts the outcomes: 200, refused (the server
 * no longer accepts connections), and anything else (another status, or a connection
 * reset). The application prints how many requests entered the endpoint and how many
 * completed: a request the application accepted has failed only if those two differ or if
 * fewer 200s came back than requests entered (a reset of a connection still in the
 * kernel's accept queue when Tomcat closes its server socket is not one the application
 * accepted). Prints the application's drain line too.
 *
 * @author Redis Governor contributors
 */
public final class SigtermUnderLoad {

	private static final int CALLERS = 40;

	private static final Pattern SLOW_ENDPOINT = Pattern
		.compile("slow endpoint: (\\d+) requests entered, (\\d+) completed");

	private SigtermUnderLoad() {
	}

	public static void main(String[] args) throws Exception {
		Options.parse("SigtermUnderLoad", args);
		try (RedisServer redis = RedisServer.start()) {
			for (boolean governed : new boolean[] { true, false }) {
				measure(redis, governed);
			}
		}
		System.exit(0);
	}

	/**
	 * One SIGTERM under load, printed as it goes.
	 * @param redis the server
	 * @param governed whether the governor is enabled
	 * @return what the callers got and what the application said
	 * @throws InterruptedException when interrupted
	 */
	static Result measure(RedisServer redis, boolean governed) throws InterruptedException {
		try (AppProcess app = AppProcess.start(redis.port(), governed, "sigterm", "--server.shutdown=graceful",
				"--logging.level.org.springframework.boot.tomcat.GracefulShutdown=INFO")) {
			app.awaitAnswer("/slow", Duration.ofSeconds(60));
			Map<String, Long> outcomes;
			long exitMillis;
			boolean exited;
			try (HttpLoad load = HttpLoad.on("127.0.0.1", app.port())
				.connections(CALLERS)
				.get("/slow")
				.closeAfterEach()
				.timeout(Duration.ofSeconds(30))
				.pauseAfterFailure(Duration.ofMillis(50))
				.start()) {
				Thread.sleep(2000);
				long start = System.nanoTime();
				app.terminate();
				exited = app.waitFor(Duration.ofSeconds(60));
				exitMillis = (System.nanoTime() - start) / 1_000_000;
				Thread.sleep(500);
				outcomes = load.outcomes();
			}
			long other = outcomes.entrySet()
				.stream()
				.filter((entry) -> !entry.getKey().equals("200") && !entry.getKey().equals(HttpConnection.REFUSED))
				.mapToLong(Map.Entry::getValue)
				.sum();
			System.out.printf(
					"governor %s: SIGTERM -> exit %s after %d ms; outcomes %s (plus 1 startup probe); not 200 and "
							+ "not refused: %d%n",
					governed ? "enabled" : "disabled", exited ? String.valueOf(app.exitValue()) : "(still running)",
					exitMillis, outcomes, other);
			List<String> said = app.log()
				.stream()
				.filter((line) -> line.contains("Redis Governor") && line.contains("drained")
						|| line.contains("GracefulShutdown") || line.contains("slow endpoint") || line.contains("ERROR")
						|| line.contains("Exception"))
				.map((line) -> line.substring(line.contains(" : ") ? line.indexOf(" : ") + 3 : 0))
				.toList();
			said.forEach((line) -> System.out.println("  app: " + line));
			long entered = -1;
			long completed = -1;
			for (String line : said) {
				Matcher matcher = SLOW_ENDPOINT.matcher(line);
				if (matcher.find()) {
					entered = Long.parseLong(matcher.group(1));
					completed = Long.parseLong(matcher.group(2));
				}
			}
			return new Result(governed, exited ? app.exitValue() : null, exitMillis, outcomes, other, entered,
					completed);
		}
	}

	/**
	 * One SIGTERM under load.
	 *
	 * @param governed whether the governor was enabled
	 * @param exitCode the exit code, {@code null} when the process did not exit in 60 s
	 * @param exitMillis from SIGTERM to exit
	 * @param outcomes the callers' outcomes
	 * @param other outcomes neither 200 nor refused
	 * @param entered requests that entered the endpoint, the startup probe included; -1
	 * when the application did not say
	 * @param completed requests that completed in the endpoint; -1 when the application
	 * did not say
	 */
	record Result(boolean governed, Integer exitCode, long exitMillis, Map<String, Long> outcomes, long other,
			long entered, long completed) {

		/**
		 * Requests the application accepted that did not come back as 200: entered but
		 * not completed, or completed without a 200 reaching the caller (the startup
		 * probe aside).
		 * @return the failed requests, -1 when unknown
		 */
		long failedAccepted() {
			if (this.entered < 0) {
				return -1;
			}
			long ok = this.outcomes.getOrDefault("200", 0L) + 1;
			return this.entered - Math.min(this.completed, ok);
		}

	}

}
