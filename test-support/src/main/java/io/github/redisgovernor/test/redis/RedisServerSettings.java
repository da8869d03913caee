package io.github.redisgovernor.test.redis;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Chooses which server {@link RedisServerExtension} injects into a {@link RedisServer}
 * parameter, and how that server is configured:
 *
 * <pre class="code">
 * FailoverTests(&#64;RedisServerSettings(name = "a") RedisServer a,
 *         &#64;RedisServerSettings(name = "b", config = { "maxclients", "20" }) RedisServer b) {
 *     // ...
 * }
 * </pre>
 * <p>
 * Parameters with the same {@link #name()} get the same server, so the settings need only
 * be repeated where the server is used, not remembered. Two parameters of one test class
 * that give the same name different settings are an error: the extension does not guess
 * which one wins. A parameter without this annotation gets the server named {@code redis}
 * with default settings.
 * <p>
 * Users, keys and anything else the server can be told at run time are left to the test,
 * e.g. {@code redis.command("ACL", "SETUSER", ...)} in a {@code @BeforeAll} method that
 * takes the server.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface RedisServerSettings {

	/**
	 * Which server of the test class; also the label in the fixture's log lines and error
	 * messages.
	 * @return the server's name
	 */
	String name() default RedisServerExtension.DEFAULT_NAME;

	/**
	 * Startup configuration directives as name and value pairs, e.g.
	 * {@code {"maxclients", "20", "maxmemory", "10mb"}}; see
	 * {@link RedisServer.Builder#config(String, String)}.
	 * @return name and value pairs
	 */
	String[] config() default {};

	/**
	 * {@code requirepass}; empty (the default) for none. See
	 * {@link RedisServer.Builder#password(String)}.
	 * @return the password, or empty for none
	 */
	String password() default "";

}
