package io.github.redisgovernor.test.redis;

/**
 * One run of a redis-server: a local process or a container. Methods that end it wait for
 * the exit.
 */
interface RedisInstance {

	/** The operating-system pid, or -1 when there is none on this host (container). */
	long pid();

	boolean isAlive();

	/**
	 * Freezes the server: connections are still accepted by the kernel, nothing answers.
	 */
	void pause();

	void resume();

	/**
	 * Asks the server to shut down, waits for it, and kills it if it does not exit in
	 * time.
	 */
	void stop();

	void kill();

	/** The last lines this run wrote to its log and console, for error messages. */
	String logTail();

}
