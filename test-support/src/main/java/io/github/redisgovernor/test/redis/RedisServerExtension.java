package io.github.redisgovernor.test.redis;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit Jupiter extension that injects {@link RedisServer}s into test constructors, test
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
 * A test class may use several servers, told apart by name and configured with
 * {@link RedisServerSettings}:
 *
 * <pre class="code">
 * &#64;ExtendWith(RedisServerExtension.class)
 * class FailoverTests {
 *
 *     &#64;Test
 *     void failsOver(&#64;RedisServerSettings(name = "a") RedisServer a,
 *             &#64;RedisServerSettings(name = "b", config = { "maxclients", "20" }) RedisServer b) {
 *         // ...
 *     }
 *
 * }
 * </pre>
 * <p>
 * Each named server belongs to the top-level test class (its {@code @Nested} classes
 * share it): it is started on first use and closed after the class. Tests may
 * {@link RedisServer#stop()}, {@link RedisServer#pause()} or
 * {@link RedisServer#restart()} it; the next test gets it in whatever state the last one
 * left it, so a test that stops it restarts it when done, typically in an
 * {@code @AfterEach} method that takes the server too.
 */
public final class RedisServerExtension implements ParameterResolver {

	/**
	 * The name of the server that a parameter without {@link RedisServerSettings} gets.
	 */
	static final String DEFAULT_NAME = "redis";

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(RedisServerExtension.class);

	/** Creates the extension; JUnit calls this. */
	public RedisServerExtension() {
	}

	/**
	 * Supports parameters of type {@link RedisServer}, with or without
	 * {@link RedisServerSettings}.
	 */
	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisServer.class;
	}

	/**
	 * The test class's server of the parameter's name, started on first use.
	 * @throws ParameterResolutionException when the settings are malformed or differ from
	 * those that another parameter gave the same name
	 */
	@Override
	public RedisServer resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		Settings wanted = Settings.of(parameterContext.findAnnotation(RedisServerSettings.class));
		ExtensionContext classContext = classContext(extensionContext);
		// Stored values that are AutoCloseable are closed when their context closes:
		// after the class.
		StartedServer started = classContext.getStore(NAMESPACE)
			.computeIfAbsent(wanted.name(), name -> new StartedServer(wanted, wanted.start()), StartedServer.class);
		if (!started.settings().equals(wanted)) {
			throw new ParameterResolutionException("Redis server '" + wanted.name() + "' of "
					+ classContext.getRequiredTestClass().getSimpleName() + " was started with "
					+ started.settings().describe() + ", but parameter '" + parameterContext.getParameter().getName()
					+ "' of " + parameterContext.getDeclaringExecutable().getName() + " asks for "
					+ (wanted.config().equals(started.settings().config()) ? "another password" : wanted.describe())
					+ ". Give the same settings wherever the name is used, or use another name.");
		}
		return started.server();
	}

	private static ExtensionContext classContext(ExtensionContext context) {
		ExtensionContext current = context;
		while (current.getParent().flatMap(ExtensionContext::getTestClass).isPresent()) {
			current = current.getParent().orElseThrow();
		}
		return current;
	}

	/** What a parameter asks for; equal settings mean the same server. */
	private record Settings(String name, List<String> config, String password) {

		static Settings of(Optional<RedisServerSettings> annotation) {
			if (annotation.isEmpty()) {
				return new Settings(DEFAULT_NAME, List.of(), "");
			}
			RedisServerSettings settings = annotation.get();
			if (settings.name().isBlank()) {
				throw new ParameterResolutionException("@RedisServerSettings needs a name that is not blank");
			}
			if (settings.config().length % 2 != 0) {
				throw new ParameterResolutionException("@RedisServerSettings(name = \"" + settings.name()
						+ "\") config must hold name and value pairs, but has an odd number of elements: "
						+ Arrays.toString(settings.config()));
			}
			return new Settings(settings.name(), List.of(settings.config()), settings.password());
		}

		RedisServer start() {
			RedisServer.Builder builder = RedisServer.builder().name(name);
			for (int i = 0; i < config.size(); i += 2) {
				builder.config(config.get(i), config.get(i + 1));
			}
			if (!password.isEmpty()) {
				builder.password(password);
			}
			return builder.start();
		}

		/** Never shows the password, only whether there is one. */
		String describe() {
			return "config " + config + (password.isEmpty() ? " and no password" : " and a password");
		}

		@Override
		public String toString() {
			return "Settings[" + name + ", " + describe() + "]";
		}
	}

	private record StartedServer(Settings settings, RedisServer server) implements AutoCloseable {

		@Override
		public void close() {
			server.close();
		}
	}

}
