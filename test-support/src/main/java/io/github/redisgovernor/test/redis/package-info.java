/**
 * Test fixtures that run a real {@code redis-server} on a free loopback port
 * ({@link io.github.redisgovernor.test.redis.RedisServer},
 * {@link io.github.redisgovernor.test.redis.RedisServerExtension}) and a fault-injecting
 * TCP proxy ({@link io.github.redisgovernor.test.redis.TcpProxy}).
 */
package io.github.redisgovernor.test.redis;
