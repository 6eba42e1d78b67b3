package dev.culprit.app.report;

import java.util.List;

/**
 * What a chart shows, apart from how it is drawn: one or more panels over a shared time axis, the
 * windows of the causes it proves shaded, instants (an OOM kill) marked. Kept free of the charting
 * library so that whatever produces the numbers (a replayed range here, interactive queries of a
 * live processor elsewhere) hands the same description to {@link SvgCharts}.
 *
 * @param id unique within the page; the SVG's element ids derive from it
 * @param title the chart's title
 * @param subtitle settings that go with the counters (a qdisc's options, a rule's spec), or null
 * @param fromMs start of the time axis
 * @param toMs end of the time axis
 * @param panels stacked top to bottom, sharing the time axis
 * @param windows shaded on every panel
 * @param markers vertical lines on every panel
 */
public record ChartSpec(
    String id,
    String title,
    String subtitle,
    long fromMs,
    long toMs,
    List<Panel> panels,
    List<Window> windows,
    List<Marker> markers) {

  /** One plot area with its own value axis. */
  public record Panel(String valueLabel, List<Line> lines) {}

  /**
   * A series.
   *
   * @param name legend text
   * @param times epoch ms, ascending
   * @param values NaN = no value there
   * @param style how it is drawn
   */
  public record Line(String name, long[] times, double[] values, Style style) {

    /** A constant line across the whole axis (a limit, a ceiling). */
    public static Line level(String name, long fromMs, long toMs, double value, Style style) {
      return new Line(name, new long[] {fromMs, toMs}, new double[] {value, value}, style);
    }

    public boolean hasValues() {
      for (double v : values) {
        if (!Double.isNaN(v)) {
          return true;
        }
      }
      return false;
    }
  }

  /** Solid lines are measured values; steps are settings; dashed lines are limits. */
  public enum Style {
    LINE,
    STEP,
    LIMIT
  }

  /** A shaded span: a cause's window. */
  public record Window(long startMs, long endMs, String label) {}

  /** An instant marked by a vertical line. */
  public record Marker(long atMs, String label, String kind) {}
}
