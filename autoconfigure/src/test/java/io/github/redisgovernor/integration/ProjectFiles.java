package io.github.redisgovernor.integration;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Files of this project (the docs, the alert rules) for tests that check them against a
 * running application.
 */
public final class ProjectFiles {

	private ProjectFiles() {
	}

	/**
	 * Find a file of the project.
	 * @param path its path from the project's root, for example {@code docs/metrics.md}
	 * @return the file
	 */
	public static Path find(String path) {
		// Maven runs the tests in the module's folder; an IDE may run them at the root.
		Path here = Path.of("").toAbsolutePath();
		for (Path dir = here; dir != null; dir = dir.getParent()) {
			if (Files.isRegularFile(dir.resolve(path))) {
				return dir.resolve(path);
			}
		}
		throw new IllegalStateException("No " + path + " in " + here + " or above");
	}

}
