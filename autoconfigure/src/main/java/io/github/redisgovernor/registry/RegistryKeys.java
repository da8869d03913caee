package io.github.redisgovernor.registry;

import java.nio.charset.StandardCharsets;

/**
 * The registry's keys, and the argument that makes the scripts {@code SELECT} database 0
 * when the application's connection selects another one. The sampler lease and the
 * published figures are named after the registry key, so that all three share its hash
 * tag and one cluster slot.
 *
 * @author Redis Governor contributors
 */
final class RegistryKeys {

	private final String registryName;

	private final byte[][] all;

	private final byte[] database;

	RegistryKeys(String registry, int connectionDatabase) {
		this.registryName = registry;
		this.all = new byte[][] { bytes(registry), bytes(registry + ":sampler"), bytes(registry + ":figures") };
		this.database = bytes((connectionDatabase != 0) ? "0" : "");
	}

	String registryName() {
		return this.registryName;
	}

	byte[] registry() {
		return this.all[0];
	}

	byte[][] all() {
		return this.all;
	}

	byte[] database() {
		return this.database;
	}

	private static byte[] bytes(String value) {
		return value.getBytes(StandardCharsets.UTF_8);
	}

}
