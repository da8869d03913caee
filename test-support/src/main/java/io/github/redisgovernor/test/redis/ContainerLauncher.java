package io.github.redisgovernor.test.redis;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Last resort: redis in a Docker container, published on a fixed port of the local Docker
 * host's loopback interface so that a restart keeps the port. Only loaded when
 * Testcontainers is on the class path; containers that outlive the JVM are removed by
 * Testcontainers' reaper.
 */
final class ContainerLauncher implements Launcher {

	static final String IMAGE = "redis:7.4";

	private static final int REDIS_PORT = 6379;

	static boolean dockerAvailable() {
		return DockerClientFactory.instance().isDockerAvailable();
	}

	@Override
	public RedisServer.Source source() {
		return RedisServer.Source.TESTCONTAINERS;
	}

	@Override
	public String description() {
		return IMAGE + " container";
	}

	@Override
	public RedisInstance launch(int port, List<String> redisArgs, Path workDir) {
		List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(REDIS_PORT)));
		command.addAll(redisArgs);
		GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(IMAGE))
			.withExposedPorts(REDIS_PORT)
			.withCommand(command.toArray(String[]::new))
			.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
				.withPortBindings(
						new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(REDIS_PORT))));
		container.start();
		return new ContainerInstance(container);
	}

	private static final class ContainerInstance implements RedisInstance {

		private final GenericContainer<?> container;

		ContainerInstance(GenericContainer<?> container) {
			this.container = container;
		}

		@Override
		public long pid() {
			return -1;
		}

		@Override
		public boolean isAlive() {
			return container.isRunning();
		}

		@Override
		public void pause() {
			container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
		}

		@Override
		public void resume() {
			container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
		}

		@Override
		public void stop() {
			if (container.isRunning()) {
				container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(10).exec();
			}
			container.stop();
		}

		@Override
		public void kill() {
			container.stop(); // kills and removes the container
		}

		@Override
		public String logTail() {
			String[] lines = container.getLogs().strip().split("\\R");
			return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 30), lines.length));
		}

	}

}
