package dev.culprit.app.report;

import dev.culprit.app.report.CauseCharts.CauseGroup;
import dev.culprit.app.report.RangeSamples.HostSeen;
import dev.culprit.app.report.RangeSamples.Scope;
import dev.culprit.schemas.FleetIncident;
import dev.culprit.schemas.RootCause;
import java.awt.geom.Rectangle2D;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The postmortem report as one self-contained HTML page: styles inline, charts inline SVG, no
 * script, no font, no image to fetch. A Content-Security-Policy of {@code default-src 'none'} makes
 * a browser refuse any request the page might still try, and run no script at all.
 *
 * <p>Every text that came from a host (rule specs and comments, interface and container names,
 * summaries, remediation commands) is HTML-escaped here or XML-escaped by JFreeSVG inside charts.
 */
public final class ReportHtml {

  /** What the report is about and what a replay of it found. */
  public record Input(
      Instant from,
      Instant to,
      long windowMs,
      List<String> hostFilter,
      String source,
      String version,
      Instant generatedAt,
      List<RootCause> causes,
      List<FleetIncident> incidents,
      long deadLetters,
      long samplesReplayed,
      long openWindowsAfterMs,
      RangeSamples samples,
      RangeCoverage.Result coverage) {}

  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'";

  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.of("UTC"));
  private static final DateTimeFormatter CLOCK =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneId.of("UTC"));

  private ReportHtml() {}

  public static String render(Input in) {
    long from = in.from().toEpochMilli();
    long to = in.to().toEpochMilli();
    Map<Scope, List<CauseGroup>> groups = CauseCharts.group(in.causes());
    CauseCharts charts = new CauseCharts(in.samples(), from, to, in.windowMs());
    StringBuilder h = new StringBuilder(256 * 1024);
    String title =
        "culprit report " + TIME.format(in.from()) + " – " + TIME.format(in.to()) + " UTC";
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.append("<meta http-equiv=\"Content-Security-Policy\" content=\"").append(CSP).append("\">\n");
    h.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.append("<meta name=\"generator\" content=\"culprit ")
        .append(esc(in.version()))
        .append("\">\n");
    h.append("<title>")
        .append(esc(title))
        .append("</title>\n<style>")
        .append(STYLE)
        .append("</style>\n");
    h.append("</head>\n<body>\n<header>\n<h1>Postmortem: ")
        .append(esc(TIME.format(in.from())))
        .append(" – ")
        .append(esc(TIME.format(in.to())))
        .append(" UTC</h1>\n<p class=\"meta\">")
        .append(
            esc(
                "Samples replayed from "
                    + in.source()
                    + (in.hostFilter().isEmpty() ? ", all hosts" : ", hosts " + in.hostFilter())
                    + ", with the processor's own topology: the same causes and event ids as live."
                    + " Generated "
                    + TIME.format(in.generatedAt())
                    + " UTC by culprit "
                    + in.version()
                    + "."))
        .append(
            "</p>\n<nav><a href=\"#timeline\">Timeline</a> · <a href=\"#hosts\">Causes by host</a>"
                + " · <a href=\"#events\">Events</a> · <a href=\"#incidents\">Fleet incidents</a>"
                + " · <a href=\"#not-shown\">What the range could not show</a></nav>\n</header>\n");

    long hostsWithCause = in.causes().stream().map(RootCause::getHost).distinct().count();
    h.append("<section id=\"summary\" class=\"cards\">")
        .append(card(in.causes().size(), "root-cause events"))
        .append(card(hostsWithCause, "hosts with a cause"))
        .append(card(in.incidents().size(), "fleet incidents"))
        .append(card(in.samples().hosts().size(), "hosts sampled"))
        .append(card(in.samplesReplayed(), "samples replayed"))
        .append("</section>\n");

    timeline(h, in, groups, from, to);

    List<String> notShown = new ArrayList<>();
    h.append("<section id=\"hosts\">\n<h2>Causes by host</h2>\n");
    if (groups.isEmpty()) {
      h.append("<p class=\"empty\">No root cause in this range.</p>\n");
    }
    for (var e : groups.entrySet()) {
      Scope scope = e.getKey();
      String where =
          scope.host() + (scope.netns().isEmpty() ? " (host namespace)" : " / " + scope.netns());
      h.append("<article class=\"scope\" data-host=\"")
          .append(esc(scope.host()))
          .append("\" data-netns=\"")
          .append(esc(scope.netns()))
          .append("\">\n<h3>")
          .append(esc(where))
          .append("</h3>\n<ul class=\"causes\">");
      for (CauseGroup g : e.getValue()) {
        h.append("<li><span class=\"cause\">")
            .append(esc(g.cause().name()))
            .append("</span> ")
            .append(esc(g.location()))
            .append(" — ")
            .append(esc(windows(g.windows())))
            .append("<br><span class=\"summary\">")
            .append(esc(g.events().get(g.events().size() - 1).getSummary()))
            .append("</span></li>");
      }
      h.append("</ul>\n");
      CauseCharts.ScopeCharts sc = charts.charts(scope, e.getValue());
      for (ChartSpec spec : sc.charts()) {
        figure(h, spec);
      }
      for (String n : sc.notShown()) {
        notShown.add(where + ": " + n);
        h.append("<p class=\"not-shown\">Not charted — ").append(esc(n)).append("</p>\n");
      }
      h.append("</article>\n");
    }
    h.append("</section>\n");

    events(h, in.causes());
    incidents(h, in.incidents());
    couldNotShow(h, in, notShown, from, to);
    h.append("<footer>culprit ")
        .append(esc(in.version()))
        .append(" · times in UTC · shaded: the windows in which a cause was proven</footer>\n");
    h.append("</body>\n</html>\n");
    return h.toString();
  }

  private static void timeline(
      StringBuilder h, Input in, Map<Scope, List<CauseGroup>> groups, long from, long to) {
    h.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n");
    record Row(long first, SvgCharts.TimelineRow row) {}
    List<Row> rows = new ArrayList<>();
    for (var e : groups.entrySet()) {
      for (CauseGroup g : e.getValue()) {
        List<ChartSpec.Window> w = g.windows();
        String where = g.host() + (g.netns().isEmpty() ? "" : "/" + g.netns());
        String kind = CauseCharts.PACKET_LOSS.contains(g.cause()) ? "packet-loss" : "oom";
        rows.add(
            new Row(
                w.get(0).startMs(),
                new SvgCharts.TimelineRow(where + "  " + g.cause() + " " + g.location(), kind, w)));
      }
    }
    Map<String, List<FleetIncident>> bySignature = new TreeMap<>();
    in.incidents()
        .forEach(i -> bySignature.computeIfAbsent(i.getSignature(), k -> new ArrayList<>()).add(i));
    bySignature.forEach(
        (sig, list) -> {
          List<ChartSpec.Window> w =
              list.stream()
                  .sorted(Comparator.comparingLong(FleetIncident::getWindowStartMs))
                  .map(i -> new ChartSpec.Window(i.getWindowStartMs(), i.getWindowEndMs(), sig))
                  .toList();
          int max = list.stream().mapToInt(FleetIncident::getHostCount).max().orElse(0);
          rows.add(
              new Row(
                  w.get(0).startMs(),
                  new SvgCharts.TimelineRow(
                      "FLEET " + sig + " (up to " + max + " hosts)", "fleet", w)));
        });
    rows.sort(Comparator.comparingLong(Row::first).thenComparing(r -> r.row().label()));
    if (rows.isEmpty()) {
      h.append("<p class=\"empty\">Nothing to show: no root cause and no fleet incident.</p>\n");
    } else {
      SvgCharts.Svg svg =
          SvgCharts.timeline(
              "timeline-svg",
              "Root causes and fleet incidents, earliest first (" + rows.size() + " rows)",
              from,
              to,
              rows.stream().map(Row::row).toList(),
              UTC);
      h.append("<figure class=\"chart timeline\"")
          .append(plotAttr(svg))
          .append(">")
          .append(svg.markup())
          .append(
              "<figcaption>Red: packet-loss causes · orange: memory and CPU causes · purple: fleet"
                  + " incidents (one cause on many hosts at once).</figcaption></figure>\n");
    }
    h.append("</section>\n");
  }

  private static void figure(StringBuilder h, ChartSpec spec) {
    SvgCharts.Svg svg = SvgCharts.chart(spec, UTC);
    h.append("<figure class=\"chart\" id=\"")
        .append(spec.id())
        .append("\" data-title=\"")
        .append(esc(spec.title()))
        .append("\" data-windows=\"")
        .append(
            spec.windows().stream()
                .map(w -> w.startMs() + "-" + w.endMs())
                .collect(Collectors.joining(",")))
        .append("\" data-from=\"")
        .append(spec.fromMs())
        .append("\" data-to=\"")
        .append(spec.toMs())
        .append("\"")
        .append(plotAttr(svg))
        .append(">")
        .append(svg.markup())
        .append("</figure>\n");
  }

  /** The plot areas in SVG units, so a reader of the markup can map times to x. */
  private static String plotAttr(SvgCharts.Svg svg) {
    return " data-plot-areas=\""
        + svg.plotAreas().stream().map(ReportHtml::area).collect(Collectors.joining(";"))
        + "\"";
  }

  private static String area(Rectangle2D r) {
    return String.format(
        Locale.ROOT, "%.2f,%.2f,%.2f,%.2f", r.getX(), r.getY(), r.getWidth(), r.getHeight());
  }

  private static void events(StringBuilder h, List<RootCause> causes) {
    h.append("<section id=\"events\">\n<h2>Events</h2>\n");
    if (causes.isEmpty()) {
      h.append("<p class=\"empty\">No root-cause event.</p>\n</section>\n");
      return;
    }
    h.append(
        "<table class=\"events\"><thead><tr><th>window (UTC)</th><th>host / namespace</th>"
            + "<th>cause</th><th>summary</th><th>evidence</th><th>remediation</th></tr></thead>"
            + "<tbody>\n");
    for (RootCause c :
        causes.stream()
            .sorted(
                Comparator.comparingLong(RootCause::getWindowStartMs)
                    .thenComparing(RootCause::getHost)
                    .thenComparing(RootCause::getNetns)
                    .thenComparing(RootCause::getEventId))
            .toList()) {
      h.append("<tr class=\"event\" id=\"event-")
          .append(esc(c.getEventId()))
          .append("\"><td class=\"when\">")
          .append(esc(TIME.format(Instant.ofEpochMilli(c.getWindowStartMs()))))
          .append("<br>– ")
          .append(esc(CLOCK.format(Instant.ofEpochMilli(c.getWindowEndMs()))))
          .append("</td><td>")
          .append(esc(c.getHost()))
          .append(c.getNetns().isEmpty() ? "" : "<br>" + esc(c.getNetns()))
          .append("</td><td><span class=\"cause\">")
          .append(esc(c.getCause().name()))
          .append("</span><br>")
          .append(esc(c.getLocation()))
          .append("</td><td class=\"summary\">")
          .append(esc(c.getSummary()))
          .append("</td><td class=\"evidence\"><dl>");
      new TreeMap<>(c.getEvidence())
          .forEach(
              (k, v) ->
                  h.append("<dt>")
                      .append(esc(k))
                      .append("</dt><dd>")
                      .append(esc(String.valueOf(v)))
                      .append("</dd>"));
      h.append("</dl></td><td class=\"remediation\"><pre><code>")
          .append(esc(c.getRemediation()))
          .append("</code></pre>");
      if (c.getFix() != null && c.getFix().getNote() != null) {
        h.append("<p class=\"note\">").append(esc(c.getFix().getNote())).append("</p>");
      }
      h.append("<span class=\"event-id\">")
          .append(esc(c.getEventId()))
          .append("</span></td></tr>\n");
    }
    h.append("</tbody></table>\n</section>\n");
  }

  private static void incidents(StringBuilder h, List<FleetIncident> incidents) {
    h.append("<section id=\"incidents\">\n<h2>Fleet incidents</h2>\n");
    if (incidents.isEmpty()) {
      h.append("<p class=\"empty\">No cause was seen on many hosts at once.</p>\n</section>\n");
      return;
    }
    // One row per signature: its windows merged into spans, every host it was seen on.
    Map<String, List<FleetIncident>> bySignature = new TreeMap<>();
    incidents.forEach(
        i -> bySignature.computeIfAbsent(i.getSignature(), k -> new ArrayList<>()).add(i));
    record Row(String signature, List<FleetIncident> windows, List<ChartSpec.Window> spans) {}
    List<Row> rows = new ArrayList<>();
    bySignature.forEach(
        (sig, list) ->
            rows.add(
                new Row(
                    sig,
                    list,
                    CauseCharts.union(
                        list.stream()
                            .map(
                                i ->
                                    new ChartSpec.Window(
                                        i.getWindowStartMs(), i.getWindowEndMs(), sig))
                            .toList()))));
    rows.sort(
        Comparator.comparingLong((Row r) -> r.spans().get(0).startMs())
            .thenComparing(Row::signature));
    h.append(
        "<table class=\"incidents\"><thead><tr><th>when (UTC)</th><th>cause</th><th>hosts</th>"
            + "<th>summary</th></tr></thead><tbody>\n");
    for (Row r : rows) {
      java.util.TreeSet<String> hosts = new java.util.TreeSet<>();
      r.windows().forEach(i -> hosts.addAll(i.getHosts()));
      int max = r.windows().stream().mapToInt(FleetIncident::getHostCount).max().orElse(0);
      FleetIncident last =
          r.windows().stream().max(Comparator.comparingLong(FleetIncident::getWindowStartMs)).get();
      h.append("<tr class=\"incident\" data-signature=\"")
          .append(esc(r.signature()))
          .append("\" data-windows=\"")
          .append(r.windows().size())
          .append("\"><td class=\"when\">")
          .append(esc(windows(r.spans())))
          .append("<br>")
          .append(r.windows().size())
          .append(r.windows().size() == 1 ? " window" : " windows")
          .append("</td><td><span class=\"cause\">")
          .append(esc(last.getCause().name()))
          .append("</span><br>")
          .append(esc(r.signature()))
          .append("</td><td>up to ")
          .append(max)
          .append(" at once: ")
          .append(esc(String.join(", ", hosts)))
          .append("</td><td>")
          .append(esc(last.getSummary()))
          .append("</td></tr>\n");
    }
    h.append("</tbody></table>\n</section>\n");
  }

  private static void couldNotShow(
      StringBuilder h, Input in, List<String> notShown, long from, long to) {
    h.append("<section id=\"not-shown\">\n<h2>What the range could not show</h2>\n<ul>\n");
    int items = 0;
    for (var e : in.coverage().seenBefore().entrySet()) {
      if (!in.samples().hosts().containsKey(e.getKey())) {
        items++;
        h.append("<li class=\"silent-host\" data-host=\"")
            .append(esc(e.getKey()))
            .append("\"><b>")
            .append(esc(e.getKey()))
            .append("</b> sent nothing in the range; its last sample before it was at ")
            .append(esc(TIME.format(Instant.ofEpochMilli(e.getValue()))))
            .append(" UTC. Its causes, if any, are not in this report.</li>\n");
      }
    }
    for (var e : in.samples().hosts().entrySet()) {
      HostSeen s = e.getValue();
      List<String> silences = new ArrayList<>();
      s.gaps.forEach(g -> silences.add(span(g[0], g[1])));
      if (s.firstMs - from > 0
          && !in.coverage().seenBefore().isEmpty()
          && in.coverage().seenBefore().containsKey(e.getKey())) {
        silences.add(0, span(from, s.firstMs));
      }
      if (to - s.lastMs > in.samples().gapMs()) {
        silences.add(
            "from "
                + CLOCK.format(Instant.ofEpochMilli(s.lastMs))
                + " to the end of the range ("
                + minutes(to - s.lastMs)
                + ")");
      }
      if (!silences.isEmpty()) {
        items++;
        h.append("<li class=\"host-gap\" data-host=\"")
            .append(esc(e.getKey()))
            .append("\"><b>")
            .append(esc(e.getKey()))
            .append("</b> was silent ")
            .append(esc(String.join(", ", silences)))
            .append(".</li>\n");
      }
    }
    for (RangeCoverage.Truncated t : in.coverage().truncated()) {
      items++;
      h.append("<li class=\"truncated-topic\" data-topic=\"")
          .append(esc(t.topic()))
          .append("\"><b>")
          .append(esc(t.topic()))
          .append("</b>: retention already deleted ")
          .append(
              t.earliestMs() == Long.MAX_VALUE
                  ? "everything it held."
                  : esc(
                      "its samples before "
                          + TIME.format(Instant.ofEpochMilli(t.earliestMs()))
                          + " UTC: the range's first "
                          + minutes(t.earliestMs() - from)
                          + " cannot be replayed from it."))
          .append("</li>\n");
    }
    for (String n : notShown) {
      items++;
      h.append("<li class=\"not-charted\">").append(esc(n)).append("</li>\n");
    }
    if (in.openWindowsAfterMs() < to) {
      items++;
      h.append("<li class=\"open-windows\">Windows ending after ")
          .append(esc(TIME.format(Instant.ofEpochMilli(Math.max(from, in.openWindowsAfterMs())))))
          .append(" UTC were not judged: no later sample in the range closed them.</li>\n");
    }
    if (in.deadLetters() > 0) {
      items++;
      h.append("<li class=\"dead-letters\">")
          .append(in.deadLetters())
          .append(" records could not be decoded (culprit.deadletter has the reasons).</li>\n");
    }
    if (items == 0) {
      h.append("<li>Nothing: every host seen before the range sent samples throughout it.</li>\n");
    }
    h.append("</ul>\n</section>\n");
  }

  private static String span(long a, long b) {
    return "from "
        + CLOCK.format(Instant.ofEpochMilli(a))
        + " to "
        + CLOCK.format(Instant.ofEpochMilli(b))
        + " ("
        + minutes(b - a)
        + ")";
  }

  private static String minutes(long ms) {
    return ms >= 120_000 ? (ms / 60_000) + " min" : (ms / 1000) + " s";
  }

  private static String windows(List<ChartSpec.Window> ws) {
    return ws.stream()
        .map(
            w ->
                CLOCK.format(Instant.ofEpochMilli(w.startMs()))
                    + "–"
                    + CLOCK.format(Instant.ofEpochMilli(w.endMs())))
        .collect(Collectors.joining(", "));
  }

  private static String card(long n, String what) {
    return "<div class=\"card\"><span class=\"n\">"
        + n
        + "</span><span>"
        + esc(what)
        + "</span></div>";
  }

  /** Text as HTML text or attribute value: none of {@code < > & " '} survives. */
  public static String esc(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '&' -> b.append("&amp;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  private static final String STYLE =
      """
      :root{--ink:#1d2433;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--red:#c62828}
      *{box-sizing:border-box}
      body{margin:0;padding:24px 32px 48px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
      header h1{margin:0 0 4px;font-size:22px}
      .meta{color:var(--muted);margin:0 0 8px}
      nav a{color:#1f5fbf;text-decoration:none}
      h2{font-size:18px;margin:28px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
      h3{font-size:15px;margin:0 0 6px}
      .cards{display:flex;gap:12px;flex-wrap:wrap;margin-top:16px}
      .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 16px;min-width:150px}
      .card .n{display:block;font-size:24px;font-weight:600}
      .card span:last-child{color:var(--muted)}
      figure.chart{margin:10px 0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:6px}
      figure.chart svg{display:block;width:100%;height:auto}
      figcaption{color:var(--muted);font-size:12px;padding:2px 8px 4px}
      article.scope{background:#fff;border:1px solid var(--line);border-radius:10px;padding:14px 16px;margin:14px 0}
      article.scope figure.chart{border-color:#eceef2}
      ul.causes{margin:0 0 8px;padding-left:18px}
      .cause{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-weight:600;color:var(--red)}
      .summary{color:var(--ink)}
      .not-shown{color:var(--muted);font-style:italic}
      table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
      th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line)}
      table.events{table-layout:fixed}
      table.events th:nth-child(1){width:11%}table.events th:nth-child(2){width:9%}table.events th:nth-child(3){width:12%}
      table.events th:nth-child(4){width:22%}table.events th:nth-child(5){width:21%}table.events th:nth-child(6){width:25%}
      th{background:#eef0f4;font-weight:600}
      td.when{font-variant-numeric:tabular-nums}
      td{overflow-wrap:anywhere}
      td.evidence dl{margin:0;display:grid;grid-template-columns:auto 1fr;gap:0 8px;font-size:12px}
      td.evidence dt{color:var(--muted)}td.evidence dd{margin:0;word-break:break-all}
      td.remediation pre{margin:0;white-space:pre-wrap;word-break:break-all;background:#f3f4f7;padding:6px;border-radius:4px;font-size:12px}
      .event-id{display:block;color:var(--muted);font-size:11px;margin-top:4px}
      .note{margin:4px 0 0;font-size:12px}
      #not-shown li{margin:4px 0}
      footer{margin-top:32px;color:var(--muted);font-size:12px}
      @media print{body{background:#fff;padding:0}nav{display:none}figure.chart,tr,article.scope>ul{break-inside:avoid}article.scope{border:none;padding:0}}
      """;
}
