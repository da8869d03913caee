package io.github.redisgovernor.integration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisServerExtension;
import io.github.redisgovernor.test.redis.RedisServerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Other clients take every connection {@code maxclients} allows. The governed application
 * keeps serving on the connection it holds; when that connection must be re-established
 * while the server is full, the reason is logged once for the outage, with the server's
 * own message and the governor's advice, not once per reconnect attempt, and its end is
 * logged when the server makes room.
 * <p>
 * The fixture's admin client cannot connect to a full server, so this test talks RESP
 * over a plain socket it opened before the server filled up.
 */
@ExtendWith({ RedisServerExtension.class, OutputCaptureExtension.class })
class MaxClientsIntegrationTests {

	private static final Pattern GOVERNOR_LINE = Pattern
		.compile("Redis Governor \\[kv:full\\] could not reconnect to [^ ]+ \\(attempt (\\d+)\\): (.*)");

	private static final Pattern LOG_RECORD = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T");

	private ConfigurableApplicationContext context;

	private RawClient admin;

	private final List<RawClient> others = new ArrayList<>();

	@AfterEach
	void stop() throws IOException {
		if (this.admin != null) {
			this.admin.command("CONFIG", "SET", "maxclients", "10000");
			this.admin.close();
		}
		for (RawClient other : this.others) {
			other.close();
		}
		if (this.context != null) {
			this.context.close();
		}
	}

	@Test
	void fullServerKeepsServingTheHeldConnectionAndReconnectFailuresAreLoggedOncePerOutage(
			@RedisServerSettings(name = "maxclients") RedisServer redis, CapturedOutput output) throws Exception {
		this.context = KvTestApplication.start(redis, "redis.governor.application=kv",
				"redis.governor.instance-id=full");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("k", "v");
		this.admin = new RawClient(redis.port());
		for (int i = 0; i < 3; i++) {
			RawClient other = new RawClient(redis.port());
			assertThat(other.command("PING")).isEqualTo("PONG");
			this.others.add(other);
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> Clients.applicationClients(redis).size() == 5);
		this.admin.command("CONFIG", "SET", "maxclients", "5");
		try (RawClient refused = new RawClient(redis.port())) {
			assertThat(refused.command("PING")).isEqualTo("ERR max number of clients reached");
		}

		for (int i = 0; i < 100; i++) {
			template.opsForValue().set("k", "v" + i);
			assertThat(template.opsForValue().get("k")).isEqualTo("v" + i);
		}

		// Leave no room for the application once its connection is gone, then cut it.
		this.admin.command("CONFIG", "SET", "maxclients", "4");
		String clientId = clientId(this.admin.command("CLIENT", "LIST"), "kv:full");
		int linesBefore = governorLines(output).size();
		assertThat(this.admin.command("CLIENT", "KILL", "ID", clientId)).isEqualTo("1");
		Duration window = Duration.ofSeconds(8);
		long start = System.nanoTime();
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThatThrownBy(() -> template.opsForValue().get("k"))
				.hasStackTraceContaining("(redis.governor.reconnect.grace): commands fail at once"));
		Thread.sleep(Math.max(0, window.toMillis() - (System.nanoTime() - start) / 1_000_000));
		List<Matcher> lines = governorLines(output).subList(linesBefore, governorLines(output).size());
		// Log records only (they start with a timestamp), not the lines of a stack trace.
		long mentions = output.getAll()
			.lines()
			.filter((line) -> LOG_RECORD.matcher(line).lookingAt() && line.contains("max number of clients reached"))
			.count();
		System.out.printf(
				"maxclients reached: %d governor WARN lines in %d ms (one per outage, back-off "
						+ "100ms..5s); %d log records in all mention 'max number of clients reached'%n",
				lines.size(), window.toMillis(), mentions);
		assertThat(lines).as("one line for the outage, not one per reconnect attempt").hasSize(1);
		// Redis answers a connection over maxclients with its error and closes it.
		// Lettuce
		// usually reads the error; now and then the close wins the race and Lettuce
		// reports
		// that the handshake never started. Either line must point at maxclients.
		assertThat(lines.get(0).group(2)).contains("maxclients")
			.satisfiesAnyOf(
					(text) -> assertThat(text).contains("max number of clients reached")
						.contains("The server is full")
						.contains("raise maxclients"),
					(text) -> assertThat(text).contains("closed the connection during the handshake"));
		// Lettuce's own ConnectionWatchdog logs a failed reconnect at WARN at most once
		// per 5 s.
		assertThat(mentions - lines.size()).isLessThanOrEqualTo(1 + window.toSeconds() / 5);

		this.admin.command("CONFIG", "SET", "maxclients", "10000");
		await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
			template.opsForValue().set("k", "back");
			assertThat(template.opsForValue().get("k")).isEqualTo("back");
		});
		await().atMost(Duration.ofSeconds(10))
			.untilAsserted(() -> assertThat(output).containsPattern(
					"Redis Governor \\[kv:full\\] connection to [^ ]+ works again after \\d+ failed attempts"));
	}

	private static List<Matcher> governorLines(CapturedOutput output) {
		return output.getAll().lines().map(GOVERNOR_LINE::matcher).filter(Matcher::find).toList();
	}

	private static String clientId(String clientList, String name) {
		return clientList.lines()
			.filter((line) -> line.contains(" name=" + name + " "))
			.map((line) -> line.replaceAll("^id=(\\d+) .*", "$1"))
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("No client named " + name + " in " + clientList));
	}

	/**
	 * A RESP client on a plain socket, enough for simple, error, integer and bulk
	 * replies.
	 */
	private static final class RawClient implements AutoCloseable {

		private final Socket socket;

		private final InputStream in;

		private final OutputStream out;

		RawClient(int port) throws IOException {
			this.socket = new Socket("127.0.0.1", port);
			this.socket.setSoTimeout(5000);
			this.in = this.socket.getInputStream();
			this.out = this.socket.getOutputStream();
		}

		String command(String... args) throws IOException {
			StringBuilder request = new StringBuilder("*" + args.length + "\r\n");
			for (String arg : args) {
				request.append('$')
					.append(arg.getBytes(StandardCharsets.UTF_8).length)
					.append("\r\n")
					.append(arg)
					.append("\r\n");
			}
			this.out.write(request.toString().getBytes(StandardCharsets.UTF_8));
			this.out.flush();
			String line = readLine();
			return switch (line.charAt(0)) {
				case '$' -> readBulk(Integer.parseInt(line.substring(1)));
				default -> line.substring(1);
			};
		}

		private String readBulk(int length) throws IOException {
			if (length < 0) {
				return null;
			}
			byte[] bulk = this.in.readNBytes(length + 2);
			return new String(bulk, 0, length, StandardCharsets.UTF_8);
		}

		private String readLine() throws IOException {
			ByteArrayOutputStream line = new ByteArrayOutputStream();
			int previous = -1;
			int current;
			while ((current = this.in.read()) != -1) {
				if (previous == '\r' && current == '\n') {
					byte[] bytes = line.toByteArray();
					return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
				}
				line.write(current);
				previous = current;
			}
			throw new IOException("Connection closed by the server");
		}

		@Override
		public void close() throws IOException {
			this.socket.close();
		}

	}

}
