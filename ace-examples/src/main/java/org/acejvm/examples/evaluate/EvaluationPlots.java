package org.acejvm.examples.evaluate;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.acejvm.core.Checks;
import org.acejvm.metrics.Cout;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.XYStyler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG charts of {@code ace evaluate}, drawn with XChart: an optional dependency of ace-examples, so a program that
 * calls this declares {@code org.knowm.xchart:xchart} itself.
 */
public final class EvaluationPlots {
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)};
    private static final BasicStroke SOLID = new BasicStroke(2f);
    private static final BasicStroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);

    private EvaluationPlots() {}

    /**
     * The mean COUT insertion curves: target-class (solid) and source-class (dashed) probability against the fraction
     * of inserted pixels, one colour per method. Methods whose curve is null (no pairs) are left out.
     */
    public static Path coutCurves(Map<String, Cout.Curve> curves, String subtitle, Path file) {
        Checks.notNull(curves, "curves");
        XYChart chart = chart("COUT insertion curves (mean per method)" + (subtitle == null ? "" : ", " + subtitle),
                "fraction of inserted counterfactual pixels", "classifier probability (solid: target, dashed: source)",
                1150);
        XYStyler st = chart.getStyler();
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendLayout(Styler.LegendLayout.Vertical);
        st.setYAxisMin(0.0);
        st.setYAxisMax(1.0);
        st.setXAxisMin(0.0);
        st.setXAxisMax(1.0);
        int i = 0;
        for (Map.Entry<String, Cout.Curve> e : curves.entrySet()) {
            Cout.Curve c = e.getValue();
            if (c == null) continue;
            Color color = PALETTE[i++ % PALETTE.length];
            String label = String.format(java.util.Locale.ROOT, "%s (COUT %.3f)", e.getKey(), c.cout());
            line(chart.addSeries(label + ": target", c.x(), c.target()), color, SOLID);
            line(chart.addSeries(label + ": source", c.x(), c.source()), color, DASHED);
        }
        if (i == 0) throw new IllegalArgumentException("no COUT curve to plot (no method evaluated any pair)");
        return save(chart, file);
    }

    /**
     * Flip rate (percent) against lambda on a log axis: one series per entry of {@code series} (for example the
     * explanations and the pre-explanations of ACE-l1), {@code flipRates} in [0, 1].
     */
    public static Path flipRateVsLambda(double[] lambdas, Map<String, double[]> series, String subtitle, Path file) {
        Checks.notNull(lambdas, "lambdas");
        if (lambdas.length == 0) throw new IllegalArgumentException("no lambda to plot");
        for (double l : lambdas) {
            if (!(l > 0)) throw new IllegalArgumentException("lambda must be > 0 on a log axis, got " + l);
        }
        XYChart chart = chart("Flip rate against lambda" + (subtitle == null ? "" : ", " + subtitle), "lambda (log scale)",
                "flip rate (%)", 900);
        XYStyler st = chart.getStyler();
        st.setXAxisLogarithmic(true);
        st.setYAxisMin(0.0);
        st.setYAxisMax(100.0);
        int i = 0;
        for (Map.Entry<String, double[]> e : series.entrySet()) {
            double[] fr = e.getValue();
            Checks.sameCount(fr.length, e.getKey(), lambdas.length, "lambdas");
            double[] percent = new double[fr.length];
            for (int k = 0; k < fr.length; k++) percent[k] = 100 * fr[k];
            XYSeries s = chart.addSeries(e.getKey(), lambdas, percent);
            line(s, PALETTE[i % PALETTE.length], i == 0 ? SOLID : DASHED);
            s.setMarker(SeriesMarkers.CIRCLE);
            i++;
        }
        return save(chart, file);
    }

    private static XYChart chart(String title, String x, String y, int width) {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(width).height(560).title(title).xAxisTitle(x).yAxisTitle(y).build();
        XYStyler st = chart.getStyler();
        st.setPlotGridLinesColor(new Color(0xdddddd));
        st.setLegendPosition(Styler.LegendPosition.OutsideS);
        st.setLegendLayout(Styler.LegendLayout.Horizontal);
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setMarkerSize(6);
        return chart;
    }

    private static void line(XYSeries s, Color color, BasicStroke stroke) {
        s.setLineColor(color);
        s.setLineStyle(stroke);
        s.setMarker(SeriesMarkers.NONE);
        s.setMarkerColor(color);
    }

    /**
     * Global importance of attributes: for each group (e.g. a digit pair, in the given order) one bar per attribute,
     * the mean probe score in units of the attribute's training standard deviation, so that attributes of different
     * units share one axis.
     */
    public static Path globalImportance(Map<String, double[]> scores, java.util.List<String> attributes, double[] std,
                                        String title, Path file) {
        Checks.notNull(scores, "scores");
        if (scores.isEmpty()) throw new IllegalArgumentException("no group to plot");
        org.knowm.xchart.CategoryChart chart = new org.knowm.xchart.CategoryChartBuilder().width(1150).height(520)
                .title(title).xAxisTitle("digit pair (source -> target)")
                .yAxisTitle("mean probe score (training standard deviations)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setSeriesColors(PALETTE);
        java.util.List<String> groups = new java.util.ArrayList<>(scores.keySet());
        for (int a = 0; a < attributes.size(); a++) {
            java.util.List<Double> values = new java.util.ArrayList<>();
            for (String g : groups) values.add(scores.get(g)[a] / std[a]);
            chart.addSeries(attributes.get(a), groups, values);
        }
        return save(chart, file);
    }

    private static Path save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
            // saveBitmap appends ".png" when the name lacks it
            return file.toString().endsWith(".png") ? file : Path.of(file + ".png");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
