package io.github.redisgovernor.registry;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * What the last heartbeat learned about the fleet.
 *
 * @param liveInstances instances (of every application) whose last heartbeat is younger
 * than the ttl, or {@code null} before the first successful heartbeat
 * @param lastHeartbeat when this instance's last heartbeat succeeded, or {@code null}
 * @param problem why the last heartbeat failed, or {@code null} when it succeeded
 * @author Redis Governor contributors
 */
public record RegistrySnapshot(@Nullable Long liveInstances, @Nullable Instant lastHeartbeat,
		@Nullable String problem) {

	static final RegistrySnapshot NONE = new RegistrySnapshot(null, null, "no heartbeat has been sent yet");

}
