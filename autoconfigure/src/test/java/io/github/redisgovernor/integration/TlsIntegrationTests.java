package io.github.redisgovernor.integration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.jayway.jsonpath.JsonPath;
import io.github.redisgovernor.test.redis.RedisServer;
import io.github.redisgovernor.test.redis.RedisTls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * The governed application over TLS, configured the Spring Boot way (an SSL bundle named
 * by {@code spring.data.redis.ssl.bundle}), against a real TLS-enabled
 * {@code redis-server} that requires client certificates, with certificates generated for
 * the test ({@link RedisTls}).
 * <p>
 * Needs a {@code redis-server} built with TLS on the {@code PATH} (Debian's package;
 * {@code .ci/run} installs it). Without one the tests are skipped, except in CI
 * ({@code CI} set), where they fail instead.
 */
class TlsIntegrationTests {

	private RedisServer redis;

	private ConfigurableApplicationContext context;

	@AfterEach
	void stop() {
		if (this.context != null) {
			this.context.close();
		}
		if (this.redis != null) {
			this.redis.close();
		}
	}

	@Test
	void governedApplicationWorksOverTlsWithAnSslBundle(@TempDir Path dir) throws Exception {
		RedisTls tls = RedisTls.generate(dir);
		this.redis = startWithTls(tls);
		this.context = KvTestApplication.start(this.redis.tlsPort(), "redis.governor.application=tls",
				"redis.governor.instance-id=a", "spring.data.redis.ssl.bundle=redis",
				"spring.ssl.bundle.pem.redis.truststore.certificate=file:" + tls.caCertificate(),
				"spring.ssl.bundle.pem.redis.keystore.certificate=file:" + tls.clientCertificate(),
				"spring.ssl.bundle.pem.redis.keystore.private-key=file:" + tls.clientKey(),
				"management.endpoint.redisgovernor.access=read-only",
				"management.endpoints.web.exposure.include=health,redisgovernor");
		StringRedisTemplate template = this.context.getBean(StringRedisTemplate.class);
		template.opsForValue().set("over-tls", "yes");
		assertThat(template.opsForValue().get("over-tls")).isEqualTo("yes");

		// The one governed connection is the TLS one: the server sees it arrive on its
		// TLS port.
		List<Map<String, String>> clients = this.redis.clientList()
			.stream()
			.filter((client) -> "tls:a".equals(client.get("name")))
			.toList();
		assertThat(clients).hasSize(1);
		assertThat(clients.get(0).get("laddr")).isEqualTo("127.0.0.1:" + this.redis.tlsPort());

		String health = KvTestApplication.get(this.context, "/actuator/health").body();
		assertThat(JsonPath.<String>read(health, "$.components.redis.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(health, "$.components.redis.details.address"))
			.isEqualTo("127.0.0.1:" + this.redis.tlsPort());
		// The budget is known once the first heartbeat and sample are in.
		await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
			String governor = KvTestApplication.get(this.context, "/actuator/health").body();
			assertThat(JsonPath.<String>read(governor, "$.components.redisGovernor.status")).isEqualTo("UP");
			assertThat(JsonPath.<Integer>read(governor, "$.components.redisGovernor.details.instances")).isEqualTo(1);
		});
		String endpoint = KvTestApplication.get(this.context, "/actuator/redisgovernor").body();
		assertThat(JsonPath.<List<String>>read(endpoint, "$.clients.byName[*].name")).contains("tls:a");
		assertThat(endpoint).doesNotContain("BEGIN PRIVATE KEY");
	}

	@Test
	void withoutAClientCertificateTheServerRefusesTheConnectionAndHealthSaysSo(@TempDir Path dir) throws Exception {
		RedisTls tls = RedisTls.generate(dir);
		this.redis = startWithTls(tls);
		// Trusts the server, but presents no client certificate.
		this.context = KvTestApplication.start(this.redis.tlsPort(), "redis.governor.application=tls",
				"redis.governor.instance-id=b", "spring.data.redis.ssl.bundle=redis",
				"spring.ssl.bundle.pem.redis.truststore.certificate=file:" + tls.caCertificate());
		var health = KvTestApplication.get(this.context, "/actuator/health");
		assertThat(health.statusCode()).isEqualTo(503);
		assertThat(JsonPath.<String>read(health.body(), "$.components.redis.status")).isEqualTo("DOWN");
		assertThat(this.redis.clientList()).noneMatch((client) -> "tls:b".equals(client.get("name")));
	}

	private static RedisServer startWithTls(RedisTls tls) {
		try {
			return RedisServer.builder().tls(tls).start();
		}
		catch (IllegalStateException ex) {
			// Not every redis-server is built with TLS: skip here, but never in CI.
			assumeThat(System.getenv("CI"))
				.as("a redis-server built with TLS (in CI .ci/run installs one): %s", ex.getMessage())
				.isNull();
			throw ex;
		}
	}

}
