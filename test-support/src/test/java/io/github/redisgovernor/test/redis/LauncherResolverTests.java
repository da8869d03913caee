package io.github.redisgovernor.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherResolverTests {

	private static final String OS = System.getProperty("os.name");

	private static final String ARCH = System.getProperty("os.arch");

	private static final Supplier<String> NO_DOCKER = () -> "no Docker engine available";

	/** Testcontainers on the class path and a Docker engine: no problem. */
	private static final Supplier<String> DOCKER = () -> null;

	@TempDir
	Path tempDir;

	private final Map<String, String> env = new HashMap<>();

	private final Map<String, String> properties = new HashMap<>();

	@Test
	void binaryOnThePathIsPreferred() throws IOException {
		Path bin = fakeRedisServer(tempDir.resolve("bin"));
		env.put("PATH", tempDir.resolve("empty") + java.io.File.pathSeparator + bin.getParent());

		Launcher launcher = resolver(OS, ARCH).resolve();

		assertThat(launcher.source()).isEqualTo(RedisServer.Source.PATH);
		assertThat(((ProcessLauncher) launcher).binary()).isEqualTo(bin);
	}

	@Test
	void redisServerBinWinsOverThePath() throws IOException {
		Path onPath = fakeRedisServer(tempDir.resolve("bin"));
		Path explicit = fakeRedisServer(tempDir.resolve("explicit"));
		env.put("PATH", onPath.getParent().toString());
		env.put(LauncherResolver.BIN_ENV, explicit.toString());

		Launcher launcher = resolver(OS, ARCH).resolve();

		assertThat(launcher.source()).isEqualTo(RedisServer.Source.PATH);
		assertThat(((ProcessLauncher) launcher).binary()).isEqualTo(explicit);
	}

	@Test
	void embeddedBinaryIsTheFallbackAndCanBeForced() throws IOException {
		Launcher fallback = resolver(OS, ARCH).resolve();
		assertThat(fallback.source()).isEqualTo(RedisServer.Source.EMBEDDED);
		assertThat(((ProcessLauncher) fallback).binary()).isEqualTo(tempDir.resolve("cache/redis-server"));

		env.put("PATH", fakeRedisServer(tempDir.resolve("bin")).getParent().toString());
		env.put(LauncherResolver.SOURCE_ENV, "embedded");
		assertThat(resolver(OS, ARCH).resolve().source()).isEqualTo(RedisServer.Source.EMBEDDED);

		env.remove(LauncherResolver.SOURCE_ENV);
		properties.put(LauncherResolver.SOURCE_PROPERTY, " Embedded ");
		assertThat(resolver(OS, ARCH).resolve().source()).isEqualTo(RedisServer.Source.EMBEDDED);
	}

	@Test
	void noSourceGivesAnErrorThatListsWhatWasTriedAndHowToFixIt() {
		assertThatThrownBy(() -> resolver("Windows 11", "amd64").resolve()).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("REDIS_SERVER_BIN: not set")
			.hasMessageContaining("redis-server on the PATH: not found")
			.hasMessageContaining("embedded binary from org.signal:embedded-redis: none for Windows 11/amd64")
			.hasMessageContaining("Testcontainers (redis:7.4): no Docker engine available")
			.hasMessageContaining("install redis-server")
			.hasMessageContaining("set REDIS_SERVER_BIN");
	}

	@Test
	void forcingASourceThatIsUnavailableFailsInsteadOfFallingBack() throws IOException {
		env.put("PATH", fakeRedisServer(tempDir.resolve("bin")).getParent().toString());
		env.put(LauncherResolver.SOURCE_ENV, "testcontainers");

		assertThatThrownBy(() -> resolver(OS, ARCH).resolve()).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("source forced to testcontainers")
			.hasMessageContaining("no Docker engine available")
			.message()
			.doesNotContain("PATH: not found");
	}

	@Test
	void aContainerIsTheLastResortWhenDockerIsAvailable() {
		Launcher launcher = resolver("Windows 11", "amd64", DOCKER).resolve();

		assertThat(launcher).isInstanceOf(ContainerLauncher.class);
		assertThat(launcher.source()).isEqualTo(RedisServer.Source.TESTCONTAINERS);
		assertThat(launcher.description()).isEqualTo("redis:7.4 container");
	}

	@Test
	void aContainerIsNotUsedWhileABinaryIsThereUnlessForced() throws IOException {
		env.put("PATH", fakeRedisServer(tempDir.resolve("bin")).getParent().toString());
		assertThat(resolver(OS, ARCH, DOCKER).resolve().source()).isEqualTo(RedisServer.Source.PATH);

		env.put(LauncherResolver.SOURCE_ENV, "testcontainers");
		assertThat(resolver(OS, ARCH, DOCKER).resolve()).isInstanceOf(ContainerLauncher.class);
	}

	@Test
	void withoutTestcontainersOnTheClassPathNoContainerIsTriedAndNoClassOfItLoaded() throws Exception {
		// This module's tests have Testcontainers (an optional dependency); a user's
		// tests
		// need not. A class loader with only the kit's own classes stands for theirs.
		URL kitClasses = LauncherResolver.class.getProtectionDomain().getCodeSource().getLocation();
		try (URLClassLoader withoutTestcontainers = new URLClassLoader(new URL[] { kitClasses },
				ClassLoader.getPlatformClassLoader())) {
			Class<?> resolver = Class.forName(LauncherResolver.class.getName(), true, withoutTestcontainers);
			Method problem = resolver.getDeclaredMethod("testcontainersProblem");
			problem.setAccessible(true);

			assertThat(problem.invoke(null)).isEqualTo("org.testcontainers:testcontainers is not on the class path");
			assertThatThrownBy(
					() -> Class.forName("org.testcontainers.DockerClientFactory", false, withoutTestcontainers))
				.isInstanceOf(ClassNotFoundException.class);
		}
	}

	@Test
	void anUnknownForcedSourceIsRejected() {
		properties.put(LauncherResolver.SOURCE_PROPERTY, "docker");
		assertThatThrownBy(() -> resolver(OS, ARCH).resolve()).isInstanceOf(IllegalStateException.class)
			.hasMessageContaining("'docker'")
			.hasMessageContaining("path, embedded, testcontainers");
	}

	@Test
	void resourceNamesMatchTheBinariesInTheJar() {
		assertThat(EmbeddedBinary.resourceName("Linux", "amd64")).isEqualTo("redis-server-7.0.15-linux-amd64");
		assertThat(EmbeddedBinary.resourceName("Linux", "aarch64")).isEqualTo("redis-server-7.0.15-linux-arm64");
		assertThat(EmbeddedBinary.resourceName("Linux", "i386")).isEqualTo("redis-server-7.0.15-linux-386");
		assertThat(EmbeddedBinary.resourceName("Mac OS X", "x86_64")).isEqualTo("redis-server-7.0.15-darwin-amd64");
		assertThat(EmbeddedBinary.resourceName("Mac OS X", "aarch64")).isEqualTo("redis-server-7.0.15-darwin-arm64");
		assertThat(EmbeddedBinary.resourceName("Mac OS X", "x86")).isNull();
		assertThat(EmbeddedBinary.resourceName("Windows 11", "amd64")).isNull();
		Stream.of("linux-amd64", "linux-arm64", "linux-386", "darwin-amd64", "darwin-arm64")
			.map(platform -> "redis-server-" + EmbeddedBinary.REDIS_VERSION + "-" + platform)
			.forEach(
					resource -> assertThat(getClass().getClassLoader().getResource(resource)).as(resource).isNotNull());
	}

	@Test
	void concurrentExtractionsYieldOneCompleteExecutable() throws Exception {
		String resource = EmbeddedBinary.resourceName(OS, ARCH);
		Path cacheDir = tempDir.resolve("shared-cache");
		int workers = 4;
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(workers);
		try {
			List<Future<Path>> results = new ArrayList<>();
			for (int i = 0; i < workers; i++) {
				Callable<Path> extraction = () -> {
					go.await();
					return EmbeddedBinary.extract(resource, cacheDir);
				};
				results.add(pool.submit(extraction));
			}
			go.countDown();
			for (Future<Path> result : results) {
				assertThat(result.get(60, TimeUnit.SECONDS)).isEqualTo(cacheDir.resolve("redis-server"));
			}
		}
		finally {
			pool.shutdownNow();
		}
		try (Stream<Path> files = Files.list(cacheDir)) {
			// no temporary files left
			assertThat(files).containsExactly(cacheDir.resolve("redis-server"));
		}
		Path binary = cacheDir.resolve("redis-server");
		assertThat(binary).isExecutable();
		Process version = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
		String output = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(version.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(output).contains("v=" + EmbeddedBinary.REDIS_VERSION);
	}

	@Test
	void aMissingResourceIsReported() {
		assertThatThrownBy(() -> EmbeddedBinary.extract("redis-server-0.0.0-linux-amd64", tempDir))
			.isInstanceOf(IOException.class)
			.hasMessageContaining("redis-server-0.0.0-linux-amd64 is not on the class path");
	}

	private LauncherResolver resolver(String os, String arch) {
		return resolver(os, arch, NO_DOCKER);
	}

	private LauncherResolver resolver(String os, String arch, Supplier<String> containerProblem) {
		return new LauncherResolver(env::get, properties::get, os, arch, tempDir.resolve("cache"), containerProblem);
	}

	private static Path fakeRedisServer(Path dir) throws IOException {
		Files.createDirectories(dir);
		Path file = Files.writeString(dir.resolve("redis-server"), "#!/bin/sh\nexit 1\n");
		assertThat(file.toFile().setExecutable(true)).isTrue();
		return file;
	}

}
