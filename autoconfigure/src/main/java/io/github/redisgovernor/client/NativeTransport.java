package io.github.redisgovernor.client;

import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;

/**
 * Detects a Netty native transport. {@code TCP_USER_TIMEOUT} can only be set through
 * epoll or io_uring; the JDK's NIO transport has no such option.
 *
 * @author Redis Governor contributors
 */
public enum NativeTransport {

	/** Linux io_uring. */
	IO_URING,

	/** Linux epoll. */
	EPOLL,

	/** No native transport: the JDK's NIO is used and TCP_USER_TIMEOUT is unavailable. */
	NONE;

	/**
	 * Return the native transport Lettuce will use, in Lettuce's own order of preference.
	 * @return the transport, never {@code null}
	 */
	public static NativeTransport detect() {
		if (isAvailable(IOUringProvider::isAvailable)) {
			return IO_URING;
		}
		if (isAvailable(EpollProvider::isAvailable)) {
			return EPOLL;
		}
		return NONE;
	}

	/**
	 * Return whether this transport supports {@code TCP_USER_TIMEOUT}.
	 * @return {@code true} for epoll and io_uring
	 */
	public boolean supportsTcpUserTimeout() {
		return this != NONE;
	}

	private static boolean isAvailable(java.util.function.BooleanSupplier check) {
		try {
			return check.getAsBoolean();
		}
		catch (LinkageError ex) {
			// A native jar for another platform, or a partial Netty upgrade: treat as
			// absent.
			return false;
		}
	}

}
