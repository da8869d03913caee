package io.github.redisgovernor.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ClientOptions.DisconnectedBehavior;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SocketOptions.KeepAliveOptions;
import io.lettuce.core.SocketOptions.TcpUserTimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.protocol.ReadOnlyCommands;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientConfigurationBuilderCustomizer;
import org.springframework.boot.data.redis.autoconfigure.LettuceClientOptionsBuilderCustomizer;
import org.springframework.core.Ordered;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration.LettuceClientConfigurationBuilder;

/**
 * Every Lettuce setting the governor applies, in one place. Spring Boot calls it through
 * its three customizer hooks while it builds the {@code LettuceConnectionFactory}, so all
 * {@code spring.data.redis.*} connection settings (url, host, credentials, database, ssl,
 * sentinel, cluster) keep working.
 * <ul>
 * <li>Client name {@code <application>:<instance-id>} on every connection.</li>
 * <li>Connect and command timeouts.</li>
 * <li>While a connection is being re-established, a command waits for it at most the
 * reconnect grace period, and fails at once once the connection has been down longer
 * ({@link ReconnectGrace}); the queue of commands that wait for a reply is bounded.</li>
 * <li>Reconnect with jittered exponential back-off.</li>
 * <li>With replica reads, {@code INFO} and {@code CLIENT} still go to the master.</li>
 * <li>TCP keepalive with short probes, and {@code TCP_USER_TIMEOUT} when a native
 * transport is present.</li>
 * </ul>
 * It runs at {@link Ordered#HIGHEST_PRECEDENCE} so that an application's own customizer
 * runs after it and can still override any single setting.
 *
 * @author Redis Governor contributors
 */
public class GovernedClientCustomizer implements LettuceClientConfigurationBuilderCustomizer,
		LettuceClientOptionsBuilderCustomizer, ClientResourcesBuilderCustomizer, Ordered {

	private static final Log logger = LogFactory.getLog(GovernedClientCustomizer.class);

	private final InstanceIdentity identity;

	private final ClientPolicy policy;

	private final NativeTransport transport;

	private final NettyCustomizer activity;

	private volatile boolean applied;

	private @Nullable ClusterTopologyRefreshOptions clusterRefresh;

	/**
	 * Create the customizer.
	 * @param identity the identity every connection is named with
	 * @param policy the settings to apply
	 * @param transport the native transport on the class path, if any
	 * @param activity counts each connection's traffic, for the watchdog and the drain
	 */
	public GovernedClientCustomizer(InstanceIdentity identity, ClientPolicy policy, NativeTransport transport,
			NettyCustomizer activity) {
		this.identity = identity;
		this.policy = policy;
		this.transport = transport;
		this.activity = activity;
	}

	@Override
	public void customize(LettuceClientConfigurationBuilder builder) {
		builder.clientName(this.identity.getClientName());
		builder.commandTimeout(this.policy.commandTimeout());
	}

	@Override
	public void customize(ClientOptions.Builder builder) {
		// Boot puts its connect timeout into SocketOptions; replacing SocketOptions would
		// drop it (spring-boot#47342), so the resolved connect timeout is set here again.
		builder.socketOptions(socketOptions());
		builder.autoReconnect(true);
		builder.disconnectedBehavior(this.policy.reconnectGrace().isZero() ? DisconnectedBehavior.REJECT_COMMANDS
				: DisconnectedBehavior.ACCEPT_COMMANDS);
		builder.requestQueueSize(this.policy.requestQueueSize());
		builder.readOnlyCommands(GovernedClientCustomizer::readsFromReplicas);
		if (builder instanceof ClusterClientOptions.Builder cluster && this.clusterRefresh != null) {
			cluster.topologyRefreshOptions(this.clusterRefresh);
		}
		this.applied = true;
		logger.info(summary());
	}

	@Override
	public void customize(ClientResources.Builder builder) {
		builder.reconnectDelay(Delay.fullJitter(this.policy.reconnectMinDelay(), this.policy.reconnectMaxDelay(),
				this.policy.reconnectMinDelay().toMillis(), TimeUnit.MILLISECONDS));
		builder.nettyCustomizer(nettyCustomizer());
	}

	/**
	 * Which commands may go to a replica when the application reads from replicas
	 * ({@code spring.data.redis.lettuce.read-from}): Lettuce's read-only commands, except
	 * {@code INFO} and {@code CLIENT}, which describe the server they run on. The
	 * governor's samples, health and client list must describe the master, whose clients
	 * the budget judges, and so must an application's own.
	 * @param command the command
	 * @return whether it may be read from a replica
	 */
	/**
	 * Use these topology refresh options on a Redis Cluster client, in place of the ones
	 * Spring Boot built from {@code spring.data.redis.lettuce.cluster.refresh.*} (the
	 * caller carries those settings over).
	 * @param options the options
	 */
	public void useClusterRefresh(ClusterTopologyRefreshOptions options) {
		this.clusterRefresh = options;
	}

	static boolean readsFromReplicas(RedisCommand<?, ?, ?> command) {
		ProtocolKeyword type = command.getType();
		return type != CommandType.INFO && type != CommandType.CLIENT && ReadOnlyCommands.isReadOnlyCommand(type);
	}

	NettyCustomizer nettyCustomizer() {
		if (this.policy.reconnectGrace().isZero()) {
			return this.activity;
		}
		NettyCustomizer grace = new ReconnectGrace(this.policy.reconnectGrace(), "redis.governor.reconnect.grace");
		NettyCustomizer activity = this.activity;
		return new NettyCustomizer() {

			@Override
			public void afterBootstrapInitialized(Bootstrap bootstrap) {
				activity.afterBootstrapInitialized(bootstrap);
			}

			@Override
			public void afterChannelInitialized(Channel channel) {
				activity.afterChannelInitialized(channel);
				grace.afterChannelInitialized(channel);
			}

		};
	}

	SocketOptions socketOptions() {
		SocketOptions.Builder socket = SocketOptions.builder()
			.connectTimeout(this.policy.connectTimeout())
			.keepAlive(KeepAliveOptions.builder()
				.enable()
				.idle(this.policy.keepAliveIdle())
				.interval(this.policy.keepAliveInterval())
				.count(this.policy.keepAliveCount())
				.build());
		if (this.transport.supportsTcpUserTimeout()) {
			socket.tcpUserTimeout(
					TcpUserTimeoutOptions.builder().enable().tcpUserTimeout(this.policy.tcpUserTimeout()).build());
		}
		return socket.build();
	}

	private String summary() {
		ClientPolicy p = this.policy;
		String userTimeout = this.transport.supportsTcpUserTimeout()
				? "TCP_USER_TIMEOUT " + p.tcpUserTimeout().toMillis() + "ms (" + this.transport + ")"
				: "TCP_USER_TIMEOUT off: no native transport on the class path (add "
						+ "io.netty:netty-transport-native-epoll with the linux classifier to enable it; "
						+ "meanwhile the watchdog's PING detects a dead connection, see redis.governor.watchdog.*)";
		return "Redis Governor [" + this.identity + "] governing Lettuce: connect-timeout "
				+ p.connectTimeout().toMillis() + "ms, command-timeout " + p.commandTimeout().toMillis()
				+ "ms, request-queue-size " + p.requestQueueSize() + ", " + disconnected(p.reconnectGrace()) + ", "
				+ "reconnect back-off " + p.reconnectMinDelay().toMillis() + "ms.." + p.reconnectMaxDelay().toMillis()
				+ "ms with jitter, TCP keepalive idle " + p.keepAliveIdle().toSeconds() + "s interval "
				+ p.keepAliveInterval().toSeconds() + "s count " + p.keepAliveCount() + ", " + userTimeout;
	}

	private static String disconnected(Duration grace) {
		return grace.isZero() ? "reject commands while disconnected"
				: "commands wait up to " + grace.toMillis() + "ms for a reconnect";
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	/**
	 * Return whether Spring Boot has applied this customizer to a connection factory.
	 * @return {@code true} once the client options were customized
	 */
	public boolean isApplied() {
		return this.applied;
	}

	/**
	 * Return the identity this customizer names connections with.
	 * @return the identity
	 */
	public InstanceIdentity getIdentity() {
		return this.identity;
	}

	/**
	 * Return the settings this customizer applies.
	 * @return the policy
	 */
	public ClientPolicy getPolicy() {
		return this.policy;
	}

}
