package io.github.redisgovernor.test.redis;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistrar;

/**
 * A real Redis for a Spring test, ready-made: a {@link RedisServer}, a {@link TcpProxy}
 * in front of it, and {@code spring.data.redis.*} pointing at the proxy.
 *
 * <pre class="code">
 * &#64;SpringBootTest
 * &#64;Import(RedisServerTestConfiguration.class)
 * class OrderServiceTests {
 *
 *     &#64;Autowired
 *     RedisServer redis;
 *
 *     &#64;Autowired
 *     TcpProxy proxy;
 *
 *     // redis.pause(), redis.restart(), proxy.silentFailover(...), ...
 *
 * }
 * </pre>
 * <p>
 * The beans are {@code redisServer}, {@code redisProxy} and
 * {@code redisServerProperties}; the server and the proxy close with the application
 * context. The application talks to the proxy, so its connections show the proxy's
 * address in {@code CLIENT LIST}; a connection that the server closes (a restart, a
 * {@code CLIENT KILL}) is closed on the application's side too. Contexts that Spring's
 * test framework caches and shares between test classes share the server and the proxy: a
 * test that leaves them changed (a paused server, a failover to another server) puts them
 * back or marks the context dirty ({@code @DirtiesContext}).
 * <p>
 * For another set-up (no proxy, a password, two servers) declare the beans in a
 * configuration of your own, with {@link RedisServerProperties}.
 */
@Configuration(proxyBeanMethods = false)
public class RedisServerTestConfiguration {

	/** Creates the configuration; Spring calls this. */
	public RedisServerTestConfiguration() {
	}

	/**
	 * A server on a free loopback port, from the first source available (see
	 * {@link RedisServer}).
	 * @return the started server
	 */
	@Bean
	public RedisServer redisServer() {
		return RedisServer.builder().name("spring-test").start();
	}

	/**
	 * A proxy in front of the server.
	 * @param redisServer the server to relay to
	 * @return the started proxy
	 */
	@Bean
	public TcpProxy redisProxy(RedisServer redisServer) {
		return TcpProxy.start(redisServer.port());
	}

	/**
	 * {@code spring.data.redis.*} pointing at the proxy.
	 * @param redisServer the server behind the proxy
	 * @param redisProxy the proxy the application connects to
	 * @return the registrar
	 */
	@Bean
	public DynamicPropertyRegistrar redisServerProperties(RedisServer redisServer, TcpProxy redisProxy) {
		return RedisServerProperties.registrar(redisServer, redisProxy);
	}

}
