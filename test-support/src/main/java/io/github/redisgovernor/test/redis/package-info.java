/**
 * Test fixtures that run a real {@code redis-server} on a free loopback port, a whole
 * Sentinel set-up of them, and a fault-injecting TCP proxy.
 *
 * <ul>
 * <li>{@link io.github.redisgovernor.test.redis.RedisServer}: one server process,
 * started, stopped, paused and restarted by the test, with admin methods that leave no
 * connection behind.
 * <li>{@link io.github.redisgovernor.test.redis.RedisServerExtension}: injects servers
 * into test constructors and methods, started on first use and closed after the test
 * class; {@link io.github.redisgovernor.test.redis.RedisServerSettings} names and
 * configures them when a class needs more than one default server.
 * <li>{@link io.github.redisgovernor.test.redis.RedisSentinelSet}: a master, its replicas
 * and the Sentinels that monitor them, all real processes, with a failover on demand.
 * <li>{@link io.github.redisgovernor.test.redis.TcpProxy}: a proxy between client and
 * server that can go silent, drop connections or move new ones to another server.
 * </ul>
 */
package io.github.redisgovernor.test.redis;
