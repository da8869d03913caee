package io.github.redisgovernor.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Redis commands from several threads at once, as fast as they go: each thread runs
 * {@link Command#run(int, long)} in a loop, for a number of commands or for a time, and
 * the result is the commands per second of all threads together.
 *
 * @author Redis Governor contributors
 */
final class CommandLoad {

	private CommandLoad() {
	}

	/**
	 * Runs {@code commands} commands, spread evenly over the threads.
	 * @param threads how many threads
	 * @param commands how many commands in all
	 * @param command one command
	 * @return commands per second
	 * @throws Exception when a command fails
	 */
	static double count(int threads, long commands, Command command) throws Exception {
		long each = commands / threads;
		return run(threads, (thread) -> {
			for (long i = 0; i < each; i++) {
				command.run(thread, i);
			}
			return each;
		});
	}

	/**
	 * Runs commands for {@code duration}.
	 * @param threads how many threads
	 * @param duration for how long
	 * @param command one command
	 * @return commands per second
	 * @throws Exception when a command fails
	 */
	static double time(int threads, Duration duration, Command command) throws Exception {
		long deadline = System.nanoTime() + duration.toNanos();
		return run(threads, (thread) -> {
			long i = 0;
			while (System.nanoTime() - deadline < 0) {
				command.run(thread, i++);
			}
			return i;
		});
	}

	private static double run(int threads, Loop loop) throws Exception {
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			long start = System.nanoTime();
			List<Future<Long>> futures = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				futures.add(pool.submit(() -> loop.run(thread)));
			}
			long commands = 0;
			for (Future<Long> future : futures) {
				commands += future.get(10, TimeUnit.MINUTES);
			}
			return commands / ((System.nanoTime() - start) / 1e9);
		}
		finally {
			pool.shutdownNow();
		}
	}

	/** One command, on the thread numbered {@code thread}, its {@code i}th. */
	@FunctionalInterface
	interface Command {

		void run(int thread, long i);

	}

	private interface Loop {

		long run(int thread);

	}

}
