package io.github.redisgovernor.drain;

import java.time.Duration;

/**
 * What one drain did.
 *
 * @param drained commands that finished while the drain waited
 * @param abandoned commands still in flight when the connection was closed
 * @param duration time from the start of the drain to the close of the connection
 * @param timedOut whether the drain gave up at the drain timeout
 * @author Redis Governor contributors
 */
public record DrainSummary(long drained, long abandoned, Duration duration, boolean timedOut) {

}
