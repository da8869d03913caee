package io.github.redisgovernor.client;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link InstanceIdentity}.
 */
class InstanceIdentityTests {

	@Test
	void resolveShouldPreferExplicitValues() {
		InstanceIdentity identity = InstanceIdentity.resolve("orders", "task-7", "ignored");
		assertThat(identity.getClientName()).isEqualTo("orders:task-7");
	}

	@Test
	void resolveShouldFallBackToSpringApplicationNameSanitized() {
		InstanceIdentity identity = InstanceIdentity.resolve(null, "x", "  Order Service (EU)  ");
		assertThat(identity.getApplication()).isEqualTo("order-service-eu");
	}

	@Test
	void resolveWithoutAnyNameShouldUseApplication() {
		assertThat(InstanceIdentity.resolve(null, "x", null).getApplication()).isEqualTo("application");
		assertThat(InstanceIdentity.resolve("", "x", " ").getApplication()).isEqualTo("application");
	}

	@Test
	void resolveShouldDeriveInstanceIdFromHostAndPid() {
		String instanceId = InstanceIdentity.resolve("orders", null, null).getInstanceId();
		assertThat(instanceId).contains("-" + ProcessHandle.current().pid() + "-").matches("[a-z0-9._-]+-[a-z0-9]{6}");
	}

	@Test
	void sanitizeShouldNeverReturnEmpty() {
		assertThat(InstanceIdentity.sanitize("!!!")).isEqualTo("application");
	}

	@Test
	void constructorShouldRejectEmptyValues() {
		assertThatIllegalArgumentException().isThrownBy(() -> new InstanceIdentity("", "x"))
			.withMessageContaining("application");
	}

	@Test
	void resolveShouldGiveTwoInstancesOfOneHostAndPidDistinctIds() {
		// Containers on host networking share the host name and often run as pid 1.
		String first = InstanceIdentity.resolve("orders", null, null).getInstanceId();
		String second = InstanceIdentity.resolve("orders", null, null).getInstanceId();
		assertThat(first).isNotEqualTo(second);
		assertThat(first.substring(0, first.length() - 6)).isEqualTo(second.substring(0, second.length() - 6));
	}

}
