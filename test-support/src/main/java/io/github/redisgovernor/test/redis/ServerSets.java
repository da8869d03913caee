package io.github.redisgovernor.test.redis;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * What {@link RedisSentinelSet} and {@link RedisClusterSet} share: checking their
 * options, waiting for their processes to come together, naming a server by address and
 * closing them all.
 */
final class ServerSets {

	private static final Duration POLL_INTERVAL = Duration.ofMillis(50);

	private ServerSets() {
	}

	/**
	 * The duration, if it is positive.
	 * @throws IllegalArgumentException naming the option otherwise
	 */
	static Duration positive(Duration duration, String option) {
		if (duration.isNegative() || duration.isZero()) {
			throw new IllegalArgumentException(option + " must be positive: " + duration);
		}
		return duration;
	}

	/** The {@link System#nanoTime()} at which a wait of {@code timeout} gives up. */
	static long deadline(Duration timeout) {
		return System.nanoTime() + timeout.toNanos();
	}

	/**
	 * Polls until {@code problem} returns {@code null}; it returns what is still missing
	 * otherwise, which goes into the timeout's message. Errors count as not yet.
	 * @param deadline from {@link #deadline(Duration)}
	 * @param timeout the timeout the deadline was made from, for the message
	 * @param set the set that waits, for the message
	 * @param what what is awaited, e.g. {@code "replica 6380 to report ..."}
	 * @param problem what is still missing, or {@code null} once there is nothing
	 * @throws IllegalStateException when the deadline passes first
	 */
	static void await(long deadline, Duration timeout, Object set, String what, Supplier<String> problem) {
		String last;
		while (true) {
			try {
				last = problem.get();
			}
			catch (RuntimeException e) {
				last = e.toString();
			}
			if (last == null) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Timed out after " + timeout.toMillis() + " ms waiting for " + what
						+ " (" + set + "); last seen: " + last);
			}
			ProcessLauncher.sleep(POLL_INTERVAL);
		}
	}

	/**
	 * {@code host:port}, as Sentinel and Spring's {@code *.nodes} properties write it.
	 */
	static String address(RedisServer server) {
		return server.host() + ":" + server.port();
	}

	/**
	 * Closes the server when it runs in a container, which the other processes of a set
	 * cannot reach on {@code 127.0.0.1}.
	 * @param server the first server of the set
	 * @param set what needs processes, e.g. {@code "A Sentinel set"}
	 * @throws IllegalStateException when the server runs in a container
	 */
	static void requireProcess(RedisServer server, String set) {
		if (server.source() == RedisServer.Source.TESTCONTAINERS) {
			server.close();
			throw new IllegalStateException(set + " needs redis-server processes on this host, but the fixture "
					+ "resolved to a container; install redis-server or set REDIS_SERVER_BIN");
		}
	}

	/**
	 * Closes every server in order, also when one fails; the first failure is thrown once
	 * all have been tried, with the others suppressed in it.
	 */
	static void closeAll(List<RedisServer> servers) {
		RuntimeException failure = null;
		for (RedisServer server : servers) {
			try {
				server.close();
			}
			catch (RuntimeException e) {
				if (failure == null) {
					failure = e;
				}
				else {
					failure.addSuppressed(e);
				}
			}
		}
		if (failure != null) {
			throw failure;
		}
	}

}
