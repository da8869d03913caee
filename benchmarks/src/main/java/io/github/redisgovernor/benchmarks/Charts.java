package io.github.redisgovernor.benchmarks;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The suite's pictures, drawn with XChart, headless, as PNG: bars for repeated
 * measurements (one group per round, so every measurement shows) and lines for what
 * happens over time.
 *
 * @author Redis Governor contributors
 */
final class Charts {

	static final int WIDTH = 900;

	static final int HEIGHT = 420;

	static final Color BLUE = new Color(0x4C72B0);

	static final Color LIGHT_BLUE = new Color(0xA6BDDB);

	static final Color GREEN = new Color(0x55A868);

	static final Color LIGHT_GREEN = new Color(0xA8D5B3);

	static final Color RED = new Color(0xC44E52);

	static final Color ORANGE = new Color(0xDD8452);

	static final Color GREY = new Color(0x8C8C8C);

	private static final Color[] COLORS = { BLUE, GREEN, RED, new Color(0x8172B2), ORANGE, GREY };

	private Charts() {
	}

	/**
	 * Bars, one group per category (a round), one bar per series in each.
	 * @param title the title
	 * @param yTitle the y axis's title
	 * @param categories the groups, such as {@code round 1}
	 * @param series the bars: values in the order of the categories
	 * @param colors the series' colours, in their order
	 * @return the chart
	 */
	static CategoryChart bars(String title, String yTitle, List<String> categories, Map<String, List<Double>> series,
			Color... colors) {
		CategoryChart chart = new CategoryChartBuilder().width(WIDTH)
			.height(HEIGHT)
			.title(title)
			.yAxisTitle(yTitle)
			.build();
		style(chart.getStyler());
		chart.getStyler().setYAxisDecimalPattern("#,##0.##");
		chart.getStyler().setLabelsVisible(true);
		chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
		chart.getStyler().setLabelsFontColor(Color.DARK_GRAY);
		chart.getStyler().setSeriesColors(colors);
		series
			.forEach((name, values) -> chart.addSeries(name, categories, values.stream().map(Charts::round).toList()));
		return chart;
	}

	/** Three significant figures or so, for the labels on the bars; 0 for none. */
	private static double round(double value) {
		if (Double.isNaN(value)) {
			return 0;
		}
		return (Math.abs(value) >= 100) ? Math.round(value) : Math.round(value * 100) / 100.0;
	}

	/**
	 * Lines over time.
	 * @param title the title
	 * @param xTitle the x axis's title
	 * @param yTitle the y axis's title
	 * @param series the lines: x values, then y values
	 * @param colors the lines' colours, in their order
	 * @return the chart
	 */
	static XYChart lines(String title, String xTitle, String yTitle, Map<String, double[][]> series, Color... colors) {
		XYChart chart = new XYChartBuilder().width(WIDTH)
			.height(HEIGHT)
			.title(title)
			.xAxisTitle(xTitle)
			.yAxisTitle(yTitle)
			.build();
		style(chart.getStyler());
		chart.getStyler().setYAxisDecimalPattern("#,##0.#");
		chart.getStyler().setXAxisDecimalPattern("#,##0.#");
		chart.getStyler().setSeriesColors(colors);
		series.forEach((name, xy) -> {
			XYSeries line = chart.addSeries(name, xy[0], xy[1]);
			line.setMarker(SeriesMarkers.NONE);
		});
		return chart;
	}

	/**
	 * Moves a line to a second y axis, on the right.
	 * @param chart the chart
	 * @param series the line's name
	 * @param title the axis's title
	 */
	static void rightAxis(XYChart chart, String series, String title) {
		chart.getSeriesMap().get(series).setYAxisGroup(1);
		chart.setYAxisGroupTitle(1, title);
		chart.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
	}

	/**
	 * A vertical line across the chart, with a label at its top.
	 * @param chart the chart
	 * @param x where
	 * @param y the label's height, in the data's units
	 * @param label the label
	 */
	static void mark(XYChart chart, double x, double y, String label) {
		chart.addAnnotation(new AnnotationLine(x, true, false));
		chart.addAnnotation(new AnnotationText(label, x, y, false));
	}

	/**
	 * Writes charts as one PNG, one above the other.
	 * @param file the file, ending in {@code .png}
	 * @param charts the charts
	 * @throws IOException when it cannot be written
	 */
	static void save(Path file, List<? extends Chart<?, ?>> charts) throws IOException {
		String name = file.toString();
		String withoutExtension = name.endsWith(".png") ? name.substring(0, name.length() - 4) : name;
		if (charts.size() == 1) {
			BitmapEncoder.saveBitmap(charts.get(0), withoutExtension, BitmapFormat.PNG);
		}
		else {
			BitmapEncoder.saveBitmap(List.copyOf(charts), charts.size(), 1, withoutExtension, BitmapFormat.PNG);
		}
	}

	private static void style(org.knowm.xchart.style.Styler styler) {
		styler.setChartBackgroundColor(Color.WHITE);
		styler.setLegendPosition(LegendPosition.OutsideS);
		styler.setLegendLayout(org.knowm.xchart.style.Styler.LegendLayout.Horizontal);
		styler.setSeriesColors(COLORS);
		styler.setChartTitleBoxVisible(false);
		styler.setAntiAlias(true);
		if (styler instanceof org.knowm.xchart.style.AxesChartStyler axes) {
			axes.setPlotGridLinesColor(new Color(0xDDDDDD));
			axes.setPlotBackgroundColor(Color.WHITE);
			axes.setPlotBorderVisible(false);
			axes.setAxisTickMarksColor(Color.GRAY);
		}
	}

}
