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

}
