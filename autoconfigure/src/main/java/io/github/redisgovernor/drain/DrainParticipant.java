package io.github.redisgovernor.drain;

/**
 * Background work that must stop before the drain waits for in-flight commands on
 * shutdown, for example the instance registry's heartbeat. The drain calls every bean of
 * this type, in {@link org.springframework.core.Ordered order}, before it waits; a
 * participant that fails is logged and does not stop the others.
 *
 * @author Redis Governor contributors
 */
@FunctionalInterface
public interface DrainParticipant {

	/**
	 * Stop this participant's Redis traffic; called once, on shutdown, while the governed
	 * connection is still open (so a registry can still deregister).
	 */
	void stopBeforeDrain();

}
