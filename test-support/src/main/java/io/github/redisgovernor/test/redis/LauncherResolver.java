package io.github.redisgovernor.test.redis;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.github.redisgovernor.test.redis.RedisServer.Source;

/**
 * Picks where redis-server comes from, in this order: {@code REDIS_SERVER_BIN} or {@code
 * redis-server} on the {@code PATH}; the static binary inside the embedded-redis jar; a
 * Testcontainers container when a Docker engine is available.
 */
final class LauncherResolver {

	static final String BIN_ENV = "REDIS_SERVER_BIN";
	static final String SOURCE_ENV = "REDIS_GOVERNOR_FIXTURE_SOURCE";
	static final String SOURCE_PROPERTY = "redis.governor.fixture.source";

	/** Extracted binaries by target path, so that each JVM extracts at most once. */
	private static final Map<Path, Path> extracted = new ConcurrentHashMap<>();

	private final UnaryOperator<String> env;

	private final UnaryOperator<String> systemProperties;

	private final String osName;

	private final String osArch;

	private final Path cacheDir;

	private final Supplier<String> containerProblem;

	/**
	 * @param containerProblem why Testcontainers cannot be used, or {@code null} when it
	 * can
	 */
	LauncherResolver(UnaryOperator<String> env, UnaryOperator<String> systemProperties, String osName, String osArch,
			Path cacheDir, Supplier<String> containerProblem) {
		this.env = env;
		this.systemProperties = systemProperties;
		this.osName = osName;
		this.osArch = osArch;
		this.cacheDir = cacheDir;
		this.containerProblem = containerProblem;
	}

	/** A resolver for this JVM's environment, system properties and platform. */
	static LauncherResolver forThisJvm() {
		return new LauncherResolver(System::getenv, System::getProperty, System.getProperty("os.name"),
				System.getProperty("os.arch"),
				Path.of(System.getProperty("java.io.tmpdir"), "redis-governor-redis-" + EmbeddedBinary.REDIS_VERSION),
				LauncherResolver::testcontainersProblem);
	}

	Launcher resolve() {
		Source forced = forcedSource();
		List<String> tried = new ArrayList<>();
		Launcher launcher = null;
		if (forced == null || forced == Source.PATH) {
			launcher = fromPath(tried);
		}
		if (launcher == null && (forced == null || forced == Source.EMBEDDED)) {
			launcher = embedded(tried);
		}
		if (launcher == null && (forced == null || forced == Source.TESTCONTAINERS)) {
			launcher = container(tried);
		}
		if (launcher == null) {
			throw new IllegalStateException(noServerMessage(forced, tried));
		}
		return launcher;
	}

	private Source forcedSource() {
		String value = systemProperties.apply(SOURCE_PROPERTY);
		String origin = "system property " + SOURCE_PROPERTY;
		if (value == null || value.isBlank()) {
			value = env.apply(SOURCE_ENV);
			origin = "environment variable " + SOURCE_ENV;
		}
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			return Source.valueOf(value.trim().toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException e) {
			throw new IllegalStateException(
					origin + " is '" + value + "'; expected one of path, embedded, testcontainers", e);
		}
	}

	private Launcher fromPath(List<String> tried) {
		String explicit = env.apply(BIN_ENV);
		if (explicit != null && !explicit.isBlank()) {
			Path binary = Path.of(explicit.trim());
			if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
				// An explicit choice that does not work is a mistake to report, not to
				// work around.
				throw new IllegalStateException(BIN_ENV + "=" + explicit + " is not an executable file");
			}
			return new ProcessLauncher(binary, Source.PATH);
		}
		tried.add(BIN_ENV + ": not set");
		String path = env.apply("PATH");
		if (path != null) {
			for (String dir : path.split(File.pathSeparator)) {
				if (dir.isBlank()) {
					continue;
				}
				try {
					Path candidate = Path.of(dir, "redis-server");
					if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
						return new ProcessLauncher(candidate, Source.PATH);
					}
				}
				catch (InvalidPathException ignored) {
					// a malformed PATH entry cannot hold the binary
				}
			}
		}
		tried.add("redis-server on the PATH: not found");
		return null;
	}

	private Launcher embedded(List<String> tried) {
		String resource = EmbeddedBinary.resourceName(osName, osArch);
		String what = "embedded binary from org.signal:embedded-redis";
		if (resource == null) {
			tried.add(what + ": none for " + osName + "/" + osArch);
			return null;
		}
		try {
			Path binary = extracted.computeIfAbsent(cacheDir.resolve("redis-server"), target -> {
				try {
					return EmbeddedBinary.extract(resource, cacheDir);
				}
				catch (IOException e) {
					throw new UncheckedIOException(e);
				}
			});
			return new ProcessLauncher(binary, Source.EMBEDDED);
		}
		catch (UncheckedIOException e) {
			tried.add(what + " (" + resource + "): " + e.getCause().getMessage());
			return null;
		}
	}

	private Launcher container(List<String> tried) {
		String problem = containerProblem.get();
		if (problem != null) {
			tried.add("Testcontainers (" + ContainerLauncher.IMAGE + "): " + problem);
			return null;
		}
		return new ContainerLauncher();
	}

	/** Why Testcontainers cannot run redis here, or {@code null} when it can. */
	static String testcontainersProblem() {
		try {
			Class.forName("org.testcontainers.DockerClientFactory", false, LauncherResolver.class.getClassLoader());
		}
		catch (ClassNotFoundException e) {
			return "org.testcontainers:testcontainers is not on the class path";
		}
		// Only touched once the class is known to be there, so that this class loads
		// without it.
		return ContainerLauncher.dockerAvailable() ? null : "no Docker engine available";
	}

	private static String noServerMessage(Source forced, List<String> tried) {
		StringBuilder message = new StringBuilder("No redis-server available for the Redis test fixture");
		if (forced != null) {
			message.append(" (source forced to ")
				.append(forced.name().toLowerCase(Locale.ROOT))
				.append(" by ")
				.append(SOURCE_PROPERTY)
				.append(" / ")
				.append(SOURCE_ENV)
				.append(')');
		}
		message.append(". Tried:");
		tried.forEach(attempt -> message.append("\n  - ").append(attempt));
		message.append("\nFix: install redis-server (e.g. 'apt-get install redis-server' or 'brew install redis')"
				+ " or set " + BIN_ENV + " to the path of a redis-server binary.");
		return message.toString();
	}

}
