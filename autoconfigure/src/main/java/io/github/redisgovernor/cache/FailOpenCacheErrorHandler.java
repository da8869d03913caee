package io.github.redisgovernor.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import io.github.redisgovernor.client.InstanceIdentity;
import io.lettuce.core.RedisException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.cache.Cache;
import org.springframework.cache.interceptor.CacheErrorHandler;
import org.springframework.dao.DataAccessException;

/**
 * A {@link CacheErrorHandler} that fails open on Redis faults: a failed read counts as a
 * miss (the cached method runs and its result is returned), a failed write, evict or
 * clear is skipped. The request does not fail because the cache is down.
 * <p>
 * Only Redis faults are absorbed ({@link DataAccessException}, which covers Spring Data
 * Redis's connection, timeout and command errors, and Lettuce's {@link RedisException}).
 * Anything else, a serialization error for example, is a bug and is rethrown.
 * <p>
 * The log is rate-limited: at most one WARN per interval, which reports how many errors
 * were absorbed since the previous one. An outage at 20,000 requests per second must not
 * write 20,000 stack traces per second.
 *
 * @author Redis Governor contributors
 */
public class FailOpenCacheErrorHandler implements CacheErrorHandler {

	private static final Log logger = LogFactory.getLog(FailOpenCacheErrorHandler.class);

	private final InstanceIdentity identity;

	private final long intervalNanos;

	private final LongSupplier nanoClock;

	private final AtomicLong suppressed = new AtomicLong();

	private final AtomicLong absorbed = new AtomicLong();

	private final AtomicLong nextLogAt;

	/**
	 * Create a handler.
	 * @param identity the identity named in the log
	 * @param logInterval shortest time between two WARN lines
	 */
	public FailOpenCacheErrorHandler(InstanceIdentity identity, Duration logInterval) {
		this(identity, logInterval, System::nanoTime);
	}

	FailOpenCacheErrorHandler(InstanceIdentity identity, Duration logInterval, LongSupplier nanoClock) {
		this.identity = identity;
		this.intervalNanos = logInterval.toNanos();
		this.nanoClock = nanoClock;
		this.nextLogAt = new AtomicLong(nanoClock.getAsLong());
	}

	@Override
	public void handleCacheGetError(RuntimeException exception, Cache cache, Object key) {
		absorb(exception, "read from", cache, "served as a miss");
	}

	@Override
	public void handleCachePutError(RuntimeException exception, Cache cache, Object key, @Nullable Object value) {
		absorb(exception, "write to", cache, "value not cached");
	}

	@Override
	public void handleCacheEvictError(RuntimeException exception, Cache cache, Object key) {
		absorb(exception, "evict from", cache, "entry may stay until it expires");
	}

	@Override
	public void handleCacheClearError(RuntimeException exception, Cache cache) {
		absorb(exception, "clear", cache, "entries may stay until they expire");
	}

	/**
	 * Return the number of Redis faults absorbed since the application started.
	 * @return the count
	 */
	public long getAbsorbedErrors() {
		return this.absorbed.get();
	}

	private void absorb(RuntimeException exception, String operation, Cache cache, String outcome) {
		if (!isRedisFault(exception)) {
			throw exception;
		}
		this.absorbed.incrementAndGet();
		long now = this.nanoClock.getAsLong();
		long next = this.nextLogAt.get();
		if (now - next < 0 || !this.nextLogAt.compareAndSet(next, now + this.intervalNanos)) {
			this.suppressed.incrementAndGet();
			return;
		}
		long previous = this.suppressed.getAndSet(0);
		logger.warn("Redis Governor [" + this.identity + "] could not " + operation + " cache '" + cache.getName()
				+ "' (" + describe(exception) + "); " + outcome + ", because redis.governor.cache.fail-open=true. "
				+ previous + " more cache errors were absorbed since the previous warning; at most one warning per "
				+ (this.intervalNanos / 1_000_000) + "ms. Check the 'redis' health component.");
		if (logger.isDebugEnabled()) {
			logger.debug("Redis Governor [" + this.identity + "] cache error", exception);
		}
	}

	private static boolean isRedisFault(Throwable exception) {
		for (Throwable current = exception; current != null; current = current.getCause()) {
			if (current instanceof DataAccessException || current instanceof RedisException) {
				return true;
			}
		}
		return false;
	}

	private static String describe(Throwable exception) {
		Throwable root = exception;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		String description = exception.getClass().getSimpleName() + ": " + exception.getMessage();
		return (root != exception)
				? description + ", caused by " + root.getClass().getSimpleName() + ": " + root.getMessage()
				: description;
	}

}
