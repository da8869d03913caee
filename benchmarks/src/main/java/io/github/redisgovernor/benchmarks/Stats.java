package io.github.redisgovernor.benchmarks;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * The few statistics the benchmark programs report: medians and spreads of repeated
 * measurements, percentiles of latencies, and least-squares trends of samples.
 *
 * @author Redis Governor contributors
 */
final class Stats {

	private Stats() {
	}

	/**
	 * The median (the mean of the two middle values for an even count).
	 * @param values the values, in any order
	 * @return the median, or {@code NaN} when there are none
	 */
	static double median(double... values) {
		if (values.length == 0) {
			return Double.NaN;
		}
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	static double median(Collection<? extends Number> values) {
		return median(values.stream().mapToDouble(Number::doubleValue).toArray());
	}

	static double mean(double... values) {
		return Arrays.stream(values).average().orElse(Double.NaN);
	}

	static double min(double... values) {
		return Arrays.stream(values).min().orElse(Double.NaN);
	}

	static double max(double... values) {
		return Arrays.stream(values).max().orElse(Double.NaN);
	}

	/**
	 * The value below which the fraction {@code p} of the values lie (nearest rank).
	 * @param sorted the values, sorted ascending
	 * @param p the fraction, 0 to 1
	 * @return the percentile, or {@code NaN} when there are no values
	 */
	static double percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
	}

	/**
	 * The least-squares slope of {@code y} against {@code x}.
	 * @param x the abscissae
	 * @param y the ordinates, as many
	 * @return the slope, 0 when all {@code x} are equal
	 */
	static double slope(double[] x, double[] y) {
		double meanX = mean(x);
		double meanY = mean(y);
		double numerator = 0;
		double denominator = 0;
		for (int i = 0; i < x.length; i++) {
			numerator += (x[i] - meanX) * (y[i] - meanY);
			denominator += (x[i] - meanX) * (x[i] - meanX);
		}
		return (denominator == 0) ? 0 : numerator / denominator;
	}

	/**
	 * Repeated measurements of one figure, summed up as a median and the range around it.
	 *
	 * @param median the median
	 * @param min the smallest value
	 * @param max the largest value
	 * @param count how many values
	 */
	record Spread(double median, double min, double max, int count) {

		static Spread of(Collection<? extends Number> values) {
			double[] array = values.stream().mapToDouble(Number::doubleValue).toArray();
			return new Spread(Stats.median(array), Stats.min(array), Stats.max(array), array.length);
		}

		/**
		 * The median and, when there is more than one value, the range:
		 * {@code 21,034 (20,512–21,300)}.
		 * @param format the format of one value, such as {@code %,.0f}
		 * @return the text
		 */
		String format(String format) {
			if (this.count == 0) {
				return "n/a";
			}
			String median = String.format(Locale.ROOT, format, this.median);
			if (this.count == 1) {
				return median;
			}
			return median + " (" + String.format(Locale.ROOT, format, this.min) + "–"
					+ String.format(Locale.ROOT, format, this.max) + ")";
		}

	}

}
