package dev.culprit.app.live;

import static dev.culprit.app.report.ReportHtml.esc;

import dev.culprit.app.report.ChartSpec;
import dev.culprit.app.report.SvgCharts;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TimeZone;
import java.util.TreeMap;

/**
 * The live pages, rendered from the API's documents. No script: they reload themselves with a meta
 * refresh under a CSP that allows nothing but inline styles. Every name a host sent (host, netns,
 * container, pod, rule location, summary) is escaped: kernel-visible names are hostile.
 */
final class LivePages {

  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.of("UTC"));
  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  /** Hosts listed per group: a fleet-wide outage must not make a page of 10,000 lines. */
  static final int MAX_LISTED = 100;

  private LivePages() {}

  /**
   * The fleet page.
   *
   * <p>"Now" for what is open and who stopped reporting is the fleet's newest sample, not the
   * server's clock: a replayed or delayed fleet reads the same, and a host is silent compared with
   * the others (when all are, the header says how old the newest sample is).
   *
   * @param nowMs the server's clock, for the header
   * @param silentAfterMs a host this far behind the fleet's newest sample stopped reporting
   * @param recentMs causes of windows ending this close to a host's newest sample are current;
   *     incidents this close (plus the fleet windows' lag) to the fleet's newest sample are open
   */
  static String fleet(
      LiveJson.Hosts hosts,
      LiveJson.Incidents incidents,
      long nowMs,
      long silentAfterMs,
      long recentMs,
      int refreshSeconds) {
    long fleetNow = 0;
    for (LiveJson.Host host : hosts.hosts()) {
      fleetNow = Math.max(fleetNow, host.lastSeenMs());
    }
    StringBuilder h = head("culprit — fleet", refreshSeconds);
    h.append("<header><h1>Fleet</h1><p class=\"meta\">")
        .append(
            esc(
                hosts.hosts().size()
                    + " hosts; newest sample "
                    + (fleetNow == 0
                        ? "none"
                        : TIME.format(Instant.ofEpochMilli(fleetNow))
                            + " UTC ("
                            + Math.max(0, (nowMs - fleetNow) / 1000)
                            + " s ago)")
                    + "; refreshed every "
                    + refreshSeconds
                    + " s"))
        .append("</p>");
    unavailable(h, hosts.unavailable());
    h.append("</header>\n");

    h.append("<section id=\"incidents\"><h2>Open fleet incidents</h2>\n");
    List<LiveJson.Incident> open = new ArrayList<>();
    for (LiveJson.Incident i : incidents.incidents()) {
      if (i.windowEndMs() >= fleetNow - recentMs - silentAfterMs) {
        open.add(i);
      }
    }
    if (open.isEmpty()) {
      h.append("<p class=\"empty\">None.</p>\n");
    } else {
      h.append("<table><tr><th>Cause</th><th>Window</th><th>Hosts</th><th>Summary</th></tr>\n");
      for (LiveJson.Incident i : open) {
        h.append("<tr class=\"incident\" data-signature=\"")
            .append(esc(i.signature()))
            .append("\"><td class=\"cause\">")
            .append(esc(i.cause()))
            .append("</td><td>")
            .append(esc(span(i.windowStartMs(), i.windowEndMs())))
            .append("</td><td>")
            .append(i.hostCount())
            .append(": ");
        hostLinks(h, i.hosts());
        h.append("</td><td>").append(esc(i.summary())).append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    h.append("</section>\n");

    // Hosts with causes in their last windows, grouped by cause.
    Map<String, Map<String, List<LiveJson.Cause>>> byCause = new TreeMap<>();
    List<LiveJson.Host> silent = new ArrayList<>();
    List<LiveJson.Host> unhealthy = new ArrayList<>();
    for (LiveJson.Host host : hosts.hosts()) {
      if (host.lastSeenMs() < fleetNow - silentAfterMs) {
        silent.add(host);
      }
      if (host.health() != null && host.health().problem()) {
        unhealthy.add(host);
      }
      for (LiveJson.Cause c : host.causesWithin(recentMs)) {
        byCause
            .computeIfAbsent(c.cause(), k -> new TreeMap<>())
            .computeIfAbsent(host.host(), k -> new ArrayList<>())
            .add(c);
      }
    }
    h.append("<section id=\"causes\"><h2>Hosts with causes in their last windows</h2>\n");
    if (byCause.isEmpty()) {
      h.append("<p class=\"empty\">None.</p>\n");
    }
    for (var e : byCause.entrySet()) {
      h.append("<article class=\"by-cause\" data-cause=\"")
          .append(esc(e.getKey()))
          .append("\"><h3><span class=\"cause\">")
          .append(esc(e.getKey()))
          .append("</span> on ")
          .append(e.getValue().size())
          .append(e.getValue().size() == 1 ? " host" : " hosts")
          .append("</h3><ul>\n");
      int listed = 0;
      for (var hostCauses : e.getValue().entrySet()) {
        if (listed++ == MAX_LISTED) {
          more(h, e.getValue().size() - MAX_LISTED);
          break;
        }
        LiveJson.Cause latest = hostCauses.getValue().get(hostCauses.getValue().size() - 1);
        h.append("<li data-host=\"").append(esc(hostCauses.getKey())).append("\">");
        hostLinks(h, List.of(hostCauses.getKey()));
        h.append(" — ")
            .append(esc(where(latest)))
            .append(": <span class=\"summary\">")
            .append(esc(latest.summary()))
            .append("</span> <span class=\"when\">")
            .append(esc(span(latest.windowStartMs(), latest.windowEndMs())))
            .append("</span></li>\n");
      }
      h.append("</ul></article>\n");
    }
    h.append("</section>\n");

    h.append("<section id=\"silent\"><h2>Hosts that stopped reporting</h2>\n");
    if (silent.isEmpty()) {
      h.append("<p class=\"empty\">None.</p>\n");
    } else {
      h.append("<ul>\n");
      for (LiveJson.Host host : silent.subList(0, Math.min(MAX_LISTED, silent.size()))) {
        h.append("<li class=\"silent-host\" data-host=\"").append(esc(host.host())).append("\">");
        hostLinks(h, List.of(host.host()));
        h.append(" — last sample ")
            .append(esc(TIME.format(Instant.ofEpochMilli(host.lastSeenMs()))))
            .append(" UTC</li>\n");
      }
      more(h, silent.size() - MAX_LISTED);
      h.append("</ul>\n");
    }
    h.append("</section>\n");

    h.append("<section id=\"health\"><h2>Collector health problems</h2>\n");
    if (unhealthy.isEmpty()) {
      h.append("<p class=\"empty\">None.</p>\n");
    } else {
      h.append("<ul>\n");
      for (LiveJson.Host host : unhealthy.subList(0, Math.min(MAX_LISTED, unhealthy.size()))) {
        LiveJson.Health hh = host.health();
        h.append("<li class=\"health\" data-host=\"").append(esc(host.host())).append("\">");
        hostLinks(h, List.of(host.host()));
        if (hh.spooledRecords() > 0) {
          h.append(" — spool holds ")
              .append(hh.spooledRecords())
              .append(" records (")
              .append(hh.spooledBytes())
              .append(" bytes), ")
              .append(hh.spoolDroppedRecords())
              .append(" dropped so far");
        }
        for (String s : hh.failingSources()) {
          h.append("<br><span class=\"failing\">").append(esc(s)).append("</span>");
        }
        h.append("</li>\n");
      }
      more(h, unhealthy.size() - MAX_LISTED);
      h.append("</ul>\n");
    }
    h.append("</section>\n");
    return tail(h);
  }

  /** A host's page. */
  static String host(LiveJson.Host host, long nowMs, int refreshSeconds) {
    StringBuilder h = head("culprit — " + host.host(), refreshSeconds);
    h.append("<header><p><a href=\"/\">← Fleet</a></p><h1 id=\"host\" data-host=\"")
        .append(esc(host.host()))
        .append("\">")
        .append(esc(host.host()))
        .append("</h1><p class=\"meta\">")
        .append(
            esc(
                "last sample "
                    + TIME.format(Instant.ofEpochMilli(host.lastSeenMs()))
                    + " UTC ("
                    + Math.max(0, (nowMs - host.lastSeenMs()) / 1000)
                    + " s ago)"))
        .append("</p></header>\n");

    h.append("<section id=\"namespaces\"><h2>Namespaces: the latest window's diagnosis</h2>\n");
    h.append(
        "<table class=\"namespaces\"><tr><th>Namespace</th><th>Kind</th><th>Window</th>"
            + "<th>Diagnosis</th></tr>\n");
    for (LiveJson.Namespace ns : host.namespaces()) {
      h.append("<tr class=\"netns\" data-netns=\"")
          .append(esc(ns.netns()))
          .append("\"><td>")
          .append(esc(ns.netns().isEmpty() ? "(host)" : ns.netns()))
          .append("</td><td>")
          .append(ns.kind().isEmpty() ? "—" : esc(ns.kind()))
          .append("</td><td>")
          .append(
              ns.windowStartMs() < 0
                  ? "not judged yet"
                  : esc(TIME.format(Instant.ofEpochMilli(ns.windowStartMs()))))
          .append("</td><td>");
      if (ns.windowStartMs() >= 0 && ns.causes().isEmpty()) {
        h.append("<span class=\"ok\">no cause found</span>");
      }
      for (LiveJson.Cause c : ns.causes()) {
        h.append("<div class=\"diagnosis\"><span class=\"cause\">")
            .append(esc(c.cause()))
            .append("</span> ")
            .append(esc(c.location()))
            .append(": <span class=\"summary\">")
            .append(esc(c.summary()))
            .append("</span></div>");
      }
      h.append("</td></tr>\n");
    }
    h.append("</table></section>\n");

    h.append("<section id=\"containers\"><h2>Containers</h2>\n");
    if (host.containers().isEmpty()) {
      h.append("<p class=\"empty\">None seen.</p>\n");
    } else {
      h.append("<table><tr><th>Name</th><th>Pod</th><th>State</th><th>Id</th></tr>\n");
      for (LiveJson.Container c : host.containers()) {
        h.append("<tr class=\"container\"><td>")
            .append(esc(c.name()))
            .append("</td><td>")
            .append(esc(c.pod()))
            .append("</td><td>")
            .append(esc(c.state()))
            .append("</td><td class=\"id\">")
            .append(esc(c.id().length() > 12 ? c.id().substring(0, 12) : c.id()))
            .append("</td></tr>\n");
      }
      h.append("</table>\n");
    }
    h.append("</section>\n");

    h.append("<section id=\"charts\"><h2>The last hour</h2>\n");
    charts(h, host);
    h.append("</section>\n");
    return tail(h);
  }

  private static void charts(StringBuilder h, LiveJson.Host host) {
    Map<String, LiveJson.Series> s = LiveJson.byName(host.counters());
    List<ChartSpec.Window> windows = new ArrayList<>();
    for (LiveJson.Cause c : host.recentCauses()) {
      windows.add(
          new ChartSpec.Window(c.windowStartMs(), c.windowEndMs(), c.cause() + " " + where(c)));
    }
    long[] t = host.counters().get(0).minuteStartMs();
    long from = t[0];
    long to = t[t.length - 1] + 60_000;
    chart(
        h,
        "drops",
        "Drops per minute",
        from,
        to,
        windows,
        s,
        "packets",
        "RX dropped",
        "TX dropped",
        "RX errors",
        "qdisc drops",
        "firewall DROP rule hits");
    chart(
        h,
        "tcp",
        "TCP retransmits per minute",
        from,
        to,
        windows,
        s,
        "segments",
        "Tcp.RetransSegs");
    chart(
        h,
        "probes",
        "Probes per minute",
        from,
        to,
        windows,
        s,
        "probes",
        "probes sent",
        "probes lost");
  }

  private static void chart(
      StringBuilder h,
      String id,
      String title,
      long from,
      long to,
      List<ChartSpec.Window> windows,
      Map<String, LiveJson.Series> series,
      String unit,
      String... names) {
    List<ChartSpec.Line> lines = new ArrayList<>();
    for (String name : names) {
      LiveJson.Series one = series.get(name);
      if (one == null) {
        continue;
      }
      double[] values = new double[one.values().length];
      for (int i = 0; i < values.length; i++) {
        values[i] = one.values()[i] == null ? Double.NaN : one.values()[i];
      }
      lines.add(new ChartSpec.Line(name, one.minuteStartMs(), values, ChartSpec.Style.LINE));
    }
    if (lines.stream().noneMatch(LivePages::anyNonZero)) {
      h.append("<p class=\"empty\" id=\"chart-")
          .append(id)
          .append("\">")
          .append(esc(title + ": none in the last hour."))
          .append("</p>\n");
      return;
    }
    ChartSpec spec =
        new ChartSpec(
            id,
            title,
            null,
            from,
            to,
            List.of(new ChartSpec.Panel(unit, lines)),
            windows,
            List.of());
    h.append("<figure class=\"chart\" id=\"chart-")
        .append(id)
        .append("\" data-windows=\"")
        .append(windows.size())
        .append("\">")
        .append(SvgCharts.chart(spec, UTC).markup())
        .append("<figcaption>")
        .append(esc(title + (windows.isEmpty() ? "" : "; shaded: the windows with a cause")))
        .append("</figcaption></figure>\n");
  }

  private static boolean anyNonZero(ChartSpec.Line line) {
    for (double v : line.values()) {
      if (!Double.isNaN(v) && v != 0) {
        return true;
      }
    }
    return false;
  }

  private static String where(LiveJson.Cause c) {
    return (c.netns().isEmpty() ? "host" : c.netns())
        + (c.location().isEmpty() ? "" : " " + c.location());
  }

  private static void hostLinks(StringBuilder h, List<String> hosts) {
    for (int i = 0; i < hosts.size(); i++) {
      if (i > 0) {
        h.append(", ");
      }
      h.append("<a class=\"host\" href=\"/hosts/")
          .append(esc(LiveQueries.encode(hosts.get(i))))
          .append("\">")
          .append(esc(hosts.get(i)))
          .append("</a>");
    }
  }

  /** "… and N more" closing a list cut at {@link #MAX_LISTED}, when it was. */
  private static void more(StringBuilder h, int more) {
    if (more > 0) {
      h.append("<li class=\"more\">… and ").append(more).append(" more (see /api/hosts)</li>\n");
    }
  }

  private static void unavailable(StringBuilder h, List<String> instances) {
    if (!instances.isEmpty()) {
      h.append("<p class=\"warning\">")
          .append(
              esc(
                  "Not shown: hosts of instances that did not answer ("
                      + String.join(", ", instances)
                      + ")."))
          .append("</p>");
    }
  }

  private static String span(long from, long to) {
    return TIME.format(Instant.ofEpochMilli(from))
        + " – "
        + TIME.format(Instant.ofEpochMilli(to)).substring(11)
        + " UTC";
  }

  private static StringBuilder head(String title, int refreshSeconds) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
        .append(CSP)
        .append("\">\n<meta http-equiv=\"refresh\" content=\"")
        .append(refreshSeconds)
        .append(
            "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
        .append(esc(title))
        .append("</title>\n<style>")
        .append(STYLE)
        .append("</style>\n</head>\n<body>\n");
    return h;
  }

  private static String tail(StringBuilder h) {
    return h.append(
            "<footer>culprit — read-only. JSON: <a href=\"/api/hosts\">/api/hosts</a>,"
                + " <a href=\"/api/incidents\">/api/incidents</a></footer>\n</body>\n</html>\n")
        .toString();
  }

  private static final String STYLE =
      """
      :root{--ink:#1d2433;--muted:#5b6475;--line:#d9dde5;--bg:#f6f7f9;--red:#c62828}
      body{margin:0;padding:20px 28px 40px;font:14px/1.45 system-ui,"DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg)}
      h1{margin:0 0 4px;font-size:22px;overflow-wrap:anywhere}
      h2{font-size:17px;margin:24px 0 8px;padding-bottom:4px;border-bottom:2px solid var(--line)}
      h3{font-size:15px;margin:0 0 6px}
      a{color:#1f5fbf;text-decoration:none}
      .meta,.empty,footer,figcaption{color:var(--muted)}
      .warning{color:var(--red)}
      .cause{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-weight:600;color:var(--red)}
      .ok{color:#2e7d32}
      .failing{color:var(--red);font-size:12px}
      .when{color:var(--muted);font-size:12px}
      article.by-cause{background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:10px 0}
      table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
      th,td{text-align:left;vertical-align:top;padding:6px 8px;border-bottom:1px solid var(--line);overflow-wrap:anywhere}
      th{background:#eef0f4}
      table.namespaces td:nth-child(-n+3){min-width:7em}
      figure.chart{margin:10px 0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:6px}
      figure.chart svg{display:block;width:100%;height:auto}
      footer{margin-top:28px;font-size:12px}
      """;
}
