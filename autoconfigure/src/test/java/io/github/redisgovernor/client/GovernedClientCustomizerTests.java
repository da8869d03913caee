package io.github.redisgovernor.client;

import java.time.Duration;

import io.github.redisgovernor.connection.ConnectionActivity;
import io.lettuce.core.SocketOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link GovernedClientCustomizer}'s socket options with and without a native
 * transport. (The build deliberately has no native transport jar, so the native case is
 * driven through {@link NativeTransport} here.)
 */
class GovernedClientCustomizerTests {

	private final ClientPolicy policy = new ClientPolicy(Duration.ofMillis(1500), Duration.ofSeconds(2), 100,
			Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(10), 3,
			Duration.ofSeconds(25), Duration.ofSeconds(1));

	@Test
	void socketOptionsWithEpollShouldSetTcpUserTimeout() {
		SocketOptions socket = customizer(NativeTransport.EPOLL).socketOptions();
		assertThat(socket.getTcpUserTimeout().isEnabled()).isTrue();
		assertThat(socket.getTcpUserTimeout().getTcpUserTimeout()).isEqualTo(Duration.ofSeconds(25));
		assertThat(socket.getConnectTimeout()).isEqualTo(Duration.ofMillis(1500));
	}

	@Test
	void socketOptionsWithIoUringShouldSetTcpUserTimeout() {
		assertThat(customizer(NativeTransport.IO_URING).socketOptions().getTcpUserTimeout().isEnabled()).isTrue();
	}

	@Test
	void socketOptionsWithoutNativeTransportShouldLeaveTcpUserTimeoutOff() {
		SocketOptions socket = customizer(NativeTransport.NONE).socketOptions();
		assertThat(socket.getTcpUserTimeout().isEnabled()).isFalse();
		assertThat(socket.getKeepAlive().isEnabled()).isTrue();
		assertThat(socket.getConnectTimeout()).isEqualTo(Duration.ofMillis(1500));
	}

	@Test
	void detectWithoutNativeJarsShouldFindNone() {
		// The project must build and run without netty-transport-native-* (DESIGN.md).
		assertThat(NativeTransport.detect()).isEqualTo(NativeTransport.NONE);
	}

	private GovernedClientCustomizer customizer(NativeTransport transport) {
		return new GovernedClientCustomizer(new InstanceIdentity("app", "i"), this.policy, transport,
				new ConnectionActivity());
	}

}
