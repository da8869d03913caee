package io.github.redisgovernor.benchmarks;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * One HTTP/1.1 client connection on a plain socket, kept alive between requests unless
 * asked otherwise or the server closes it, and opened again when needed. It is what a
 * load generator such as {@code wrk} does, in a few hundred bytes per request: no
 * selector thread, no executor, no per-request objects beyond the request line. Not
 * thread-safe: one connection per caller.
 * <p>
 * {@link #exchange} never throws: the outcome is the status code ({@code "200"}), or
 * {@code "refused"} (nothing listening), {@code "timeout"} (no byte for the timeout), or
 * the exception's class and message (a reset, an early close).
 *
 * @author Redis Governor contributors
 */
final class HttpConnection implements AutoCloseable {

	static final String REFUSED = "refused";

	static final String TIMEOUT = "timeout";

	private final String host;

	private final int port;

	private final int timeoutMillis;

	private final boolean closeAfterEach;

	private final byte[] buffer = new byte[8192];

	private int position;

	private int limit;

	private Socket socket;

	private InputStream in;

	private OutputStream out;

	private String body = "";

	/**
	 * A connection to {@code host:port}.
	 * @param host the server's host
	 * @param port the server's port
	 * @param timeout how long to wait for the connection and for each read
	 * @param closeAfterEach whether to send {@code Connection: close} and open a new
	 * connection for every request
	 */
	HttpConnection(String host, int port, Duration timeout, boolean closeAfterEach) {
		this.host = host;
		this.port = port;
		this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
		this.closeAfterEach = closeAfterEach;
	}

	/**
	 * A one-off {@code GET} on a new connection, for probes.
	 * @param host the server's host
	 * @param port the server's port
	 * @param path the path
	 * @param timeout the connect and read timeout
	 * @return the outcome and the body
	 */
	static Response get(String host, int port, String path, Duration timeout) {
		try (HttpConnection connection = new HttpConnection(host, port, timeout, true)) {
			String outcome = connection.exchange(Request.get(path), true);
			return new Response(outcome, connection.body);
		}
	}

	/**
	 * Sends a request and reads the whole response.
	 * @param request the request
	 * @param keepBody whether to keep the response's body for {@link #body()}
	 * @return the status code, or what went wrong instead
	 */
	String exchange(Request request, boolean keepBody) {
		try {
			if (this.socket == null) {
				open();
			}
			this.out.write(request.bytes(this.host, this.port, this.closeAfterEach));
			this.out.flush();
			return readResponse(keepBody);
		}
		catch (ConnectException ex) {
			close();
			return REFUSED;
		}
		catch (SocketTimeoutException ex) {
			close();
			return TIMEOUT;
		}
		catch (IOException | RuntimeException ex) {
			close();
			return ex.getClass().getSimpleName() + ": " + ex.getMessage();
		}
	}

	/**
	 * The body of the last response read with {@code keepBody}.
	 * @return the body, as text
	 */
	String body() {
		return this.body;
	}

	private void open() throws IOException {
		Socket socket = new Socket();
		try {
			socket.setTcpNoDelay(true);
			socket.setSoTimeout(this.timeoutMillis);
			socket.connect(new InetSocketAddress(this.host, this.port), this.timeoutMillis);
		}
		catch (IOException ex) {
			socket.close();
			throw ex;
		}
		this.socket = socket;
		this.in = socket.getInputStream();
		this.out = socket.getOutputStream();
		this.position = 0;
		this.limit = 0;
	}

	private String readResponse(boolean keepBody) throws IOException {
		String statusLine = readLine();
		if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12) {
			throw new IOException("not an HTTP response: '" + statusLine + "'");
		}
		String status = statusLine.substring(9, 12);
		long contentLength = -1;
		boolean chunked = false;
		boolean close = this.closeAfterEach || statusLine.startsWith("HTTP/1.0");
		for (String header = readLine(); !header.isEmpty(); header = readLine()) {
			String lower = header.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				contentLength = Long.parseLong(lower.substring(15).trim());
			}
			else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
			else if (lower.startsWith("connection:") && lower.contains("close")) {
				close = true;
			}
		}
		StringBuilder body = keepBody ? new StringBuilder() : null;
		if (chunked) {
			for (long size = Long.parseLong(chunkSize(readLine()), 16); size > 0; size = Long
				.parseLong(chunkSize(readLine()), 16)) {
				readBody(size, body);
				readLine();
			}
			for (String trailer = readLine(); !trailer.isEmpty(); trailer = readLine()) {
				// trailers, ignored
			}
		}
		else if (contentLength >= 0) {
			readBody(contentLength, body);
		}
		else if (!status.startsWith("1") && !status.equals("204") && !status.equals("304")) {
			readBody(Long.MAX_VALUE, body); // until the server closes
			close = true;
		}
		this.body = (body != null) ? body.toString() : "";
		if (close) {
			close();
		}
		return status;
	}

	private static String chunkSize(String line) {
		int extension = line.indexOf(';');
		return ((extension < 0) ? line : line.substring(0, extension)).trim();
	}

	private String readLine() throws IOException {
		StringBuilder line = new StringBuilder(64);
		while (true) {
			if (this.position == this.limit && !fill()) {
				throw new EOFException("connection closed by the server after " + line.length() + " bytes of a line");
			}
			byte b = this.buffer[this.position++];
			if (b == '\n') {
				int length = line.length();
				if (length > 0 && line.charAt(length - 1) == '\r') {
					line.setLength(length - 1);
				}
				return line.toString();
			}
			line.append((char) (b & 0xff));
		}
	}

	private void readBody(long length, StringBuilder body) throws IOException {
		long remaining = length;
		while (remaining > 0) {
			if (this.position == this.limit && !fill()) {
				if (length == Long.MAX_VALUE) {
					return;
				}
				throw new EOFException("connection closed by the server with " + remaining + " bytes of body to come");
			}
			int n = (int) Math.min(remaining, this.limit - this.position);
			if (body != null) {
				body.append(new String(this.buffer, this.position, n, StandardCharsets.UTF_8));
			}
			this.position += n;
			remaining -= n;
		}
	}

	private boolean fill() throws IOException {
		int n = this.in.read(this.buffer);
		if (n <= 0) {
			return false;
		}
		this.position = 0;
		this.limit = n;
		return true;
	}

	/** Closes the socket; the next exchange opens a new one. Idempotent. */
	@Override
	public void close() {
		Socket socket = this.socket;
		this.socket = null;
		if (socket != null) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// closing anyway
			}
		}
	}

	/**
	 * A request.
	 *
	 * @param method {@code GET}, {@code PUT}, ...
	 * @param path the path, such as {@code /kv/x}
	 * @param body the body as text, or {@code null}
	 */
	record Request(String method, String path, String body) {

		static Request get(String path) {
			return new Request("GET", path, null);
		}

		static Request put(String path, String body) {
			return new Request("PUT", path, body);
		}

		byte[] bytes(String host, int port, boolean close) {
			StringBuilder text = new StringBuilder(128).append(this.method)
				.append(' ')
				.append(this.path)
				.append(" HTTP/1.1\r\nHost: ")
				.append(host)
				.append(':')
				.append(port)
				.append("\r\n");
			if (close) {
				text.append("Connection: close\r\n");
			}
			byte[] content = (this.body != null) ? this.body.getBytes(StandardCharsets.UTF_8) : null;
			if (content != null) {
				text.append("Content-Type: text/plain;charset=UTF-8\r\nContent-Length: ")
					.append(content.length)
					.append("\r\n");
			}
			text.append("\r\n");
			byte[] head = text.toString().getBytes(StandardCharsets.ISO_8859_1);
			if (content == null) {
				return head;
			}
			byte[] all = new byte[head.length + content.length];
			System.arraycopy(head, 0, all, 0, head.length);
			System.arraycopy(content, 0, all, head.length, content.length);
			return all;
		}

	}

	/**
	 * The outcome of a probe and its body.
	 *
	 * @param outcome the status code, or what went wrong
	 * @param body the body, empty without one
	 */
	record Response(String outcome, String body) {

		boolean answered() {
			return this.outcome.length() == 3 && Character.isDigit(this.outcome.charAt(0));
		}

	}

}
