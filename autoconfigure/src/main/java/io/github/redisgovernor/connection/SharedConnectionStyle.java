package io.github.redisgovernor.connection;

import java.util.List;

/**
 * Which of the factory's shared connections the governor's own commands use. A
 * {@code LettuceConnectionFactory} shares one connection for the imperative API
 * ({@code RedisTemplate}) and another for the reactive API
 * ({@code ReactiveRedisTemplate}): the governor uses the one the application uses, so
 * that it adds none.
 *
 * @author Redis Governor contributors
 */
public enum SharedConnectionStyle {

	/**
	 * Reactive in a reactive web application, imperative otherwise.
	 */
	AUTO,

	/**
	 * The shared connection of {@code RedisTemplate} and other imperative clients.
	 */
	IMPERATIVE,

	/**
	 * The shared connection of {@code ReactiveRedisTemplate}.
	 */
	REACTIVE;

	static final List<SharedConnectionStyle> RESOLVED = List.of(IMPERATIVE, REACTIVE);

	/**
	 * Resolve {@link #AUTO}.
	 * @param reactiveApplication whether the application is a reactive web application
	 * @return the style to use
	 */
	public SharedConnectionStyle resolve(boolean reactiveApplication) {
		if (this != AUTO) {
			return this;
		}
		return reactiveApplication ? REACTIVE : IMPERATIVE;
	}

}
