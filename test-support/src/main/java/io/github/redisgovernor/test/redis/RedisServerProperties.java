package io.github.redisgovernor.test.redis;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.IntSupplier;

import org.springframework.test.context.DynamicPropertyRegistrar;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Points {@code spring.data.redis.*} of a Spring test's application context at a
 * {@link RedisServer}, at a {@link TcpProxy} in front of one, or at a
 * {@link RedisSentinelSet}.
 * <p>
 * As a {@link DynamicPropertyRegistrar} bean, so that the server is a bean too and lives
 * and dies with the context:
 *
 * <pre class="code">
 * &#64;TestConfiguration(proxyBeanMethods = false)
 * class RedisForTests {
 *
 *     &#64;Bean
 *     RedisServer redisServer() {
 *         return RedisServer.start();
 *     }
 *
 *     &#64;Bean
 *     DynamicPropertyRegistrar redisProperties(RedisServer redisServer) {
 *         return RedisServerProperties.registrar(redisServer);
 *     }
 *
 * }
 * </pre>
 * <p>
 * or from a {@link DynamicPropertySource &#64;DynamicPropertySource} method, for a server
 * the test class starts and closes itself:
 *
 * <pre class="code">
 * &#64;DynamicPropertySource
 * static void redis(DynamicPropertyRegistry registry) {
 *     RedisServerProperties.register(registry, redis);
 * }
 * </pre>
 * <p>
 * {@link RedisServerTestConfiguration} is the first form ready-made, with a proxy in
 * front of the server.
 * <p>
 * For a server or a proxy this sets {@code spring.data.redis.url} to
 * {@code redis://127.0.0.1:<port>} (with the server's password, if it has one), and
 * {@code spring.data.redis.host} and {@code spring.data.redis.port} to the same. The URL
 * takes precedence over the application's own {@code url}, {@code host}, {@code port},
 * {@code username}, {@code password} and {@code database} (which becomes 0), so a test
 * reaches the fixture whatever the application's configuration says. Sentinel or cluster
 * settings of the application's would still win: a test against a single server must not
 * have them. For a Sentinel set this sets {@code spring.data.redis.sentinel.master} and
 * {@code spring.data.redis.sentinel.nodes}, which Spring Boot prefers to any URL, host or
 * port.
 * <p>
 * Values are read when Spring asks for them, and a server keeps its port across
 * {@link RedisServer#restart()}, so the properties stay true for the life of the server.
 * This class needs {@code org.springframework:spring-test} on the class path (Spring
 * Boot's {@code spring-boot-starter-test} has it); nothing else in this kit does.
 */
public final class RedisServerProperties {

	/** {@code spring.data.redis.url}. */
	public static final String URL = "spring.data.redis.url";

	/** {@code spring.data.redis.host}. */
	public static final String HOST = "spring.data.redis.host";

	/** {@code spring.data.redis.port}. */
	public static final String PORT = "spring.data.redis.port";

	/** {@code spring.data.redis.sentinel.master}. */
	public static final String SENTINEL_MASTER = "spring.data.redis.sentinel.master";

	/** {@code spring.data.redis.sentinel.nodes}. */
	public static final String SENTINEL_NODES = "spring.data.redis.sentinel.nodes";

	private RedisServerProperties() {
	}

	/**
	 * Registers {@code spring.data.redis.*} for a direct connection to the server.
	 * @param registry the registry of a {@code @DynamicPropertySource} method or a
	 * {@link DynamicPropertyRegistrar}
	 * @param server the server the application connects to
	 */
	public static void register(DynamicPropertyRegistry registry, RedisServer server) {
		Objects.requireNonNull(server, "server");
		registerStandalone(registry, server.host(), server::port, server.password());
	}

	/**
	 * Registers {@code spring.data.redis.*} for connections through the proxy, which
	 * relays them to the server: the application talks to {@code proxy.port()} and the
	 * test injects faults with the proxy.
	 * @param registry the registry of a {@code @DynamicPropertySource} method or a
	 * {@link DynamicPropertyRegistrar}
	 * @param server the server behind the proxy, for its password
	 * @param proxy the proxy the application connects to
	 */
	public static void register(DynamicPropertyRegistry registry, RedisServer server, TcpProxy proxy) {
		Objects.requireNonNull(server, "server");
		Objects.requireNonNull(proxy, "proxy");
		registerStandalone(registry, proxy.host(), proxy::port, server.password());
	}

	/**
	 * Registers {@code spring.data.redis.sentinel.master} and
	 * {@code spring.data.redis.sentinel.nodes} for the set's Sentinels.
	 * @param registry the registry of a {@code @DynamicPropertySource} method or a
	 * {@link DynamicPropertyRegistrar}
	 * @param sentinelSet the set the application discovers its master from
	 */
	public static void register(DynamicPropertyRegistry registry, RedisSentinelSet sentinelSet) {
		Objects.requireNonNull(registry, "registry");
		Objects.requireNonNull(sentinelSet, "sentinelSet");
		registry.add(SENTINEL_MASTER, sentinelSet::masterName);
		registry.add(SENTINEL_NODES, sentinelSet::sentinelNodes);
	}

	/**
	 * A {@link DynamicPropertyRegistrar} that does
	 * {@link #register(DynamicPropertyRegistry, RedisServer)}; declare it as a bean.
	 * @param server the server the application connects to
	 * @return the registrar
	 */
	public static DynamicPropertyRegistrar registrar(RedisServer server) {
		Objects.requireNonNull(server, "server");
		return (registry) -> register(registry, server);
	}

	/**
	 * A {@link DynamicPropertyRegistrar} that does
	 * {@link #register(DynamicPropertyRegistry, RedisServer, TcpProxy)}; declare it as a
	 * bean.
	 * @param server the server behind the proxy, for its password
	 * @param proxy the proxy the application connects to
	 * @return the registrar
	 */
	public static DynamicPropertyRegistrar registrar(RedisServer server, TcpProxy proxy) {
		Objects.requireNonNull(server, "server");
		Objects.requireNonNull(proxy, "proxy");
		return (registry) -> register(registry, server, proxy);
	}

	/**
	 * A {@link DynamicPropertyRegistrar} that does
	 * {@link #register(DynamicPropertyRegistry, RedisSentinelSet)}; declare it as a bean.
	 * @param sentinelSet the set the application discovers its master from
	 * @return the registrar
	 */
	public static DynamicPropertyRegistrar registrar(RedisSentinelSet sentinelSet) {
		Objects.requireNonNull(sentinelSet, "sentinelSet");
		return (registry) -> register(registry, sentinelSet);
	}

	private static void registerStandalone(DynamicPropertyRegistry registry, String host, IntSupplier port,
			String password) {
		Objects.requireNonNull(registry, "registry");
		registry.add(URL, () -> url(host, port.getAsInt(), password));
		registry.add(HOST, () -> host);
		registry.add(PORT, port::getAsInt);
	}

	/**
	 * {@code redis://[userinfo@]host:port}. Spring Boot splits the user info at its first
	 * colon into user name and password, and takes it as a password alone when there is
	 * none; a password with a colon therefore goes with Redis's {@code default} user.
	 */
	static String url(String host, int port, String password) {
		if (password == null) {
			return "redis://" + host + ":" + port;
		}
		String userInfo = (password.indexOf(':') >= 0) ? "default:" + encode(password) : encode(password);
		return "redis://" + userInfo + "@" + host + ":" + port;
	}

	private static String encode(String text) {
		// java.net.URI decodes percent escapes in the user info, but not '+' as a space.
		return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
	}

}
