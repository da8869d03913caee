package io.github.redisgovernor.test.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for a TLS-enabled {@code redis-server}, generated at test time with the
 * JDK's {@code keytool} (no other tool or library): a throw-away certificate authority, a
 * server certificate for {@code 127.0.0.1} and {@code localhost}, and a client
 * certificate for mutual TLS, all signed by that authority and valid for two days. Every
 * file is PEM, as {@code redis-server} and Spring Boot's PEM SSL bundles read them.
 *
 * <pre class="code">
 * RedisTls tls = RedisTls.generate(tempDir);
 * RedisServer redis = RedisServer.builder().tls(tls).start();
 * // spring.data.redis.port=redis.tlsPort(), spring.data.redis.ssl.bundle=redis,
 * // spring.ssl.bundle.pem.redis.truststore.certificate=file:tls.caCertificate(), ...
 * </pre>
 *
 * @author Redis Governor contributors
 */
public final class RedisTls {

	private static final String STORE_PASSWORD = "redis-governor-test";

	private static final String VALIDITY_DAYS = "2";

	private final Path caCertificate;

	private final Path serverCertificate;

	private final Path serverKey;

	private final Path clientCertificate;

	private final Path clientKey;

	private final boolean clientCertificateRequired;

	private RedisTls(Path dir, boolean clientCertificateRequired) {
		this.caCertificate = dir.resolve("ca.crt");
		this.serverCertificate = dir.resolve("server.crt");
		this.serverKey = dir.resolve("server.key");
		this.clientCertificate = dir.resolve("client.crt");
		this.clientKey = dir.resolve("client.key");
		this.clientCertificateRequired = clientCertificateRequired;
	}

	/**
	 * Generates a certificate authority, a server and a client certificate into a
	 * directory. The server requires clients to present a certificate signed by the
	 * authority ({@code tls-auth-clients yes}).
	 * @param dir the directory to write to (created when missing)
	 * @return the generated files
	 * @throws IllegalStateException when {@code keytool} fails
	 */
	public static RedisTls generate(Path dir) {
		try {
			Files.createDirectories(dir);
			RedisTls tls = new RedisTls(dir, true);
			Path ca = dir.resolve("ca.p12");
			keytool(dir, "-genkeypair", "-keystore", ca.toString(), "-alias", "ca", "-dname",
					"CN=Redis Governor test CA", "-ext", "bc:c", "-keyalg", "RSA", "-keysize", "2048");
			keytool(dir, "-exportcert", "-rfc", "-keystore", ca.toString(), "-alias", "ca", "-file",
					tls.caCertificate.toString());
			tls.issue(dir, ca, "server", "CN=localhost", "san=ip:127.0.0.1,dns:localhost", "serverAuth",
					tls.serverCertificate, tls.serverKey);
			tls.issue(dir, ca, "client", "CN=redis-governor-test-client", null, "clientAuth", tls.clientCertificate,
					tls.clientKey);
			return tls;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot write TLS files to " + dir, ex);
		}
	}

	private void issue(Path dir, Path ca, String name, String dname, String san, String usage, Path certificate,
			Path key) throws IOException {
		Path store = dir.resolve(name + ".p12");
		Path request = dir.resolve(name + ".csr");
		keytool(dir, "-genkeypair", "-keystore", store.toString(), "-alias", name, "-dname", dname, "-keyalg", "RSA",
				"-keysize", "2048");
		keytool(dir, "-certreq", "-keystore", store.toString(), "-alias", name, "-file", request.toString());
		List<String> sign = new ArrayList<>(List.of("-gencert", "-rfc", "-keystore", ca.toString(), "-alias", "ca",
				"-infile", request.toString(), "-outfile", certificate.toString(), "-ext",
				"ku:c=digitalSignature,keyEncipherment", "-ext", "eku=" + usage));
		if (san != null) {
			sign.addAll(List.of("-ext", san));
		}
		keytool(dir, sign.toArray(String[]::new));
		Files.writeString(key, privateKeyPem(store, name), StandardCharsets.US_ASCII);
	}

	private static String privateKeyPem(Path store, String alias) throws IOException {
		try (InputStream in = Files.newInputStream(store)) {
			KeyStore keyStore = KeyStore.getInstance("PKCS12");
			keyStore.load(in, STORE_PASSWORD.toCharArray());
			Key key = keyStore.getKey(alias, STORE_PASSWORD.toCharArray());
			String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
				.encodeToString(key.getEncoded());
			return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Cannot read the private key of " + alias + " from " + store, ex);
		}
	}

	private static void keytool(Path dir, String... args) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
		command.addAll(List.of(args));
		command.addAll(List.of("-storetype", "PKCS12", "-storepass", STORE_PASSWORD, "-noprompt"));
		if (!"-exportcert".equals(args[0])) {
			command.addAll(List.of("-keypass", STORE_PASSWORD));
		}
		if ("-genkeypair".equals(args[0]) || "-gencert".equals(args[0])) {
			command.addAll(List.of("-validity", VALIDITY_DAYS));
		}
		try {
			Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new IllegalStateException("keytool " + args[0] + " did not finish within 60 s");
			}
			if (process.exitValue() != 0) {
				throw new IllegalStateException(
						"keytool " + args[0] + " failed (exit " + process.exitValue() + "): " + output.strip());
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot run keytool " + args[0], ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("Interrupted while keytool " + args[0] + " ran", ex);
		}
	}

	/**
	 * The certificate authority's certificate: what a client trusts.
	 * @return the PEM file
	 */
	public Path caCertificate() {
		return this.caCertificate;
	}

	/**
	 * The server's certificate, for {@code 127.0.0.1} and {@code localhost}.
	 * @return the PEM file
	 */
	public Path serverCertificate() {
		return this.serverCertificate;
	}

	/**
	 * The server's private key (PKCS#8, unencrypted).
	 * @return the PEM file
	 */
	public Path serverKey() {
		return this.serverKey;
	}

	/**
	 * The client's certificate, for mutual TLS.
	 * @return the PEM file
	 */
	public Path clientCertificate() {
		return this.clientCertificate;
	}

	/**
	 * The client's private key (PKCS#8, unencrypted).
	 * @return the PEM file
	 */
	public Path clientKey() {
		return this.clientKey;
	}

	/**
	 * The {@code redis-server} directives that enable TLS on a port with these files.
	 * @param tlsPort the TLS port
	 * @return the directives, as command-line arguments
	 */
	List<String> serverArguments(int tlsPort) {
		return List.of("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", this.serverCertificate.toString(),
				"--tls-key-file", this.serverKey.toString(), "--tls-ca-cert-file", this.caCertificate.toString(),
				"--tls-auth-clients", this.clientCertificateRequired ? "yes" : "optional");
	}

}
