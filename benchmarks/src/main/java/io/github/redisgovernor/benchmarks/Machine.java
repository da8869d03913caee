package io.github.redisgovernor.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import com.sun.management.HotSpotDiagnosticMXBean;

/**
 * What a benchmark ran on: the machine's load averages, its CPU, memory and JVM, so that
 * a figure is never quoted without them.
 *
 * @author Redis Governor contributors
 */
final class Machine {

	private Machine() {
	}

	/**
	 * The load averages as {@code /proc/loadavg} has them: the 1, 5 and 15 minute
	 * averages, runnable and total tasks, and the last pid.
	 * @return the line, or {@code unknown (...)} where there is no such file
	 */
	static String loadAverage() {
		try {
			return Files.readString(Path.of("/proc/loadavg")).trim();
		}
		catch (IOException ex) {
			return "unknown (" + ex.getMessage() + ")";
		}
	}

	/**
	 * The 1 minute load average.
	 * @return the load, or {@code NaN} when unknown
	 */
	static double load1() {
		try {
			return Double.parseDouble(loadAverage().split(" ")[0]);
		}
		catch (NumberFormatException ex) {
			return Double.NaN;
		}
	}

	/**
	 * One line: CPU model and count, memory, operating system and JVM.
	 * @return the description
	 */
	static String describe() {
		return String.format(Locale.ROOT, "%s, %d CPUs, %,d MB RAM; %s %s; Java %s (%s), JIT %s", cpuModel(),
				Runtime.getRuntime().availableProcessors(), memoryMegabytes(), System.getProperty("os.name"),
				System.getProperty("os.version"), System.getProperty("java.version"),
				System.getProperty("java.vm.name"), jit());
	}

	/**
	 * Whether this JVM compiles with C1 only ({@code -XX:TieredStopAtLevel=1}, which
	 * {@code spring-boot:run} adds unless
	 * {@code -Dspring-boot.run.optimizedLaunch=false}).
	 * @return whether C2 is off
	 */
	static boolean c1Only() {
		return "1".equals(vmOption("TieredStopAtLevel"));
	}

	private static String jit() {
		return c1Only() ? "C1 only (-XX:TieredStopAtLevel=1)" : "tiered C1/C2";
	}

	static String vmOption(String name) {
		try {
			return ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).getVMOption(name).getValue();
		}
		catch (RuntimeException ex) {
			return "unknown";
		}
	}

	private static String cpuModel() {
		return lines("/proc/cpuinfo").stream()
			.filter((line) -> line.startsWith("model name"))
			.map((line) -> line.substring(line.indexOf(':') + 1).trim())
			.findFirst()
			.orElse(System.getProperty("os.arch"));
	}

	private static long memoryMegabytes() {
		return lines("/proc/meminfo").stream()
			.filter((line) -> line.startsWith("MemTotal:"))
			.map((line) -> Long.parseLong(line.replaceAll("\\D", "")) / 1024)
			.findFirst()
			.orElse(-1L);
	}

	private static List<String> lines(String file) {
		try {
			return Files.readAllLines(Path.of(file));
		}
		catch (IOException ex) {
			return List.of();
		}
	}

}
