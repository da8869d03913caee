package io.github.redisgovernor.registry;

import java.time.Instant;

import io.github.redisgovernor.client.InstanceIdentity;

/**
 * An instance of the fleet whose registry entry has not expired. Each entry expires one
 * ttl after the instance's last heartbeat, by the ttl that instance uses.
 *
 * @param application the fleet name
 * @param instanceId the instance id
 * @param expiresAt when the entry expires without another heartbeat, by the server's
 * clock
 * @param expiresInMillis how long that is from now, by the server's clock
 * @author Redis Governor contributors
 */
public record LiveInstance(String application, String instanceId, Instant expiresAt, long expiresInMillis) {

	static LiveInstance of(String member, long expiresAtMillis, long serverNowMillis) {
		int slash = member.indexOf('/');
		String application = (slash > 0) ? member.substring(0, slash) : member;
		String instanceId = (slash > 0) ? member.substring(slash + 1) : "";
		return new LiveInstance(application, instanceId, Instant.ofEpochMilli(expiresAtMillis),
				Math.max(0, expiresAtMillis - serverNowMillis));
	}

	/**
	 * Return the client name this instance's connections carry.
	 * @return {@code <application>:<instance-id>}
	 */
	public String clientName() {
		// A member written by hand without '/' names no governed connection.
		return this.instanceId.isEmpty() ? this.application
				: new InstanceIdentity(this.application, this.instanceId).getClientName();
	}

}
