package io.github.redisgovernor.test.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Stream;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ProtocolVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real redis-server on a loopback port, for tests.
 *
 * <pre class="code">
 * try (RedisServer redis = RedisServer.start()) {
 *     // connect to redis.host():redis.port(), then:
 *     redis.pause();    // SIGSTOP: connections are accepted, nothing answers
 *     redis.resume();
 *     redis.restart();  // same port, same configuration, no data
 * }
 * </pre>
 * <p>
 * The binary is, in order: {@code $REDIS_SERVER_BIN} or {@code redis-server} on the
 * {@code PATH}; the static binary inside the {@code org.signal:embedded-redis} jar (Linux
 * and macOS, x86-64 and arm64; a dependency of this kit, so nothing needs installing); a
 * {@code redis:7.4} container when Testcontainers is on the class path and a Docker
 * engine is available. Testcontainers is an optional dependency of this kit: a test that
 * wants the container adds {@code org.testcontainers:testcontainers} itself, and no
 * Testcontainers class is loaded otherwise. Setting the system property
 * {@code redis.governor.fixture.source} or the environment variable
 * {@code REDIS_GOVERNOR_FIXTURE_SOURCE} to {@code path}, {@code embedded} or
 * {@code testcontainers} forces one source.
 *
 * <p>
 * The admin methods ({@link #command}, {@link #info}, {@link #clientList}, ...) open a
 * connection named {@value #ADMIN_CLIENT_NAME} for each call and close it before
 * returning, so they leave nothing behind in {@code CLIENT LIST}. Processes that are not
 * closed are killed when the JVM exits, after a grace period of up to 10 s in which other
 * shutdown hooks (a Spring context's) may close them.
 */
public final class RedisServer implements AutoCloseable {

	/** Where the redis-server binary came from. */
	public enum Source {

		/** {@code $REDIS_SERVER_BIN} or {@code redis-server} on the {@code PATH}. */
		PATH,
		/** The static binary inside the {@code org.signal:embedded-redis} jar. */
		EMBEDDED,
		/** A {@code redis:7.4} Docker container run by Testcontainers. */
		TESTCONTAINERS

	}

	/** The client name of the short-lived connections that the admin methods open. */
	public static final String ADMIN_CLIENT_NAME = "redis-governor-fixture";

	private static final Logger log = LoggerFactory.getLogger(RedisServer.class);

	private static final String HOST = "127.0.0.1";

	private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(10);

	private static final Duration RESTART_PORT_WAIT = Duration.ofSeconds(5);

	private static final int FREE_PORT_ATTEMPTS = 5;

	/** Redis Cluster's bus port is the client port plus this. */
	static final int CLUSTER_BUS_PORT_OFFSET = 10000;

	/**
	 * Cluster nodes listen on ports from here to {@link #CLUSTER_PORT_MAX}, so their bus
	 * ports lie from 20000 to 32767: both below the ephemeral ports of Linux (32768 and
	 * up), macOS and Windows (49152 and up), which the OS may hand to any socket at any
	 * time, and well below 65535.
	 */
	private static final int CLUSTER_PORT_MIN = 10000;

	private static final int CLUSTER_PORT_MAX = 22767;

	private static final int CLUSTER_PORT_ATTEMPTS = 100;

	private static final Set<String> RESERVED_CONFIG = Set.of("port", "bind", "dir", "logfile", "daemonize",
			"requirepass");

	private static final Duration REAP_GRACE = Duration.ofSeconds(10);

	private static final Set<RedisServer> unclosed = ConcurrentHashMap.newKeySet();

	static {
		Runtime.getRuntime().addShutdownHook(new Thread(RedisServer::reapUnclosed, "redis-governor-fixture-reaper"));
	}

	private final String name;

	private final String password;

	private final List<String> redisArgs;

	private final String sentinelConfig;

	private final boolean clusterNode;

	private final Duration adminTimeout;

	private final int tlsPort;

	private final Launcher launcher;

	private final Path workDir;

	private final Object clientLock = new Object();

	private volatile RedisInstance instance;

	private volatile int port;

	private volatile long pid = -1;

	private volatile String version;

	private volatile boolean paused;

	private volatile boolean closed;

	private RedisClient client;

	private RedisURI adminUri;

	private RedisServer(Builder builder, Launcher launcher, Path workDir) {
		this.name = builder.name;
		this.password = builder.password;
		this.adminTimeout = builder.adminTimeout;
		this.launcher = launcher;
		this.workDir = workDir;
		List<String> args = new ArrayList<>(List.of("--save", "", "--appendonly", "no"));
		if (password != null) {
			args.addAll(List.of("--requirepass", password));
		}
		if (builder.clusterNode) {
			// Relative to --dir, the server's private directory, where it stays across
			// restarts.
			args.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"));
		}
		args.addAll(builder.config);
		if (builder.tls != null) {
			this.tlsPort = freePort();
			args.addAll(builder.tls.serverArguments(this.tlsPort));
		}
		else {
			this.tlsPort = -1;
		}
		this.redisArgs = List.copyOf(args);
		this.sentinelConfig = builder.sentinelConfig;
		this.clusterNode = builder.clusterNode;
	}

	/**
	 * Starts a server on a free loopback port, without a password.
	 * @return the started server
	 */
	public static RedisServer start() {
		return builder().start();
	}

	/**
	 * A builder for a server with a fixed port, a password or extra configuration.
	 * @return a builder with the defaults
	 */
	public static Builder builder() {
		return new Builder();
	}

	/** Options of a {@link RedisServer}; {@link #start()} launches it. */
	public static final class Builder {

		private int port;

		private String password;

		private final List<String> config = new ArrayList<>();

		private String name = "redis";

		private Duration adminTimeout = Duration.ofSeconds(5);

		private RedisTls tls;

		private String sentinelConfig;

		private boolean clusterNode;

		private Builder() {
		}

		/**
		 * The loopback port to listen on; 0 (the default) picks a free one.
		 * @param port the port, or 0
		 * @return this builder
		 */
		public Builder port(int port) {
			if (port < 0 || port > 65535) {
				throw new IllegalArgumentException("port out of range: " + port);
			}
			this.port = port;
			return this;
		}

		/**
		 * Sets {@code requirepass}; the admin methods authenticate with it.
		 * @param password the password
		 * @return this builder
		 */
		public Builder password(String password) {
			this.password = Objects.requireNonNull(password, "password");
			return this;
		}

		/**
		 * Adds a startup configuration directive, e.g.
		 * {@code config("maxclients", "50")}; may be called repeatedly. Port, bind
		 * address, files and password are set by the fixture.
		 * @param key the directive
		 * @param value its value
		 * @return this builder
		 */
		public Builder config(String key, String value) {
			String directive = Objects.requireNonNull(key, "key").replaceFirst("^--", "");
			if (RESERVED_CONFIG.contains(directive.toLowerCase(Locale.ROOT))) {
				throw new IllegalArgumentException("'" + directive + "' is set by the fixture; use port()/password()");
			}
			config.add("--" + directive);
			config.add(Objects.requireNonNull(value, "value"));
			return this;
		}

		/**
		 * A label for log lines and error messages.
		 * @param name the label
		 * @return this builder
		 */
		public Builder name(String name) {
			this.name = Objects.requireNonNull(name, "name");
			return this;
		}

		/**
		 * How long an admin method may take, connecting included, before it throws
		 * (default 5 s).
		 * @param timeout the timeout of one admin call
		 * @return this builder
		 */
		public Builder adminTimeout(Duration timeout) {
			if (timeout.isNegative() || timeout.isZero()) {
				throw new IllegalArgumentException("timeout must be positive: " + timeout);
			}
			this.adminTimeout = timeout;
			return this;
		}

		/**
		 * Also listens for TLS connections on a second free port ({@link #tlsPort()}),
		 * with the given certificates; the plain port stays open for the fixture's own
		 * admin commands. Needs a {@code redis-server} built with TLS (Debian's
		 * {@code redis-server} package is; the binary in the embedded-redis jar is not).
		 * @param tls the certificates, from {@link RedisTls#generate}
		 * @return this builder
		 */
		public Builder tls(RedisTls tls) {
			this.tls = Objects.requireNonNull(tls, "tls");
			return this;
		}

		/**
		 * Runs the server as a Sentinel ({@code redis-server <file> --sentinel}) whose
		 * configuration file starts with these lines, e.g. {@code sentinel monitor ...}.
		 * The file lives in the server's private directory; the Sentinel rewrites it as
		 * it learns about the set and finds it again on {@link RedisServer#restart()}.
		 */
		Builder sentinel(String configFileText) {
			this.sentinelConfig = Objects.requireNonNull(configFileText, "configFileText");
			return this;
		}

		/**
		 * Runs the server as a Redis Cluster node ({@code cluster-enabled yes}) whose
		 * {@code nodes.conf} lives in the server's private directory, so that it keeps
		 * its node id and what it knows of the cluster across
		 * {@link RedisServer#restart()}. A free port is then chosen below 22768, with its
		 * cluster bus port (port + 10000) free too.
		 */
		Builder clusterNode() {
			this.clusterNode = true;
			return this;
		}

		/**
		 * Starts the server and waits until it answers PING.
		 * @return the started server
		 * @throws IllegalStateException when no redis-server is available or it does not
		 * start
		 */
		public RedisServer start() {
			Launcher launcher = LauncherResolver.forThisJvm().resolve();
			Path workDir;
			try {
				workDir = Files.createTempDirectory("redis-governor-fixture-");
			}
			catch (IOException e) {
				throw new UncheckedIOException("Cannot create a directory for redis-server", e);
			}
			RedisServer server = new RedisServer(this, launcher, workDir);
			unclosed.add(server);
			try {
				server.startOnFreePort(port);
				return server;
			}
			catch (RuntimeException e) {
				server.close();
				throw e;
			}
		}

	}

	/**
	 * The port that accepts TLS connections, when the server was built with
	 * {@link Builder#tls}.
	 * @return the TLS port, or {@code -1} without TLS
	 */
	public int tlsPort() {
		return this.tlsPort;
	}

	/**
	 * The host to connect to: always {@code 127.0.0.1}.
	 * @return {@code 127.0.0.1}
	 */
	public String host() {
		return HOST;
	}

	/**
	 * The port; it stays the same across {@link #restart()}.
	 * @return the port
	 */
	public int port() {
		return port;
	}

	/**
	 * {@code redis://127.0.0.1:<port>}; never contains the password.
	 * @return the URI, without credentials
	 */
	public String uri() {
		return "redis://" + HOST + ":" + port;
	}

	/**
	 * The {@code requirepass} given to the builder, or {@code null}; for
	 * {@link RedisServerProperties} only, so that no public method hands it out.
	 */
	String password() {
		return password;
	}

	/**
	 * The pid of the current (or last) redis-server process, or -1 for a container.
	 * @return the pid, or -1
	 */
	public long pid() {
		return pid;
	}

	/**
	 * The {@code redis_version} the server reports in {@code INFO server}.
	 * @return the version, e.g. {@code 7.0.15}
	 */
	public String version() {
		return version;
	}

	/**
	 * Where the redis-server binary came from.
	 * @return the source of the binary
	 */
	public Source source() {
		return launcher.source();
	}

	/**
	 * Freezes the server (SIGSTOP, or docker pause): the kernel still accepts connections
	 * and acknowledges bytes, but nothing answers until {@link #resume()}.
	 */
	public synchronized void pause() {
		runningInstance().pause();
		paused = true;
	}

	/**
	 * Lets a {@linkplain #pause() paused} server run again (SIGCONT, or docker unpause).
	 */
	public synchronized void resume() {
		runningInstance().resume();
		paused = false;
	}

	/**
	 * Whether the server is running but {@linkplain #pause() paused}, so that it will not
	 * answer; for sets of servers that ask whichever node answers.
	 */
	boolean isPaused() {
		return paused && isRunning();
	}

	/**
	 * Shuts the server down gracefully (SIGTERM) and waits for it to exit; the port is
	 * kept for {@link #restart()}. Does nothing when it is not running.
	 */
	public synchronized void stop() {
		RedisInstance current = instance;
		if (current == null || !current.isAlive()) {
			return;
		}
		if (paused) {
			current.resume(); // a stopped process would not act on SIGTERM
			paused = false;
		}
		current.stop();
		log.debug("Stopped redis-server on {}:{} [{}]", HOST, port, name);
	}

	/**
	 * Kills the server (SIGKILL) and waits for it to exit. Does nothing when it is not
	 * running.
	 */
	public synchronized void kill() {
		RedisInstance current = instance;
		if (current == null || !current.isAlive()) {
			return;
		}
		current.kill();
		paused = false;
		log.debug("Killed redis-server on {}:{} [{}]", HOST, port, name);
	}

	/**
	 * Starts the server again on the same port with the same configuration, stopping it
	 * first if it is running, and waits until it answers PING. Data is not kept.
	 */
	public synchronized void restart() {
		ensureOpen();
		stop();
		long deadline = System.nanoTime() + RESTART_PORT_WAIT.toNanos();
		while (true) {
			try {
				launch(port);
				return;
			}
			catch (PortInUseException e) {
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException(
							"Cannot restart redis-server [" + name + "]: port " + port + " is taken by another process",
							e);
				}
				ProcessLauncher.sleep(Duration.ofMillis(100));
			}
		}
	}

	/**
	 * Whether the server process (or container) is alive; a paused server counts as
	 * running.
	 * @return whether the process or container is alive
	 */
	public boolean isRunning() {
		RedisInstance current = instance;
		return current != null && current.isAlive();
	}

	/**
	 * {@code CONFIG SET key value}.
	 * @param key the parameter
	 * @param value its new value
	 */
	public void configSet(String key, String value) {
		admin("CONFIG SET " + key, commands -> commands.configSet(key, value));
	}

	/**
	 * {@code CONFIG GET key}: the value, or {@code null} when there is no such parameter.
	 * @param key the parameter
	 * @return its value, or {@code null}
	 */
	public String configGet(String key) {
		return admin("CONFIG GET " + key, commands -> commands.configGet(key)).get(key);
	}

	/**
	 * The raw text of {@code INFO section}, e.g. {@code info("clients")}.
	 * @param section the section, e.g. {@code clients}
	 * @return the reply as text
	 */
	public String info(String section) {
		return admin("INFO " + section, commands -> commands.info(section));
	}

	/**
	 * The {@code key:value} lines of {@code INFO section}, in order.
	 * @param section the section, e.g. {@code clients}
	 * @return the fields by name
	 */
	public Map<String, String> infoMap(String section) {
		return fields(info(section));
	}

	/**
	 * The {@code key:value} lines of an {@code INFO}-like reply ({@code INFO},
	 * {@code CLUSTER INFO}), in order; {@code #} headings and blank lines are skipped.
	 */
	static Map<String, String> fields(String reply) {
		Map<String, String> values = new LinkedHashMap<>();
		reply.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(line -> {
			int colon = line.indexOf(':');
			if (colon > 0) {
				values.put(line.substring(0, colon), line.substring(colon + 1));
			}
		});
		return values;
	}

	/**
	 * {@code CLIENT LIST}, one map per connection ({@code id}, {@code addr},
	 * {@code name}, {@code
	 * cmd}, ...). It includes the admin connection making this call, named
	 * {@value #ADMIN_CLIENT_NAME}.
	 * @return one map of fields per connection
	 */
	public List<Map<String, String>> clientList() {
		String reply = admin("CLIENT LIST", RedisAsyncCommands::clientList);
		List<Map<String, String>> clients = new ArrayList<>();
		reply.lines().filter(line -> !line.isBlank()).forEach(line -> {
			Map<String, String> fields = new LinkedHashMap<>();
			for (String token : line.trim().split(" ")) {
				int equals = token.indexOf('=');
				if (equals > 0) {
					fields.put(token.substring(0, equals), token.substring(equals + 1));
				}
			}
			clients.add(fields);
		});
		return clients;
	}

	/**
	 * Runs any command, e.g. {@code command("ACL", "SETUSER", "app", "on")}, and returns
	 * the reply as text: a string or number as itself, a nil reply as {@code null}, an
	 * array as one element per line (nested arrays as {@code [a, b]}, nil elements as
	 * {@code (nil)}).
	 * @param args the command name and its arguments
	 * @return the reply as text
	 * @throws RedisCommandExecutionException when the server replies with an error
	 */
	public String command(String... args) {
		if (args.length == 0) {
			throw new IllegalArgumentException("no command given");
		}
		CommandArgs<String, String> commandArgs = new CommandArgs<>(StringCodec.UTF8);
		Stream.of(args).skip(1).forEach(commandArgs::add);
		// Only the command name goes into error messages: arguments may be secrets (AUTH,
		// ACL SETUSER).
		return admin(args[0], commands -> commands.dispatch(new Keyword(args[0]), new TextOutput(), commandArgs));
	}

	/** {@code FLUSHALL}. */
	public void flushAll() {
		admin("FLUSHALL", RedisAsyncCommands::flushall);
	}

	/** Stops the server if it is running and deletes its files. Idempotent. */
	@Override
	public void close() {
		RedisClient toShutdown;
		synchronized (this) {
			if (closed) {
				return;
			}
			closed = true;
			try {
				stop();
			}
			catch (RuntimeException e) {
				log.warn("Graceful stop of redis-server [{}] failed, killing it", name, e);
				kill();
			}
			unclosed.remove(this);
		}
		synchronized (clientLock) {
			toShutdown = client;
			client = null;
		}
		if (toShutdown != null) {
			toShutdown.shutdown(Duration.ZERO, Duration.ofSeconds(2));
		}
		deleteRecursively(workDir);
	}

	@Override
	public String toString() {
		return "RedisServer[" + name + ", " + uri() + ", " + source() + (isRunning() ? "" : ", not running") + "]";
	}

	private void startOnFreePort(int requestedPort) {
		int attempts = requestedPort == 0 ? FREE_PORT_ATTEMPTS : 1;
		PortInUseException lastConflict = null;
		for (int attempt = 0; attempt < attempts; attempt++) {
			try {
				launch(requestedPort != 0 ? requestedPort : clusterNode ? freeClusterPort() : freePort());
				return;
			}
			catch (PortInUseException e) {
				lastConflict = e;
			}
		}
		throw new IllegalStateException(
				"Cannot start redis-server [" + name + "]: " + (requestedPort == 0
						? "no free port after " + attempts + " attempts" : "port " + requestedPort + " is in use"),
				lastConflict);
	}

	/** Launches one run on the port and waits until it answers; throws if it does not. */
	private synchronized void launch(int candidatePort) {
		RedisInstance started;
		try {
			started = sentinelConfig == null ? launcher.launch(candidatePort, redisArgs, workDir)
					: launcher.launchSentinel(candidatePort, sentinelConfigFile(), redisArgs, workDir);
		}
		catch (IOException | RuntimeException e) {
			throw new IllegalStateException("Cannot start " + launcher.description() + ": " + e.getMessage(), e);
		}
		instance = started;
		port = candidatePort;
		pid = started.pid();
		paused = false;
		try {
			awaitPing(started);
			Map<String, String> server = infoMap("server");
			// Another server may already have owned the port and answered while ours was
			// failing.
			if (started.pid() >= 0 && !String.valueOf(started.pid()).equals(server.get("process_id"))) {
				throw new PortInUseException(candidatePort, "answered by pid " + server.get("process_id"));
			}
			version = server.get("redis_version");
		}
		catch (RuntimeException e) {
			if (started.isAlive()) {
				started.kill();
			}
			throw e;
		}
		log.info("Started redis-server {} ({}) on {}:{}, pid {} [{}]", version, source(), HOST, candidatePort,
				started.pid(), name);
	}

	/** Written on the first run only: later runs keep what the Sentinel has learnt. */
	private Path sentinelConfigFile() throws IOException {
		Path file = workDir.resolve("sentinel.conf");
		if (!Files.exists(file)) {
			Files.writeString(file, sentinelConfig);
		}
		return file;
	}

	private void awaitPing(RedisInstance started) {
		long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
		while (System.nanoTime() < deadline && started.isAlive()) {
			if (RespPing.answers(HOST, port, password, 1000)) {
				return;
			}
			ProcessLauncher.sleep(Duration.ofMillis(20));
		}
		String logTail = started.logTail();
		if (logTail.contains("Address already in use")) {
			throw new PortInUseException(port, logTail);
		}
		throw new IllegalStateException("redis-server [" + name + "] from " + launcher.description() + " on port "
				+ port + (started.isAlive() ? " did not answer PING within " + STARTUP_TIMEOUT.toSeconds() + " s"
						: " exited during startup")
				+ ". Last log lines:\n" + logTail);
	}

	private <T> T admin(String what, Function<RedisAsyncCommands<String, String>, RedisFuture<T>> call) {
		ensureOpen();
		long deadline = System.nanoTime() + adminTimeout.toNanos();
		CompletableFuture<StatefulRedisConnection<String, String>> connecting = connectAsync();
		StatefulRedisConnection<String, String> connection;
		try {
			connection = connecting.get(remaining(deadline), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException e) {
			// if it ever completes
			connecting.thenAccept(StatefulRedisConnection::closeAsync);
			throw notAnswering(what, e);
		}
		catch (ExecutionException e) {
			throw failed(what, e.getCause());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted during " + what, e);
		}
		try {
			return call.apply(connection.async()).toCompletableFuture().get(remaining(deadline), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException e) {
			throw notAnswering(what, e);
		}
		catch (ExecutionException e) {
			throw failed(what, e.getCause());
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted during " + what, e);
		}
		finally {
			connection.close();
		}
	}

	private CompletableFuture<StatefulRedisConnection<String, String>> connectAsync() {
		synchronized (clientLock) {
			if (client == null) {
				client = RedisClient.create();
				client.setOptions(ClientOptions.builder()
					.autoReconnect(false)
					.protocolVersion(ProtocolVersion.RESP2)
					.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
					.socketOptions(SocketOptions.builder().connectTimeout(adminTimeout).build())
					.timeoutOptions(TimeoutOptions.enabled(adminTimeout))
					.build());
			}
			if (adminUri == null || adminUri.getPort() != port) {
				RedisURI.Builder uri = RedisURI.builder()
					.withHost(HOST)
					.withPort(port)
					.withClientName(ADMIN_CLIENT_NAME)
					.withTimeout(adminTimeout);
				if (password != null) {
					uri.withPassword(password.toCharArray());
				}
				adminUri = uri.build();
			}
			return client.connectAsync(StringCodec.UTF8, adminUri).toCompletableFuture();
		}
	}

	private IllegalStateException notAnswering(String what, TimeoutException cause) {
		return new IllegalStateException("redis-server [" + name + "] on " + HOST + ":" + port + " did not answer "
				+ what + " within " + adminTimeout.toMillis() + " ms" + (paused ? " (it is paused)" : ""), cause);
	}

	private RuntimeException failed(String what, Throwable cause) {
		if (cause instanceof RedisCommandExecutionException commandError) {
			return commandError;
		}
		return new IllegalStateException(what + " on redis-server [" + name + "] at " + HOST + ":" + port + " failed: "
				+ cause.getMessage() + (isRunning() ? "" : " (the server is not running)"), cause);
	}

	private RedisInstance runningInstance() {
		ensureOpen();
		RedisInstance current = instance;
		if (current == null || !current.isAlive()) {
			throw new IllegalStateException("redis-server [" + name + "] is not running");
		}
		return current;
	}

	private void ensureOpen() {
		if (closed) {
			throw new IllegalStateException("redis-server [" + name + "] is closed");
		}
	}

	/**
	 * Shutdown hook, with no locks and no Lettuce: kill the servers nobody closed.
	 * Shutdown hooks run concurrently, so an application that closes its server from its
	 * own hook (a Spring context shutting down gracefully, as the sample app does) gets a
	 * grace period first: killing Redis under it would fail its drain and deregistration.
	 */
	private static void reapUnclosed() {
		long deadline = System.nanoTime() + REAP_GRACE.toNanos();
		while (!unclosed.isEmpty() && System.nanoTime() < deadline) {
			ProcessLauncher.sleep(Duration.ofMillis(50));
		}
		unclosed.forEach(RedisServer::reap);
	}

	private void reap() {
		RedisInstance current = instance;
		try {
			if (current != null && current.isAlive()) {
				current.kill();
			}
		}
		catch (RuntimeException ignored) {
			// best effort while the JVM exits
		}
		deleteRecursively(workDir);
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
			return socket.getLocalPort();
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot find a free loopback port", e);
		}
	}

	/**
	 * A port for a cluster node: free, as is its bus port. Another process may still take
	 * either before the node binds them; the node then fails with "Address already in
	 * use" and {@link #startOnFreePort} tries another.
	 */
	private static int freeClusterPort() {
		for (int attempt = 0; attempt < CLUSTER_PORT_ATTEMPTS; attempt++) {
			int candidate = ThreadLocalRandom.current().nextInt(CLUSTER_PORT_MIN, CLUSTER_PORT_MAX + 1);
			if (isFree(candidate) && isFree(candidate + CLUSTER_BUS_PORT_OFFSET)) {
				return candidate;
			}
		}
		throw new IllegalStateException("Cannot find a free loopback port from " + CLUSTER_PORT_MIN + " to "
				+ CLUSTER_PORT_MAX + " whose cluster bus port (port + " + CLUSTER_BUS_PORT_OFFSET
				+ ") is free too, after " + CLUSTER_PORT_ATTEMPTS + " attempts");
	}

	private static boolean isFree(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
			return true;
		}
		catch (IOException e) {
			return false;
		}
	}

	private static long remaining(long deadline) {
		return Math.max(0, deadline - System.nanoTime());
	}

	private static void deleteRecursively(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException | UncheckedIOException e) {
			log.debug("Could not delete {}", dir, e);
		}
	}

	/** A command name that Lettuce sends as is. */
	private static final class Keyword implements ProtocolKeyword {

		private final String command;

		Keyword(String command) {
			this.command = command;
		}

		@Override
		public byte[] getBytes() {
			return command.getBytes(StandardCharsets.UTF_8);
		}

		@Override
		public String toString() {
			return command;
		}

	}

	private static final class PortInUseException extends IllegalStateException {

		private static final long serialVersionUID = 1L;

		PortInUseException(int port, String detail) {
			super("Port " + port + " is already in use: " + detail);
		}

	}

}
