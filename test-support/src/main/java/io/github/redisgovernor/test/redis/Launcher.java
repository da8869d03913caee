package io.github.redisgovernor.test.redis;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Starts redis-server runs from one {@link RedisServer.Source}. */
interface Launcher {

	RedisServer.Source source();

	/** What is started, for log and error messages (a binary path or an image name). */
	String description();

	/**
	 * Starts a redis-server that listens on {@code 127.0.0.1:port}; returns without
	 * waiting for it to answer.
	 * @param redisArgs configuration arguments ({@code --name value ...}) besides port,
	 * bind and files, which the launcher adds itself
	 * @param workDir a private directory for data and log files
	 */
	RedisInstance launch(int port, List<String> redisArgs, Path workDir) throws IOException;

	/**
	 * Starts a redis-server in Sentinel mode
	 * ({@code redis-server <configFile> --sentinel}) that listens on
	 * {@code 127.0.0.1:port}; returns without waiting for it to answer.
	 * @param configFile the Sentinel's configuration file, which it rewrites as it learns
	 * about the set, so it must be writable
	 * @throws UnsupportedOperationException when this launcher cannot run a Sentinel
	 */
	default RedisInstance launchSentinel(int port, Path configFile, List<String> redisArgs, Path workDir)
			throws IOException {
		throw new UnsupportedOperationException(description() + " cannot run a Sentinel");
	}

}
