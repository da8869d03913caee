package io.github.redisgovernor.connection;

import java.time.Duration;

import io.github.redisgovernor.client.InstanceIdentity;
import io.github.redisgovernor.scheduling.GovernorScheduler;
import io.github.redisgovernor.test.redis.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceClientConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * A governed connection outside Spring, for tests of one component against a real
 * {@code redis-server}: a started factory whose client counts its activity, a started
 * scheduler, and the {@link GovernedConnection} over both. Closing it stops all three.
 *
 * @author Redis Governor contributors
 */
public final class GovernedConnectionFixture implements AutoCloseable {

	private final ClientResources resources;

	private final LettuceConnectionFactory factory;

	private final GovernorScheduler scheduler = new GovernorScheduler();

	private final GovernedConnection connection;

	private GovernedConnectionFixture(RedisStandaloneConfiguration server, InstanceIdentity identity,
			Duration commandTimeout, ClientOptions options, SharedConnectionStyle style) {
		ConnectionActivity activity = new ConnectionActivity();
		this.resources = DefaultClientResources.builder().nettyCustomizer(activity).build();
		LettuceClientConfiguration configuration = LettuceClientConfiguration.builder()
			.clientResources(this.resources)
			.clientOptions(options)
			.clientName(identity.getClientName())
			.commandTimeout(commandTimeout)
			.build();
		this.factory = new LettuceConnectionFactory(server, configuration);
		this.factory.afterPropertiesSet();
		this.factory.start();
		this.scheduler.start();
		this.connection = new GovernedConnection(this.factory, identity, commandTimeout, activity, this.scheduler,
				style);
	}

	public static GovernedConnectionFixture of(RedisServer redis) {
		return of(redis.port(), new InstanceIdentity("app", "i-1"), Duration.ofSeconds(2));
	}

	public static GovernedConnectionFixture of(int port, InstanceIdentity identity, Duration commandTimeout) {
		return of(new RedisStandaloneConfiguration("127.0.0.1", port), identity, commandTimeout);
	}

	public static GovernedConnectionFixture of(RedisStandaloneConfiguration server, InstanceIdentity identity,
			Duration commandTimeout) {
		return new GovernedConnectionFixture(server, identity, commandTimeout,
				ClientOptions.builder()
					.disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
					.build(),
				SharedConnectionStyle.IMPERATIVE);
	}

	public static GovernedConnectionFixture of(int port, InstanceIdentity identity, Duration commandTimeout,
			ClientOptions options, SharedConnectionStyle style) {
		return new GovernedConnectionFixture(new RedisStandaloneConfiguration("127.0.0.1", port), identity,
				commandTimeout, options, style);
	}

	public GovernedConnection connection() {
		return this.connection;
	}

	public LettuceConnectionFactory factory() {
		return this.factory;
	}

	public GovernorScheduler scheduler() {
		return this.scheduler;
	}

	@Override
	public void close() {
		this.scheduler.stop();
		this.factory.destroy();
		this.resources.shutdown();
	}

}
