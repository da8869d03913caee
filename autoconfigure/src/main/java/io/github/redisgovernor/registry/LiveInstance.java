package io.github.redisgovernor.registry;

import java.time.Instant;

/**
 * An instance of the fleet whose heartbeat is younger than the registry's ttl.
 *
 * @param application the fleet name
 * @param instanceId the instance id
 * @param lastHeartbeat when the instance last heartbeated, by the server's clock
 * @param ageMillis how long ago that was, by the server's clock
 * @author Redis Governor contributors
 */
public record LiveInstance(String application, String instanceId, Instant lastHeartbeat, long ageMillis) {

	static LiveInstance of(String member, long heartbeatMillis, long serverNowMillis) {
		int slash = member.indexOf('/');
		String application = (slash > 0) ? member.substring(0, slash) : member;
		String instanceId = (slash > 0) ? member.substring(slash + 1) : "";
		return new LiveInstance(application, instanceId, Instant.ofEpochMilli(heartbeatMillis),
				Math.max(0, serverNowMillis - heartbeatMillis));
	}

}
