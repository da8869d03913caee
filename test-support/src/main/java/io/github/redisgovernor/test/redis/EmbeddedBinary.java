package io.github.redisgovernor.test.redis;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * The static redis-server binaries shipped inside the {@code org.signal:embedded-redis}
 * jar.
 */
final class EmbeddedBinary {

	/**
	 * The redis version of the binaries in the embedded-redis version managed by the
	 * parent pom.
	 */
	static final String REDIS_VERSION = "7.0.15";

	private EmbeddedBinary() {
	}

	/**
	 * The class-path resource name of the binary for a platform, e.g. {@code
	 * redis-server-7.0.15-linux-amd64}, or {@code null} when the jar has none for it.
	 */
	static String resourceName(String osName, String osArch) {
		String os = osName.toLowerCase(Locale.ROOT);
		String arch = osArch.toLowerCase(Locale.ROOT);
		String osPart = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "darwin" : null;
		String archPart = switch (arch) {
			case "amd64", "x86_64" -> "amd64";
			case "aarch64", "arm64" -> "arm64";
			case "x86", "i386", "i486", "i586", "i686" -> "linux".equals(osPart) ? "386" : null;
			default -> null;
		};
		return osPart == null || archPart == null ? null
				: "redis-server-" + REDIS_VERSION + "-" + osPart + "-" + archPart;
	}

	/**
	 * Extracts the resource to {@code cacheDir/redis-server} unless it is already there,
	 * and returns that path. Safe when several JVMs do it at once: each writes its own
	 * temporary file and renames it into place atomically, so the target is either absent
	 * or complete.
	 */
	static Path extract(String resource, Path cacheDir) throws IOException {
		URL url = EmbeddedBinary.class.getClassLoader().getResource(resource);
		if (url == null) {
			throw new FileNotFoundException(resource + " is not on the class path");
		}
		Path target = cacheDir.resolve("redis-server");
		if (Files.isRegularFile(target) && Files.size(target) > 0) {
			makeExecutable(target);
			return target;
		}
		Files.createDirectories(cacheDir);
		Path temp = Files.createTempFile(cacheDir, "redis-server-", ".part");
		try {
			try (InputStream in = url.openStream()) {
				Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
			}
			makeExecutable(temp);
			try {
				Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
				// Another JVM won the race (or the file system cannot rename over): use
				// its copy.
				if (!Files.isRegularFile(target)) {
					throw e;
				}
			}
		}
		finally {
			Files.deleteIfExists(temp);
		}
		return target;
	}

	private static void makeExecutable(Path file) throws IOException {
		if (Files.isExecutable(file)) {
			return;
		}
		if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
		}
		else if (!file.toFile().setExecutable(true, false)) {
			throw new IOException("Cannot make " + file + " executable");
		}
	}

}
