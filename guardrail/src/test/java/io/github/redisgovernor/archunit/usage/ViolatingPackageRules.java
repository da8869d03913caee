package io.github.redisgovernor.archunit.usage;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import io.github.redisgovernor.archunit.RedisGovernorRules;

/**
 * The one line of docs/guardrail.md, on the violating fixture. Run by
 * {@code OneLineUsageTests} through the ArchUnit engine, not by Surefire (its name
 * matches none of Surefire's patterns).
 *
 * @author Redis Governor contributors
 */
@AnalyzeClasses(packages = "io.github.redisgovernor.archunit.fixture.violating")
class ViolatingPackageRules {

	@ArchTest
	static final ArchRule redisGovernor = RedisGovernorRules.ALL;

}
