package io.github.redisgovernor.integration;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A burst of Redis commands, one after another with short pauses, that records how many
 * succeeded and the distinct errors of those that failed.
 */
final class RedisWork {

	final AtomicInteger succeeded = new AtomicInteger();

	final AtomicInteger failed = new AtomicInteger();

	final List<String> errors = Collections.synchronizedList(new ArrayList<>());

	private final String name;

	RedisWork(String name) {
		this.name = name;
	}

	void run(StringRedisTemplate template, Duration duration) {
		long end = System.nanoTime() + duration.toNanos();
		int i = 0;
		while (System.nanoTime() < end) {
			command(template, i++);
			sleep(5);
		}
	}

	void runCommands(StringRedisTemplate template, int count) {
		for (int i = 0; i < count; i++) {
			command(template, i);
		}
	}

	private void command(StringRedisTemplate template, int i) {
		try {
			template.opsForValue().set(this.name + ":" + (i % 10), "v" + i);
			this.succeeded.incrementAndGet();
		}
		catch (RuntimeException ex) {
			this.failed.incrementAndGet();
			String message = ex.getClass().getSimpleName() + ": " + ex.getMessage();
			if (!this.errors.contains(message)) {
				this.errors.add(message);
			}
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public String toString() {
		return this.name + ": " + this.succeeded + " succeeded, " + this.failed + " failed " + this.errors;
	}

}
