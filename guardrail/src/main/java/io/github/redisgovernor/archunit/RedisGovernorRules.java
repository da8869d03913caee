package io.github.redisgovernor.archunit;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * ArchUnit rules that keep Redis clients, connection factories and connections inside an
 * application's configuration, where there is one of each and the container closes them.
 * Add them to a test suite in one line (see {@code docs/guardrail.md}):
 *
 * <pre class="code">
 * &#64;ArchTest
 * static final ArchRule redisGovernor = RedisGovernorRules.ALL;
 * </pre>
 *
 * or, without ArchUnit's JUnit support,
 * {@code RedisGovernorRules.ALL.check(new ClassFileImporter().importPackages("com.example"))}.
 * <p>
 * The rules name Spring Data Redis, Lettuce and Jedis types by class name, so they load
 * and run whichever of these libraries the application has, including none.
 * <p>
 * <b>Configuration</b>, for both rules, is code in a class annotated or meta-annotated
 * with {@code @Configuration} ({@code @SpringBootApplication},
 * {@code @AutoConfiguration}, {@code @TestConfiguration} and the like), in a class nested
 * in one, or in a method annotated with {@code @Bean} in any class (a {@code @Bean}
 * method of a {@code @Component}, Spring's "lite" mode). The rules do not look at what
 * such code does: a {@code @Configuration} class that builds a client per call passes.
 *
 * @author Redis Governor contributors
 */
public final class RedisGovernorRules {

	static final String CONFIGURATION = "org.springframework.context.annotation.Configuration";

	static final String BEAN = "org.springframework.context.annotation.Bean";

	/**
	 * Types whose instances are Redis clients, pools or connection factories: each one
	 * opens connections (and, for Lettuce, threads) of its own. A type matches if it is
	 * or extends one of these; the concrete names are listed too so that a call still
	 * matches when its target's class is not on the classpath at analysis time.
	 */
	static final List<String> CLIENT_TYPES = List.of("org.springframework.data.redis.connection.RedisConnectionFactory",
			"org.springframework.data.redis.connection.ReactiveRedisConnectionFactory",
			"org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
			"org.springframework.data.redis.connection.jedis.JedisConnectionFactory",
			"io.lettuce.core.AbstractRedisClient", "io.lettuce.core.RedisClient",
			"io.lettuce.core.cluster.RedisClusterClient", "redis.clients.jedis.Jedis",
			"redis.clients.jedis.UnifiedJedis", "redis.clients.jedis.JedisPooled", "redis.clients.jedis.JedisCluster",
			"redis.clients.jedis.JedisPool", "redis.clients.jedis.JedisSentinelPool", "redis.clients.jedis.util.Pool",
			"redis.clients.jedis.Connection");

	/** Spring Data Redis connection factories: their connections must be closed. */
	static final List<String> FACTORY_TYPES = List.of(
			"org.springframework.data.redis.connection.RedisConnectionFactory",
			"org.springframework.data.redis.connection.ReactiveRedisConnectionFactory",
			"org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory",
			"org.springframework.data.redis.connection.jedis.JedisConnectionFactory");

	static final Set<String> FACTORY_CONNECTION_METHODS = Set.of("getConnection", "getClusterConnection",
			"getSentinelConnection", "getReactiveConnection", "getReactiveClusterConnection");

	/** Lettuce clients: every {@code connect*} method opens a new TCP connection. */
	static final List<String> LETTUCE_CLIENT_TYPES = List.of("io.lettuce.core.AbstractRedisClient",
			"io.lettuce.core.RedisClient", "io.lettuce.core.cluster.RedisClusterClient");

	/**
	 * No class constructs a Redis client, pool or connection factory outside the
	 * application's configuration: no {@code new} (nor {@code ::new}) of Lettuce's
	 * {@code RedisClient} or {@code RedisClusterClient}, of
	 * {@code LettuceConnectionFactory}, {@code JedisConnectionFactory} or any other
	 * {@code RedisConnectionFactory} or {@code ReactiveRedisConnectionFactory}, of
	 * Jedis's {@code Jedis}, {@code UnifiedJedis} ({@code JedisPooled},
	 * {@code JedisCluster}), {@code JedisPool}, {@code JedisSentinelPool}, any other
	 * Jedis {@code Pool}, or {@code Connection}, nor of a subclass of any of them; and no
	 * call of their static factories: a static method of one of these types that returns
	 * one of them (such as {@code RedisClient.create(...)}) or is named {@code builder}.
	 * A subclass's constructor calling {@code super(...)} is not a construction;
	 * constructing the subclass is.
	 */
	public static final ArchRule NO_REDIS_CLIENTS_OUTSIDE_CONFIGURATION = noClasses().should()
		.accessTargetWhere(outsideConfiguration(constructsClient()))
		.as("no class outside @Configuration classes and @Bean methods should construct a Redis client, "
				+ "pool or connection factory")
		.because("a client, pool or factory built in application code has connections (and, for Lettuce, threads) "
				+ "of its own that nothing closes; built per request, that is how three tasks leaked 8,847 "
				+ "connections, each climbing 5.3 MB/min until the kernel killed it. Inject the application's "
				+ "StringRedisTemplate, RedisTemplate or RedisConnectionFactory bean instead: with Redis Governor "
				+ "they use its one governed shared connection");

	/**
	 * No class takes a connection itself outside the application's configuration: no call
	 * of {@code getConnection()}, {@code getClusterConnection()},
	 * {@code getSentinelConnection()}, {@code getReactiveConnection()} or
	 * {@code getReactiveClusterConnection()} on a {@code RedisConnectionFactory} or
	 * {@code ReactiveRedisConnectionFactory}, and no call of a {@code connect*} method
	 * ({@code connect}, {@code connectAsync}, {@code connectPubSub},
	 * {@code connectSentinel}...) on a Lettuce {@code RedisClient} or
	 * {@code RedisClusterClient}. A class that is itself a connection factory (a wrapper
	 * that hands out its delegate's connections) may call its delegate.
	 * <p>
	 * The rule sees the call, not whether the connection is closed afterwards: a
	 * connection taken and closed in a {@code try}-with-resources fails it too. That is
	 * deliberate: the templates' {@code execute(...)} methods take and close the
	 * connection for any code that needs one, so every such call has a replacement that
	 * cannot leak.
	 */
	public static final ArchRule NO_CONNECTIONS_TAKEN_OUTSIDE_CONFIGURATION = noClasses().should()
		.accessTargetWhere(outsideConfiguration(takesConnection()))
		.as("no class outside @Configuration classes and @Bean methods should take a Redis connection from a "
				+ "connection factory or a Lettuce client itself")
		.because("a connection taken by hand must be closed by hand, and one that is not holds a dedicated "
				+ "connection on the server until the process stops once it has started a transaction, a pipeline "
				+ "or a blocking command; such connections add up on the server as the 8,847 leaked by three tasks "
				+ "did. Use the StringRedisTemplate or RedisTemplate bean: its operations and execute(...) use "
				+ "the governed shared connection and close what they take");

	/** Both rules, for one line in a test suite. */
	public static final ArchRule ALL = CompositeArchRule.of(NO_REDIS_CLIENTS_OUTSIDE_CONFIGURATION)
		.and(NO_CONNECTIONS_TAKEN_OUTSIDE_CONFIGURATION);

	private RedisGovernorRules() {
	}

	static DescribedPredicate<JavaAccess<?>> constructsClient() {
		return DescribedPredicate.describe("construct a Redis client, pool or connection factory",
				RedisGovernorRules::constructsClient);
	}

	private static boolean constructsClient(JavaAccess<?> access) {
		AccessTarget target = access.getTarget();
		if (!isAny(target.getOwner(), CLIENT_TYPES)) {
			return false;
		}
		if (target instanceof AccessTarget.ConstructorCallTarget
				|| target instanceof AccessTarget.ConstructorReferenceTarget) {
			return !isSuperOrThisCall(access);
		}
		if (target instanceof AccessTarget.MethodCallTarget || target instanceof AccessTarget.MethodReferenceTarget) {
			return isStaticFactory((AccessTarget.CodeUnitAccessTarget) target);
		}
		return false;
	}

	private static boolean isSuperOrThisCall(JavaAccess<?> access) {
		if (!access.getOrigin().isConstructor()) {
			return false;
		}
		JavaClass caller = access.getOriginOwner();
		String callee = access.getTargetOwner().getName();
		return caller.getName().equals(callee)
				|| caller.getRawSuperclass().map((superclass) -> superclass.getName().equals(callee)).orElse(false);
	}

	private static boolean isStaticFactory(AccessTarget.CodeUnitAccessTarget target) {
		Optional<? extends JavaCodeUnit> method = target.resolveMember();
		if (method.isEmpty()) {
			// The owner is not on the classpath: judge by the conventional names alone.
			return target.getName().equals("create") || target.getName().equals("builder");
		}
		return method.get().getModifiers().contains(JavaModifier.STATIC)
				&& (target.getName().equals("builder") || isAny(target.getRawReturnType(), CLIENT_TYPES));
	}

	static DescribedPredicate<JavaAccess<?>> takesConnection() {
		return DescribedPredicate.describe("take a connection from a Redis connection factory or Lettuce client",
				RedisGovernorRules::takesConnection);
	}

	private static boolean takesConnection(JavaAccess<?> access) {
		AccessTarget target = access.getTarget();
		if (!(target instanceof AccessTarget.MethodCallTarget
				|| target instanceof AccessTarget.MethodReferenceTarget)) {
			return false;
		}
		JavaClass owner = target.getOwner();
		String name = target.getName();
		if (isAny(owner, FACTORY_TYPES) && FACTORY_CONNECTION_METHODS.contains(name)) {
			// A factory that wraps another hands its delegate's connections on to its
			// caller.
			return !isAny(access.getOriginOwner(), FACTORY_TYPES);
		}
		return isAny(owner, LETTUCE_CLIENT_TYPES) && name.startsWith("connect");
	}

	private static DescribedPredicate<JavaAccess<?>> outsideConfiguration(DescribedPredicate<JavaAccess<?>> access) {
		return DescribedPredicate.describe(access.getDescription(),
				(candidate) -> access.test(candidate) && !isInConfiguration(candidate));
	}

	/**
	 * Whether the access is in configuration code: in a class annotated or meta-annotated
	 * with {@code @Configuration}, in a class nested in one, or in a {@code @Bean}
	 * method.
	 */
	static boolean isInConfiguration(JavaAccess<?> access) {
		if (access.getOrigin().isMetaAnnotatedWith(BEAN)) {
			return true;
		}
		Optional<JavaClass> type = Optional.of(access.getOriginOwner());
		while (type.isPresent()) {
			if (type.get().isMetaAnnotatedWith(CONFIGURATION)) {
				return true;
			}
			type = type.get().getEnclosingClass();
		}
		return false;
	}

	private static boolean isAny(JavaClass type, List<String> names) {
		for (String name : names) {
			if (type.isAssignableTo(name)) {
				return true;
			}
		}
		return false;
	}

}
