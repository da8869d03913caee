package io.github.redisgovernor.test.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy for fault injection: clients connect to {@link #port()}, each
 * connection is relayed to {@code 127.0.0.1:targetPort}.
 *
 * <pre>{@code
 * try (TcpProxy proxy = TcpProxy.start(redis.port())) {
 *     // point the client at proxy.port(), then:
 *     proxy.silence();                       // the peer stops answering, connections stay open
 *     proxy.dropConnections();               // every connection is closed
 *     proxy.silentFailover(standby.port());  // open connections go silent, new ones reach standby
 * }
 * }</pre>
 * <p>
 * The proxy only moves bytes: it does not parse Redis's protocol, so it works for any
 * client and any TCP service on the loopback interface. Its threads are daemon threads;
 * {@link #close()} ends them.
 */
public final class TcpProxy implements AutoCloseable {

	private static final int CONNECT_TIMEOUT_MILLIS = 5000;

	private static final AtomicInteger proxies = new AtomicInteger();

	private final ServerSocket server;

	private final ExecutorService threads;

	private final Set<Link> links = ConcurrentHashMap.newKeySet();

	private final CountDownLatch acceptLoopEnded = new CountDownLatch(1);

	private volatile int targetPort;

	/**
	 * Counts {@link #silentFailover(int)}s: a link made in an older epoch is silenced.
	 */
	private int epoch;

	private volatile boolean silenced;

	private volatile boolean closed;

	private TcpProxy(ServerSocket server, int targetPort) {
		this.server = server;
		this.targetPort = targetPort;
		int id = proxies.incrementAndGet();
		AtomicInteger threadCount = new AtomicInteger();
		this.threads = Executors.newCachedThreadPool(task -> {
			Thread thread = new Thread(task, "tcp-proxy-" + id + "-" + threadCount.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		});
	}

	/**
	 * Starts a proxy on a free loopback port that relays to {@code 127.0.0.1:targetPort}.
	 * @param targetPort the loopback port to relay to
	 * @return the started proxy
	 */
	public static TcpProxy start(int targetPort) {
		ServerSocket server;
		try {
			server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
		}
		catch (IOException e) {
			throw new UncheckedIOException("Cannot open a loopback port for the proxy", e);
		}
		TcpProxy proxy = new TcpProxy(server, targetPort);
		proxy.threads.execute(proxy::acceptLoop);
		return proxy;
	}

	/**
	 * The host that clients connect to: always {@code 127.0.0.1}.
	 * @return {@code 127.0.0.1}
	 */
	public String host() {
		return "127.0.0.1";
	}

	/**
	 * The loopback port that clients connect to.
	 * @return the port
	 */
	public int port() {
		return server.getLocalPort();
	}

	/**
	 * The loopback port that new connections are relayed to.
	 * @return the target port
	 */
	public int targetPort() {
		return targetPort;
	}

	/**
	 * Relays connections accepted from now on to the new port; open connections are not
	 * moved.
	 * @param newTargetPort the loopback port to relay new connections to
	 */
	public void retarget(int newTargetPort) {
		this.targetPort = newTargetPort;
	}

	/**
	 * A failover that nobody announces, as behind a load balancer or a DNS name that
	 * moves to a promoted replica: every connection open now keeps its socket but goes
	 * silent (nothing relayed either way, the kernel keeps acknowledging), and every
	 * connection accepted from now on is relayed to {@code newTargetPort}. A client only
	 * gets to the new server by giving up on its old connection and opening another.
	 * <p>
	 * Atomic with respect to connections being accepted meanwhile: none of them reaches
	 * the old target unsilenced. The same as {@link #retarget(int)} followed by
	 * {@link #silenceOpenConnections()}, without the window between the two.
	 * @param newTargetPort the loopback port of the server failed over to
	 */
	public void silentFailover(int newTargetPort) {
		synchronized (links) {
			targetPort = newTargetPort;
			epoch++;
			links.forEach(link -> link.silenced = true);
		}
	}

	/**
	 * From now on, swallows every byte in both directions on every connection, open or
	 * new. The connections stay open and the kernel keeps acknowledging what the peers
	 * send, like a server that stopped answering. Swallowed bytes are lost, also after
	 * {@link #unsilence()}.
	 */
	public void silence() {
		silenced = true;
	}

	/**
	 * Swallows every byte in both directions on the connections open now, while
	 * connections accepted later are relayed normally: with {@link #retarget(int)}, a
	 * failover behind a load balancer that keeps the old connections open without
	 * relaying them.
	 */
	public void silenceOpenConnections() {
		links.forEach(link -> link.silenced = true);
	}

	/** Relays bytes again after {@link #silence()}. */
	public void unsilence() {
		silenced = false;
	}

	/** Closes every open connection, on the client side and the target side. */
	public void dropConnections() {
		links.forEach(Link::close);
	}

	/**
	 * The number of relayed connections that are open.
	 * @return the number of open connections
	 */
	public int activeConnections() {
		return links.size();
	}

	/** Stops accepting and closes every open connection. Idempotent. */
	@Override
	public void close() {
		closed = true;
		try {
			server.close();
		}
		catch (IOException ignored) {
			// closing anyway
		}
		// The kernel keeps the port listening until the thread blocked in accept() has
		// returned.
		try {
			acceptLoopEnded.await(5, TimeUnit.SECONDS);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		dropConnections();
		threads.shutdownNow();
	}

	@Override
	public String toString() {
		return "TcpProxy[127.0.0.1:" + port() + " -> 127.0.0.1:" + targetPort + (silenced ? ", silenced" : "") + ", "
				+ activeConnections() + " connections]";
	}

	private void acceptLoop() {
		try {
			while (!closed) {
				try {
					Socket client = server.accept();
					threads.execute(() -> relay(client));
				}
				catch (IOException e) {
					if (!closed) {
						// e.g. out of file descriptors: do not spin
						pauseAfterFailedAccept();
					}
				}
			}
		}
		finally {
			acceptLoopEnded.countDown();
		}
	}

	private void relay(Socket client) {
		Socket upstream = new Socket();
		int port;
		int linkEpoch;
		synchronized (links) {
			port = targetPort;
			linkEpoch = epoch;
		}
		try {
			client.setTcpNoDelay(true);
			upstream.setTcpNoDelay(true);
			upstream.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), CONNECT_TIMEOUT_MILLIS);
		}
		catch (IOException e) {
			closeQuietly(client);
			closeQuietly(upstream);
			return;
		}
		Link link = new Link(client, upstream);
		synchronized (links) {
			// a silent failover happened while this link connected to the old target
			link.silenced = linkEpoch != epoch;
			links.add(link);
		}
		try {
			threads.execute(() -> pump(link, client, upstream));
			threads.execute(() -> pump(link, upstream, client));
		}
		catch (RejectedExecutionException e) {
			link.close(); // the proxy was closed meanwhile
		}
	}

	private void pump(Link link, Socket from, Socket to) {
		byte[] buffer = new byte[16 * 1024];
		try {
			InputStream in = from.getInputStream();
			OutputStream out = to.getOutputStream();
			int read;
			while ((read = in.read(buffer)) != -1) {
				if (!silenced && !link.silenced) {
					out.write(buffer, 0, read);
					out.flush();
				}
			}
		}
		catch (IOException ignored) {
			// a closed socket ends the relay
		}
		finally {
			link.close();
		}
	}

	private static void pauseAfterFailedAccept() {
		try {
			Thread.sleep(10);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}

	private static void closeQuietly(Socket socket) {
		try {
			socket.close();
		}
		catch (IOException ignored) {
			// nothing to do
		}
	}

	/** One relayed connection: the client socket and its target socket. */
	private final class Link {

		private final Socket client;

		private final Socket upstream;

		private volatile boolean silenced;

		Link(Socket client, Socket upstream) {
			this.client = client;
			this.upstream = upstream;
		}

		void close() {
			links.remove(this);
			closeQuietly(client);
			closeQuietly(upstream);
		}

	}

}
