/**
 * A test kit for applications that use Redis: a real {@code redis-server} on a free
 * loopback port without Docker, a whole Sentinel set-up or Redis Cluster of them, a
 * fault-injecting TCP proxy, and the wiring for JUnit Jupiter and Spring tests. See
 * {@code docs/testing.md}.
 *
 * <ul>
 * <li>{@link io.github.redisgovernor.test.redis.RedisServer}: one server process,
 * started, stopped, paused and restarted by the test, with admin methods that leave no
 * connection behind. The binary comes from {@code $REDIS_SERVER_BIN} or the {@code PATH},
 * else from the static binaries of {@code org.signal:embedded-redis}, else from a
 * Testcontainers container when Testcontainers and a Docker engine are there.
 * <li>{@link io.github.redisgovernor.test.redis.TcpProxy}: a proxy between client and
 * server that can go silent, drop connections or fail over silently to another server.
 * <li>{@link io.github.redisgovernor.test.redis.RedisSentinelSet}: a master, its replicas
 * and the Sentinels that monitor them, all real processes, with a failover on demand.
 * <li>{@link io.github.redisgovernor.test.redis.RedisClusterSet}: a Redis Cluster of
 * masters and their replicas, all real processes, with the master serving a key and a
 * master killed until a replica has taken over.
 * <li>{@link io.github.redisgovernor.test.redis.RedisServerExtension}: injects servers
 * into test constructors and methods, started on first use and closed after the test
 * class; {@link io.github.redisgovernor.test.redis.RedisServerSettings} names and
 * configures them when a class needs more than one default server.
 * <li>{@link io.github.redisgovernor.test.redis.RedisServerProperties} and
 * {@link io.github.redisgovernor.test.redis.RedisServerTestConfiguration}: point
 * {@code spring.data.redis.*} of a Spring test at a server, a proxy or a Sentinel set
 * (these two need {@code spring-test} on the class path; nothing else does).
 * </ul>
 */
package io.github.redisgovernor.test.redis;
