package io.github.redisgovernor.benchmarks;

/**
 * The three applications {@link BenchmarkSuite} sets side by side: one
 * {@link SoakApplication}, three ways.
 *
 * @author Redis Governor contributors
 */
enum AppMode {

	/**
	 * Plain Spring Boot: {@code redis.governor.enabled=false}, which backs every
	 * auto-configuration of the governor off (docs/configuration.md).
	 */
	PLAIN("plain Boot", false),

	/** The governed application: the starter at its defaults. */
	GOVERNED("governed", true),

	/**
	 * Plain Spring Boot whose {@code GET /kv/{key}} builds a client per request
	 * ({@code soak.client=per-request}, {@link SoakApplication.ClientPerRequest}).
	 */
	PER_REQUEST("per-request client", false, "--soak.client=per-request");

	private final String label;

	private final boolean governed;

	private final String[] arguments;

	AppMode(String label, boolean governed, String... arguments) {
		this.label = label;
		this.governed = governed;
		this.arguments = arguments;
	}

	String label() {
		return this.label;
	}

	boolean governed() {
		return this.governed;
	}

	/**
	 * The name of the application on the server, {@code suite-<mode>}: the governed
	 * connection is named {@code suite-governed:<instance-id>}.
	 * @return the application name
	 */
	String application() {
		return "suite-" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
	}

	String[] arguments() {
		return this.arguments.clone();
	}

}
