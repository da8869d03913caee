package io.github.redisgovernor.client;

import java.time.Duration;

/**
 * The resolved settings that {@link GovernedClientCustomizer} applies to Lettuce.
 *
 * @param connectTimeout time allowed to open a connection
 * @param commandTimeout time a command may take
 * @param requestQueueSize commands that may wait for a reply on one connection
 * @param reconnectMinDelay lower bound of the reconnect back-off
 * @param reconnectMaxDelay upper bound of the reconnect back-off
 * @param keepAliveIdle idle time before the first TCP keepalive probe
 * @param keepAliveInterval time between TCP keepalive probes
 * @param keepAliveCount unanswered probes before the kernel drops the connection
 * @param tcpUserTimeout TCP_USER_TIMEOUT, applied with a native transport only
 * @param reconnectGrace how long a command waits for a connection that is being
 * re-established before it fails; zero to fail at once
 * @author Redis Governor contributors
 */
public record ClientPolicy(Duration connectTimeout, Duration commandTimeout, int requestQueueSize,
		Duration reconnectMinDelay, Duration reconnectMaxDelay, Duration keepAliveIdle, Duration keepAliveInterval,
		int keepAliveCount, Duration tcpUserTimeout, Duration reconnectGrace) {

}
