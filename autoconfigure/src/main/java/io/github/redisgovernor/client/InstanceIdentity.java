package io.github.redisgovernor.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.util.Assert;
import org.springframework.util.StringUtils;

/**
 * Who this process is within the fleet: the application (fleet) name and a unique
 * instance id. Every governed connection carries both as its client name,
 * {@code <application>:<instance-id>}, so that {@code CLIENT LIST} attributes it.
 *
 * @author Redis Governor contributors
 */
public final class InstanceIdentity {

	private static final String FALLBACK_APPLICATION = "application";

	private static final SecureRandom random = new SecureRandom();

	private final String application;

	private final String instanceId;

	/**
	 * Create an identity from explicit values. Both must already be valid client name
	 * parts (letters, digits, '.', '_' and '-').
	 * @param application the fleet name
	 * @param instanceId the id of this process
	 */
	public InstanceIdentity(String application, String instanceId) {
		Assert.hasText(application, "'application' must not be empty");
		Assert.hasText(instanceId, "'instanceId' must not be empty");
		this.application = application;
		this.instanceId = instanceId;
	}

	/**
	 * Resolve the identity of this process. Explicit values win; otherwise the
	 * application falls back to {@code spring.application.name} and the instance id to
	 * the host name, the process id and a random suffix drawn at each call: containers on
	 * host networking share a host name and often all run as pid 1, and two application
	 * contexts in one process hold a connection each; all of them must be distinct
	 * members of the registry. The identity is resolved once per application context, so
	 * it holds across {@code stop()} and {@code start()}. Derived values are sanitized,
	 * because Redis rejects client names with spaces.
	 * @param application the configured application, or {@code null}
	 * @param instanceId the configured instance id, or {@code null}
	 * @param springApplicationName the value of {@code spring.application.name}, or
	 * {@code null}
	 * @return the identity
	 */
	public static InstanceIdentity resolve(@Nullable String application, @Nullable String instanceId,
			@Nullable String springApplicationName) {
		String resolvedApplication = StringUtils.hasText(application) ? application
				: sanitize(StringUtils.hasText(springApplicationName) ? springApplicationName : FALLBACK_APPLICATION);
		String resolvedInstanceId = StringUtils.hasText(instanceId) ? instanceId
				: sanitize(hostName() + "-" + ProcessHandle.current().pid() + "-" + randomSuffix());
		return new InstanceIdentity(resolvedApplication, resolvedInstanceId);
	}

	static String sanitize(String value) {
		String sanitized = value.trim().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-");
		sanitized = sanitized.replaceAll("^-+|-+$", "");
		return sanitized.isEmpty() ? FALLBACK_APPLICATION : sanitized;
	}

	private static String randomSuffix() {
		String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
		StringBuilder suffix = new StringBuilder(6);
		for (int i = 0; i < 6; i++) {
			suffix.append(alphabet.charAt(random.nextInt(alphabet.length())));
		}
		return suffix.toString();
	}

	private static String hostName() {
		String fromEnvironment = System.getenv("HOSTNAME");
		if (StringUtils.hasText(fromEnvironment)) {
			return fromEnvironment;
		}
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "unknown-host";
		}
	}

	/**
	 * Return the fleet name.
	 * @return the application
	 */
	public String getApplication() {
		return this.application;
	}

	/**
	 * Return the id of this process.
	 * @return the instance id
	 */
	public String getInstanceId() {
		return this.instanceId;
	}

	/**
	 * Return the name every governed connection sets with {@code CLIENT SETNAME}.
	 * @return {@code <application>:<instance-id>}
	 */
	public String getClientName() {
		return this.application + ":" + this.instanceId;
	}

	@Override
	public String toString() {
		return getClientName();
	}

}
