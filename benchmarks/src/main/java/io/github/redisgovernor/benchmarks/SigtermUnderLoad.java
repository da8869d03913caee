package io.github.redisgovernor.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

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

	private SigtermUnderLoad() {
	}

	public static void main(String[] args) throws Exception {
		try (RedisServer redis = RedisServer.start()) {
			for (boolean governed : new boolean[] { true, false }) {
				run(redis, governed);
			}
		}
		System.exit(0);
	}

	private static void run(RedisServer redis, boolean governed) throws Exception {
		int port = freePort();
		Path log = Files.createTempFile("sigterm-under-load-", ".log");
		Process app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
				System.getProperty("java.class.path"), SoakApplication.class.getName(), "--server.port=" + port,
				"--server.shutdown=graceful", "--spring.data.redis.host=127.0.0.1",
				"--spring.data.redis.port=" + redis.port(), "--redis.governor.enabled=" + governed,
				"--redis.governor.application=sigterm", "--spring.main.banner-mode=off", "--logging.level.root=WARN",
				"--logging.level.io.github.redisgovernor=INFO",
				"--logging.level.org.springframework.boot.tomcat.GracefulShutdown=INFO")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			String url = "http://127.0.0.1:" + port + "/slow";
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (!"200".equals(call(url))) {
				if (System.nanoTime() > deadline || !app.isAlive()) {
					throw new IllegalStateException("application did not start; see " + log);
				}
				Thread.sleep(200);
			}
			Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
			AtomicBoolean stop = new AtomicBoolean();
			ExecutorService callers = Executors.newFixedThreadPool(CALLERS);
			for (int i = 0; i < CALLERS; i++) {
				callers.execute(() -> {
					while (!stop.get()) {
						String outcome = call(url);
						outcomes.computeIfAbsent(outcome, (key) -> new LongAdder()).increment();
						if (!"200".equals(outcome)) {
							sleep(50);
						}
					}
				});
			}
			Thread.sleep(2000);
			long start = System.nanoTime();
			app.destroy(); // SIGTERM
			boolean exited = app.waitFor(60, TimeUnit.SECONDS);
			long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
			Thread.sleep(500);
			stop.set(true);
			callers.shutdown();
			callers.awaitTermination(30, TimeUnit.SECONDS);
			Map<String, Long> counts = new TreeMap<>();
			outcomes.forEach((key, value) -> counts.put(key, value.sum()));
			long other = counts.entrySet()
				.stream()
				.filter((entry) -> !entry.getKey().equals("200") && !entry.getKey().equals("refused"))
				.mapToLong(Map.Entry::getValue)
				.sum();
			System.out.printf(
					"governor %s: SIGTERM -> exit %s after %d ms; outcomes %s (plus 1 startup probe); not 200 and "
							+ "not refused: %d%n",
					governed ? "enabled" : "disabled", exited ? String.valueOf(app.exitValue()) : "(still running)",
					exitMillis, counts, other);
			for (String line : Files.readAllLines(log)) {
				if (line.contains("Redis Governor") && line.contains("drained") || line.contains("GracefulShutdown")
						|| line.contains("slow endpoint") || line.contains("ERROR") || line.contains("Exception")) {
					System.out.println("  app: " + line.substring(line.contains(" : ") ? line.indexOf(" : ") + 3 : 0));
				}
			}
		}
		finally {
			app.destroyForcibly();
			Files.deleteIfExists(log);
		}
	}

	private static String call(String url) {
		try {
			HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
			connection.setRequestProperty("Connection", "close");
			connection.setConnectTimeout(5000);
			connection.setReadTimeout(30000);
			int status = connection.getResponseCode();
			try (InputStream body = (status < 400) ? connection.getInputStream() : connection.getErrorStream()) {
				if (body != null) {
					body.readAllBytes();
				}
			}
			return String.valueOf(status);
		}
		catch (ConnectException ex) {
			return "refused";
		}
		catch (IOException ex) {
			return ex.getClass().getSimpleName() + ": " + ex.getMessage();
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
