package io.github.redisgovernor.server;

/**
 * One Redis Cluster node's client figures, from the fleet's sampler: the same figures as
 * a standalone server's ({@code INFO clients} and the {@code CLIENT LIST} mix of that
 * node), with their own history for the leak rule.
 *
 * @param address the node's {@code host:port}
 * @param role {@code master}, or {@code replica} when the application reads from replicas
 * @param figures the node's figures
 * @author Redis Governor contributors
 */
public record NodeFigures(String address, String role, ServerFigures figures) {

}
