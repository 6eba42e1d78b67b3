package dev.culprit.app.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.Stroke;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.DateAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.StandardXYBarPainter;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYDataset;
import org.jfree.data.xy.XYIntervalSeries;
import org.jfree.data.xy.XYIntervalSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;
import org.jfree.svg.ViewBox;

/**
 * Draws {@link ChartSpec}s and timelines as inline SVG with JFreeChart and JFreeSVG, server-side:
 * the page that holds them needs no script, prints as vectors, and opens without a network.
 *
 * <p>The parts a reader (or a test) looks for are SVG groups with a class and data attributes: a
 * cause's shaded window is {@code <g class="culprit-window" data-start=… data-end=…>}, a marked
 * instant {@code culprit-marker}, a series {@code culprit-series} with {@code data-name}, a
 * timeline bar {@code culprit-bar}. Every text JFreeSVG writes, attribute or element, is
 * XML-escaped by it, so kernel names (rule comments, interface names) cannot break out of the SVG.
 */
public final class SvgCharts {

  /** A chart as SVG markup and the plot areas, in SVG units, its time axis maps onto. */
  public record Svg(String markup, List<Rectangle2D> plotAreas) {}

  /** One row of a timeline: a label and its bars. */
  public record TimelineRow(String label, String kind, List<ChartSpec.Window> bars) {}

  static final int WIDTH = 960;
  private static final int PANEL_HEIGHT = 190;
  private static final Font TITLE = new Font("SansSerif", Font.BOLD, 14);
  private static final Font SMALL = new Font("SansSerif", Font.PLAIN, 11);
  private static final Color WINDOW = new Color(230, 57, 70);
  private static final Color GRID = new Color(0xDD, 0xDD, 0xDD);
  private static final Paint[] PALETTE = {
    new Color(0x1F, 0x77, 0xB4),
    new Color(0xFF, 0x7F, 0x0E),
    new Color(0x2C, 0xA0, 0x2C),
    new Color(0x94, 0x67, 0xBD),
    new Color(0x8C, 0x56, 0x4B),
    new Color(0x17, 0xBE, 0xCF),
    new Color(0x7F, 0x7F, 0x7F),
    new Color(0xBC, 0xBD, 0x22)
  };
  private static final Map<String, Color> KIND_COLORS =
      Map.of(
          "fleet", new Color(0x6A, 0x1B, 0x9A),
          "packet-loss", new Color(0xC6, 0x28, 0x28),
          "oom", new Color(0xEF, 0x6C, 0x00));

  private SvgCharts() {}

  /** {@code spec} as an SVG element scaled to its container's width. */
  public static Svg chart(ChartSpec spec, TimeZone zone) {
    DateAxis time = timeAxis(spec.fromMs(), spec.toMs(), zone);
    XYPlot plot;
    List<XYPlot> panels = new ArrayList<>();
    int[] colour = {0}; // one palette across the panels: no two series of a chart share a colour
    for (ChartSpec.Panel panel : spec.panels()) {
      panels.add(panel(spec, panel, colour));
    }
    if (panels.size() == 1) {
      plot = panels.get(0);
      plot.setDomainAxis(time);
    } else {
      CombinedDomainXYPlot combined = new CombinedDomainXYPlot(time);
      combined.setGap(12);
      panels.forEach(p -> combined.add(p, 1));
      plot = combined;
    }
    JFreeChart chart = new JFreeChart(null, SMALL, plot, true);
    style(chart, spec.title(), spec.subtitle());
    int height = 70 + PANEL_HEIGHT * panels.size() + legendHeight(spec);
    return draw(chart, spec.id(), height);
  }

  /** A Gantt-like view: one row per cause (or fleet incident), its windows as bars. */
  public static Svg timeline(
      String id, String title, long fromMs, long toMs, List<TimelineRow> rows, TimeZone zone) {
    XYIntervalSeriesCollection data = new XYIntervalSeriesCollection();
    String[] labels = new String[rows.size()];
    List<String> kinds = new ArrayList<>();
    for (int r = 0; r < rows.size(); r++) {
      TimelineRow row = rows.get(r);
      labels[r] = shorten(row.label(), 60);
      XYIntervalSeries s = new XYIntervalSeries(r + ": " + row.label());
      for (ChartSpec.Window w : row.bars()) {
        s.add(w.startMs(), w.startMs(), w.endMs(), r, r - 0.32, r + 0.32);
      }
      data.addSeries(s);
      kinds.add(row.kind());
    }
    SymbolAxis rowAxis = new SymbolAxis(null, labels);
    rowAxis.setInverted(true);
    rowAxis.setGridBandsVisible(false);
    rowAxis.setTickLabelFont(SMALL);
    rowAxis.setRange(-0.6, Math.max(0.6, rows.size() - 0.4));
    XYBarRenderer bars =
        new XYBarRenderer() {
          @Override
          public void drawItem(
              Graphics2D g2,
              XYItemRendererState state,
              Rectangle2D dataArea,
              PlotRenderingInfo info,
              XYPlot plot,
              ValueAxis domainAxis,
              ValueAxis rangeAxis,
              XYDataset dataset,
              int series,
              int item,
              CrosshairState crosshairState,
              int pass) {
            XYIntervalSeriesCollection d = (XYIntervalSeriesCollection) dataset;
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put("class", "culprit-bar culprit-" + kinds.get(series));
            attrs.put("data-row", Integer.toString(series));
            attrs.put("data-label", rows.get(series).label());
            attrs.put("data-start", Long.toString((long) d.getStartXValue(series, item)));
            attrs.put("data-end", Long.toString((long) d.getEndXValue(series, item)));
            g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, attrs);
            super.drawItem(
                g2,
                state,
                dataArea,
                info,
                plot,
                domainAxis,
                rangeAxis,
                dataset,
                series,
                item,
                crosshairState,
                pass);
            g2.setRenderingHint(SVGHints.KEY_END_GROUP, "end");
          }
        };
    bars.setUseYInterval(true);
    bars.setBarPainter(new StandardXYBarPainter());
    bars.setShadowVisible(false);
    bars.setDrawBarOutline(false);
    for (int r = 0; r < rows.size(); r++) {
      bars.setSeriesPaint(r, KIND_COLORS.getOrDefault(kinds.get(r), Color.DARK_GRAY));
    }
    DateAxis time = timeAxis(fromMs, toMs, zone);
    XYPlot plot = new XYPlot(data, time, rowAxis, bars);
    grid(plot);
    plot.setRangeGridlinesVisible(true);
    JFreeChart chart = new JFreeChart(null, SMALL, plot, false);
    style(chart, title, null);
    return draw(chart, id, 80 + Math.max(1, rows.size()) * 26);
  }

  private static XYPlot panel(ChartSpec spec, ChartSpec.Panel panel, int[] colour) {
    XYSeriesCollection data = new XYSeriesCollection();
    List<ChartSpec.Line> lines = new ArrayList<>();
    for (ChartSpec.Line line : panel.lines()) {
      XYSeries s = new XYSeries(uniqueKey(data, line.name()), false, true);
      double last = Double.NaN;
      for (int i = 0; i < line.times().length; i++) {
        double v = line.values()[i];
        if (line.style() == ChartSpec.Style.STEP && i > 0 && !Double.isNaN(last)) {
          s.add(line.times()[i], last); // hold the setting until it changed
        }
        s.add(line.times()[i], v);
        last = v;
      }
      data.addSeries(s);
      lines.add(line);
    }
    XYLineAndShapeRenderer renderer = new TaggingRenderer(spec, lines);
    renderer.setDrawSeriesLineAsPath(true);
    for (int i = 0; i < lines.size(); i++) {
      ChartSpec.Style style = lines.get(i).style();
      Paint paint =
          style == ChartSpec.Style.LIMIT
              ? (lines.get(i).name().toLowerCase(Locale.ROOT).contains("heap")
                  ? new Color(0x6A, 0x1B, 0x9A)
                  : Color.BLACK)
              : PALETTE[colour[0]++ % PALETTE.length];
      renderer.setSeriesPaint(i, paint);
      renderer.setSeriesStroke(i, stroke(style));
    }
    NumberAxis values = new NumberAxis(panel.valueLabel());
    values.setAutoRangeIncludesZero(true);
    values.setLabelFont(SMALL);
    values.setTickLabelFont(SMALL);
    XYPlot plot = new XYPlot(data, null, values, renderer);
    grid(plot);
    for (ChartSpec.Window w : spec.windows()) {
      TaggedIntervalMarker m = new TaggedIntervalMarker(w.startMs(), w.endMs());
      m.attrs.put("class", "culprit-window");
      m.attrs.put("data-start", Long.toString(w.startMs()));
      m.attrs.put("data-end", Long.toString(w.endMs()));
      m.attrs.put("data-label", w.label());
      m.setPaint(WINDOW);
      m.setAlpha(0.16f);
      plot.addDomainMarker(m, Layer.BACKGROUND);
    }
    for (ChartSpec.Marker mk : spec.markers()) {
      TaggedValueMarker m = new TaggedValueMarker(mk.atMs());
      m.attrs.put("class", "culprit-marker culprit-marker-" + mk.kind());
      m.attrs.put("data-at", Long.toString(mk.atMs()));
      m.attrs.put("data-label", mk.label());
      m.setPaint(new Color(0xB7, 0x1C, 0x1C));
      m.setStroke(new BasicStroke(2f));
      m.setLabel(shorten(mk.label(), 40));
      m.setLabelFont(SMALL);
      m.setLabelPaint(new Color(0xB7, 0x1C, 0x1C));
      m.setLabelBackgroundColor(new Color(255, 255, 255, 220));
      m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
      m.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
      plot.addDomainMarker(m, Layer.FOREGROUND);
    }
    return plot;
  }

  private static String uniqueKey(XYSeriesCollection data, String name) {
    String key = name;
    for (int n = 2; data.getSeriesIndex(key) >= 0; n++) {
      key = name + " (" + n + ")";
    }
    return key;
  }

  private static Stroke stroke(ChartSpec.Style style) {
    return switch (style) {
      case LINE -> new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
      case STEP -> new BasicStroke(2.2f);
      case LIMIT ->
          new BasicStroke(
              1.6f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 4f}, 0f);
    };
  }

  private static DateAxis timeAxis(long fromMs, long toMs, TimeZone zone) {
    DateAxis time = new DateAxis(null, zone, Locale.ROOT);
    time.setRange(fromMs, toMs);
    time.setTickLabelFont(SMALL);
    return time;
  }

  private static void grid(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(GRID);
    plot.setRangeGridlinePaint(GRID);
    plot.setDomainGridlineStroke(new BasicStroke(0.6f));
    plot.setRangeGridlineStroke(new BasicStroke(0.6f));
    plot.setOutlinePaint(new Color(0xBB, 0xBB, 0xBB));
    plot.setAxisOffset(RectangleInsets.ZERO_INSETS);
  }

  private static void style(JFreeChart chart, String title, String subtitle) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(true);
    chart.setPadding(new RectangleInsets(4, 4, 4, 12));
    TextTitle t = new TextTitle(title, TITLE);
    t.setHorizontalAlignment(HorizontalAlignment.LEFT);
    chart.setTitle(t);
    if (subtitle != null && !subtitle.isBlank()) {
      TextTitle s = new TextTitle(shorten(subtitle, 160), SMALL);
      s.setHorizontalAlignment(HorizontalAlignment.LEFT);
      s.setPaint(Color.DARK_GRAY);
      chart.addSubtitle(s);
    }
    LegendTitle legend = chart.getLegend();
    if (legend != null) {
      legend.setItemFont(SMALL);
      legend.setFrame(BlockBorder.NONE);
      legend.setPosition(RectangleEdge.BOTTOM);
      legend.setHorizontalAlignment(HorizontalAlignment.LEFT);
    }
  }

  private static int legendHeight(ChartSpec spec) {
    int items = spec.panels().stream().mapToInt(p -> p.lines().size()).sum();
    return 18 * Math.max(1, (items + 2) / 3);
  }

  private static Svg draw(JFreeChart chart, String id, int height) {
    SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, height);
    g2.setDefsKeyPrefix(id + "-");
    ChartRenderingInfo info = new ChartRenderingInfo();
    chart.draw(g2, new Rectangle2D.Double(0, 0, WIDTH, height), info);
    List<Rectangle2D> areas = new ArrayList<>();
    PlotRenderingInfo plotInfo = info.getPlotInfo();
    if (plotInfo.getSubplotCount() == 0) {
      areas.add(plotInfo.getDataArea());
    } else {
      for (int i = 0; i < plotInfo.getSubplotCount(); i++) {
        areas.add(plotInfo.getSubplotInfo(i).getDataArea());
      }
    }
    String svg = g2.getSVGElement(id, false, new ViewBox(0, 0, WIDTH, height), null, null);
    return new Svg(svg, areas);
  }

  static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  /** A window marker that carries its SVG group's attributes. */
  private static final class TaggedIntervalMarker extends IntervalMarker {
    final Map<String, String> attrs = new LinkedHashMap<>();

    TaggedIntervalMarker(double start, double end) {
      super(start, end);
    }
  }

  /** An instant marker that carries its SVG group's attributes. */
  private static final class TaggedValueMarker extends ValueMarker {
    final Map<String, String> attrs = new LinkedHashMap<>();

    TaggedValueMarker(double value) {
      super(value);
    }
  }

  /** Lines as one path per series, each path and marker in an SVG group naming what it is. */
  private static final class TaggingRenderer extends XYLineAndShapeRenderer {
    private final transient ChartSpec spec;
    private final transient List<ChartSpec.Line> lines;

    TaggingRenderer(ChartSpec spec, List<ChartSpec.Line> lines) {
      super(true, false);
      this.spec = spec;
      this.lines = lines;
    }

    @Override
    public void drawItem(
        Graphics2D g2,
        XYItemRendererState state,
        Rectangle2D dataArea,
        PlotRenderingInfo info,
        XYPlot plot,
        ValueAxis domainAxis,
        ValueAxis rangeAxis,
        XYDataset dataset,
        int series,
        int item,
        CrosshairState crosshairState,
        int pass) {
      boolean path = pass == 0 && item == dataset.getItemCount(series) - 1;
      if (path) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put(
            "class",
            "culprit-series culprit-" + lines.get(series).style().name().toLowerCase(Locale.ROOT));
        attrs.put("data-name", lines.get(series).name());
        attrs.put("data-chart", spec.id());
        g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, attrs);
      }
      super.drawItem(
          g2,
          state,
          dataArea,
          info,
          plot,
          domainAxis,
          rangeAxis,
          dataset,
          series,
          item,
          crosshairState,
          pass);
      if (path) {
        g2.setRenderingHint(SVGHints.KEY_END_GROUP, "end");
      }
    }

    @Override
    public void drawDomainMarker(
        Graphics2D g2, XYPlot plot, ValueAxis domainAxis, Marker marker, Rectangle2D dataArea) {
      Map<String, String> attrs =
          marker instanceof TaggedIntervalMarker t
              ? t.attrs
              : marker instanceof TaggedValueMarker v ? v.attrs : null;
      if (attrs != null) {
        g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, attrs);
      }
      super.drawDomainMarker(g2, plot, domainAxis, marker, dataArea);
      if (attrs != null) {
        g2.setRenderingHint(SVGHints.KEY_END_GROUP, "end");
      }
    }
  }
}
