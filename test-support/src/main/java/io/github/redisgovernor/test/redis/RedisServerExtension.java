package io.github.redisgovernor.test.redis;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit Jupiter extension that injects a {@link RedisServer} into test constructors, test
 * methods and lifecycle methods:
 *
 * <pre class="code">
 * &#64;ExtendWith(RedisServerExtension.class)
 * class CacheTests {
 *
 *     &#64;Test
 *     void works(RedisServer redis) {
 *         // ...
 *     }
 *
 * }
 * </pre>
 * <p>
 * One server per top-level test class (shared with its {@code @Nested} classes), started
 * on first use with default settings and closed after the class.
 */
public final class RedisServerExtension implements ParameterResolver {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(RedisServerExtension.class);

	/** Creates the extension; JUnit calls this. */
	public RedisServerExtension() {
	}

	/** Supports parameters of type {@link RedisServer}. */
	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisServer.class;
	}

	/** The server of the test class, started on first use. */
	@Override
	public RedisServer resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		// Stored values that are AutoCloseable are closed when their context closes:
		// after the class.
		return classContext(extensionContext).getStore(NAMESPACE)
			.computeIfAbsent(RedisServer.class, type -> RedisServer.start(), RedisServer.class);
	}

	private static ExtensionContext classContext(ExtensionContext context) {
		ExtensionContext current = context;
		while (current.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
			current = current.getParent().orElseThrow();
		}
		return current;
	}

}
