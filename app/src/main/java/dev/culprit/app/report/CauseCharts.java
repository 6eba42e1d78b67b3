package dev.culprit.app.report;

import dev.culprit.app.report.ChartSpec.Line;
import dev.culprit.app.report.ChartSpec.Marker;
import dev.culprit.app.report.ChartSpec.Panel;
import dev.culprit.app.report.ChartSpec.Style;
import dev.culprit.app.report.ChartSpec.Window;
import dev.culprit.app.report.RangeSamples.Sampled;
import dev.culprit.app.report.RangeSamples.ScopeSamples;
import dev.culprit.app.report.RangeSamples.Series;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which counters prove which cause: for the root causes of one host and namespace, the charts of
 * the counters the rule judged, over the whole range with the cause's windows shaded, and what
 * could not be charted (no samples of that kind in the range, or a cause without counters to draw).
 */
public final class CauseCharts {

  /** A cause on one host and namespace, at one location, with all its windows. */
  public record CauseGroup(
      String host, String netns, Cause cause, String location, List<RootCause> events) {

    /** Consecutive and overlapping windows merged. */
    public List<Window> windows() {
      List<Window> out = new ArrayList<>();
      for (RootCause e :
          events.stream().sorted(Comparator.comparingLong(RootCause::getWindowStartMs)).toList()) {
        Window last = out.isEmpty() ? null : out.get(out.size() - 1);
        if (last != null && e.getWindowStartMs() <= last.endMs()) {
          out.set(
              out.size() - 1,
              new Window(last.startMs(), Math.max(last.endMs(), e.getWindowEndMs()), last.label()));
        } else {
          out.add(new Window(e.getWindowStartMs(), e.getWindowEndMs(), cause + " " + location));
        }
      }
      return out;
    }

    public String title() {
      return cause + " " + location;
    }
  }

  /** The charts of one scope, and the causes whose counters could not be drawn. */
  public record ScopeCharts(List<ChartSpec> charts, List<String> notShown) {}

  static final Set<Cause> PACKET_LOSS =
      EnumSet.of(
          Cause.FIREWALL_DROP,
          Cause.QDISC_LOSS,
          Cause.MTU_MISMATCH,
          Cause.NIC_RING_OVERFLOW,
          Cause.NIC_RX_ERRORS,
          Cause.CONNTRACK_TABLE_FULL,
          Cause.LISTEN_OVERFLOW,
          Cause.SOCKET_BUFFER_OVERFLOW,
          Cause.REVERSE_PATH_FILTER,
          Cause.SOFTNET_BACKLOG_DROP,
          Cause.UNEXPLAINED_DROPS);

  private static final Set<Cause> MEMORY =
      EnumSet.of(
          Cause.JVM_HEAP_EXCEEDS_LIMIT,
          Cause.JVM_NON_HEAP_GROWTH,
          Cause.PROCESS_MEMORY_GROWTH,
          Cause.HOST_MEMORY_EXHAUSTED);

  private final RangeSamples samples;
  private final long fromMs;
  private final long toMs;
  private final long windowMs;
  private final String per;
  private int ids;

  /**
   * @param windowMs the processor's window: counters are drawn as increases per window, the unit of
   *     the events' evidence ("6 packets dropped in 10 s"), whatever the sampling interval
   */
  public CauseCharts(RangeSamples samples, long fromMs, long toMs, long windowMs) {
    this.samples = samples;
    this.fromMs = fromMs;
    this.toMs = toMs;
    this.windowMs = windowMs;
    this.per =
        "/ "
            + (windowMs % 60_000 == 0 ? windowMs / 60_000 + " min" : windowMs / 1000.0 + " s")
                .replace(".0 s", " s");
  }

  /** Root causes grouped by host, namespace, cause and location, in host and namespace order. */
  public static Map<RangeSamples.Scope, List<CauseGroup>> group(List<RootCause> causes) {
    Map<RangeSamples.Scope, Map<String, List<RootCause>>> byScope = new TreeMap<>();
    for (RootCause c : causes) {
      byScope
          .computeIfAbsent(new RangeSamples.Scope(c.getHost(), c.getNetns()), k -> new TreeMap<>())
          .computeIfAbsent(c.getCause() + "\n" + c.getLocation(), k -> new ArrayList<>())
          .add(c);
    }
    Map<RangeSamples.Scope, List<CauseGroup>> out = new LinkedHashMap<>();
    byScope.forEach(
        (scope, groups) -> {
          List<CauseGroup> list = new ArrayList<>();
          groups.forEach(
              (k, events) ->
                  list.add(
                      new CauseGroup(
                          scope.host(),
                          scope.netns(),
                          events.get(0).getCause(),
                          events.get(0).getLocation(),
                          events)));
          out.put(scope, list);
        });
    return out;
  }

  /** The charts that prove {@code groups}, all of one scope. */
  public ScopeCharts charts(RangeSamples.Scope scope, List<CauseGroup> groups) {
    List<ChartSpec> charts = new ArrayList<>();
    List<String> notShown = new ArrayList<>();
    ScopeSamples s = samples.scope(scope.host(), scope.netns());
    for (CauseGroup g : groups) {
      ChartSpec chart = chart(s, g);
      if (chart == null) {
        notShown.add(g.title() + ": " + missing(g));
      } else {
        charts.add(chart);
      }
    }
    List<Window> lossWindows = new ArrayList<>();
    for (CauseGroup g : groups) {
      if (PACKET_LOSS.contains(g.cause())) {
        lossWindows.addAll(g.windows());
      }
    }
    if (!lossWindows.isEmpty()) {
      lossWindows = union(lossWindows);
      ChartSpec symptoms = symptoms(s, lossWindows);
      if (symptoms == null) {
        notShown.add(
            "retransmits, SYN retries and timeouts: no protocol samples of this namespace");
      } else {
        charts.add(symptoms);
      }
      ChartSpec probes = probes(s, lossWindows);
      if (probes != null) {
        charts.add(probes);
      } else if (groups.stream().anyMatch(g -> g.cause() == Cause.UNEXPLAINED_DROPS)) {
        notShown.add("probe loss and RTT: no probe samples from this namespace");
      }
    }
    return new ScopeCharts(charts, notShown);
  }

  private String missing(CauseGroup g) {
    return switch (g.cause()) {
      case FIREWALL_DROP -> "no firewall samples of this rule in the range";
      case QDISC_LOSS -> "no qdisc samples of this qdisc in the range";
      case MTU_MISMATCH, NIC_RING_OVERFLOW, NIC_RX_ERRORS ->
          "no interface samples of this device in the range";
      case CONNTRACK_TABLE_FULL -> "no conntrack samples in the range";
      case SOFTNET_BACKLOG_DROP -> "no softnet samples in the range";
      case CPU_THROTTLED -> "no container samples of this container in the range";
      case HOST_MEMORY_EXHAUSTED -> "host memory is not sampled as a series; see the evidence";
      case UNEXPLAINED_DROPS -> "no counter names the drop; see the probe chart, if any";
      default ->
          MEMORY.contains(g.cause())
              ? "no container samples of this container in the range"
              : "no protocol samples of this namespace in the range";
    };
  }

  private ChartSpec chart(ScopeSamples s, CauseGroup g) {
    if (MEMORY.contains(g.cause())) {
      return memory(g);
    }
    if (g.cause() == Cause.CPU_THROTTLED) {
      return cpu(g);
    }
    if (s == null) {
      return null;
    }
    Map<String, Object> evidence = g.events().get(0).getEvidence();
    return switch (g.cause()) {
      case FIREWALL_DROP -> firewall(s, g);
      case QDISC_LOSS -> qdisc(s, g, evidence);
      case MTU_MISMATCH -> mtu(s, g, evidence);
      case NIC_RING_OVERFLOW, NIC_RX_ERRORS -> nic(s, g, evidence);
      case CONNTRACK_TABLE_FULL -> conntrack(s, g);
      case LISTEN_OVERFLOW ->
          protocol(
              s,
              g,
              "Listen queue overflows",
              List.of("TcpExt.ListenOverflows", "TcpExt.ListenDrops"));
      case SOCKET_BUFFER_OVERFLOW ->
          protocol(s, g, "Socket buffer drops", List.of("Udp.RcvbufErrors", "Udp.InErrors"));
      case REVERSE_PATH_FILTER ->
          protocol(s, g, "Reverse path filter drops", List.of("TcpExt.IPReversePathFilter"));
      case SOFTNET_BACKLOG_DROP -> softnet(g);
      default -> null;
    };
  }

  private ChartSpec firewall(ScopeSamples s, CauseGroup g) {
    List<Line> lines = new ArrayList<>();
    String subtitle = null;
    for (String name : s.filter.names("rule|" + g.location() + "|")) {
      lines.add(delta(s.filter, name, g.location() + " drops"));
      subtitle = s.filter.label(name);
    }
    if (lines.isEmpty()) {
      return null;
    }
    // The other dropping rules and policies of the namespace that dropped in the range, for scale.
    for (String name : s.filter.names("")) {
      String where = name.split("\\|")[1];
      if (!where.equals(g.location()) && lines.size() < 6) {
        Line other = delta(s.filter, name, where + " drops");
        if (sum(other) > 0) {
          lines.add(other);
        }
      }
    }
    return spec(
        "Firewall rule drops: " + g.location(),
        subtitle,
        List.of(new Panel("packets dropped " + per, lines)),
        g.windows(),
        List.of());
  }

  private ChartSpec qdisc(ScopeSamples s, CauseGroup g, Map<String, Object> evidence) {
    String key =
        evidence.get("device") + " " + evidence.get("kind") + " " + evidence.get("handle") + "|";
    if (s.qdiscs.series(key + "drops") == null) {
      return null;
    }
    return spec(
        "Qdisc drops: " + g.location(),
        "settings: " + s.qdiscs.label(key + "drops"),
        List.of(
            new Panel(
                "packets " + per,
                List.of(
                    delta(s.qdiscs, key + "drops", "dropped"),
                    delta(s.qdiscs, key + "packets", "sent"),
                    delta(s.qdiscs, key + "overlimits", "overlimits")))),
        g.windows(),
        List.of());
  }

  private ChartSpec mtu(ScopeSamples s, CauseGroup g, Map<String, Object> evidence) {
    String device = str(evidence.get("device"), g.location());
    if (s.interfaces.series(device + "|mtu") == null) {
      return null;
    }
    List<Line> drops = new ArrayList<>();
    drops.add(delta(s.interfaces, device + "|rxDropped", device + " RX dropped"));
    drops.add(delta(s.interfaces, device + "|rxLengthErrors", device + " RX length errors"));
    List<Line> mtus = new ArrayList<>();
    mtus.add(gauge(s.interfaces, device + "|mtu", device + " MTU", Style.STEP));
    String peer = (String) str(evidence.get("peerDevice"), null);
    String peerNetns = str(evidence.get("peerNetns"), g.netns());
    ScopeSamples peerScope = samples.scope(g.host(), peerNetns);
    String peerName = peer + (peerNetns.isEmpty() ? " (host)" : " (" + peerNetns + ")");
    if (peer != null && peerScope != null && peerScope.interfaces.series(peer + "|mtu") != null) {
      mtus.add(gauge(peerScope.interfaces, peer + "|mtu", peerName + " MTU", Style.STEP));
    }
    String sender = str(evidence.get("senderDevice"), null);
    ScopeSamples senderScope = samples.scope(g.host(), str(evidence.get("senderNetns"), ""));
    if (sender != null
        && senderScope != null
        && senderScope.interfaces.series(sender + "|txDropped") != null) {
      drops.add(delta(senderScope.interfaces, sender + "|txDropped", sender + " TX dropped"));
    }
    return spec(
        "RX drops and MTUs: " + device + (peer == null ? "" : " and " + peerName),
        "MTU " + evidence.get("mtu") + " against the peer's " + evidence.get("peerMtu"),
        List.of(new Panel("packets " + per, drops), new Panel("MTU (bytes)", mtus)),
        g.windows(),
        List.of());
  }

  private ChartSpec nic(ScopeSamples s, CauseGroup g, Map<String, Object> evidence) {
    String device = str(evidence.get("device"), g.location());
    List<Line> lines = new ArrayList<>();
    for (String c :
        List.of(
            "rxFifo",
            "rxMissedErrors",
            "rxOverErrors",
            "rxErrors",
            "rxCrcErrors",
            "rxLengthErrors",
            "rxDropped")) {
      if (s.interfaces.series(device + "|" + c) != null) {
        lines.add(delta(s.interfaces, device + "|" + c, device + " " + c));
      }
    }
    return lines.isEmpty()
        ? null
        : spec(
            "NIC receive errors: " + device,
            null,
            List.of(new Panel("packets " + per, lines)),
            g.windows(),
            List.of());
  }

  private ChartSpec conntrack(ScopeSamples s, CauseGroup g) {
    if (s.conntrack.series("count") == null) {
      return null;
    }
    return spec(
        "Conntrack table: entries against nf_conntrack_max",
        null,
        List.of(
            new Panel(
                "entries",
                List.of(
                    gauge(s.conntrack, "count", "nf_conntrack_count", Style.LINE),
                    gauge(s.conntrack, "max", "nf_conntrack_max", Style.LIMIT))),
            new Panel(
                "packets " + per,
                List.of(
                    delta(s.conntrack, "stat.drop", "drop"),
                    delta(s.conntrack, "stat.early_drop", "early_drop"),
                    delta(s.conntrack, "stat.insert_failed", "insert_failed")))),
        g.windows(),
        List.of());
  }

  private ChartSpec protocol(ScopeSamples s, CauseGroup g, String title, List<String> counters) {
    List<Line> lines = new ArrayList<>();
    for (String c : counters) {
      if (s.protocol.series(c) != null) {
        lines.add(delta(s.protocol, c, c));
      }
    }
    return lines.isEmpty()
        ? null
        : spec(
            title + ": " + g.location(),
            null,
            List.of(new Panel("per " + per.substring(2), lines)),
            g.windows(),
            List.of());
  }

  private ChartSpec softnet(CauseGroup g) {
    ScopeSamples host = samples.scope(g.host(), "");
    if (host == null || host.softnet.series("dropped") == null) {
      return null;
    }
    return spec(
        "Softnet backlog drops (all CPUs)",
        null,
        List.of(
            new Panel(
                "per " + per.substring(2),
                List.of(
                    delta(host.softnet, "dropped", "backlog dropped"),
                    delta(host.softnet, "timeSqueeze", "time squeeze")))),
        g.windows(),
        List.of());
  }

  private ChartSpec memory(CauseGroup g) {
    ScopeSamples host = samples.scope(g.host(), "");
    String id = g.events().get(0).getContainer();
    if (id == null) {
      id = samples.containerId(g.host(), g.location());
    }
    if (host == null || id == null || host.containers.series(id + "|memoryUsage") == null) {
      return null;
    }
    Sampled c = host.containers;
    List<Line> lines = new ArrayList<>();
    lines.add(mib(c, id + "|memoryUsage", "memory usage", Style.LINE));
    lines.add(mib(c, id + "|memoryLimit", "memory limit", Style.LIMIT));
    if (c.series(id + "|maxHeap") != null) {
      lines.add(mib(c, id + "|maxHeap", "JVM heap ceiling (MaxHeapSize)", Style.LIMIT));
    }
    List<Marker> markers = new ArrayList<>();
    for (RangeSamples.Kill k : samples.kills(g.host())) {
      if (id.equals(k.containerId())
          || (k.containerId() != null && id.startsWith(k.containerId()))) {
        markers.add(
            new Marker(k.atMs(), "OOM kill: " + k.victim() + " (pid " + k.pid() + ")", "oom-kill"));
      }
    }
    if (markers.isEmpty()) {
      // No kernel record in the range: the cgroup's own oom_kill counter tells when.
      Series kills = c.series(id + "|oomKills");
      long[] t = c.times();
      for (int i = 1; kills != null && i < t.length; i++) {
        if (kills.at(t[i]) > kills.at(t[i - 1])) {
          markers.add(new Marker(t[i], "OOM kill (memory.events oom_kill)", "oom-kill"));
        }
      }
    }
    String name = samples.containerName(g.host(), id);
    return spec(
        "Container memory: " + (name == null ? g.location() : name),
        g.cause() + ", container " + id.substring(0, Math.min(12, id.length())),
        List.of(new Panel("MiB", lines)),
        g.windows(),
        markers);
  }

  private ChartSpec cpu(CauseGroup g) {
    ScopeSamples host = samples.scope(g.host(), "");
    String id = g.events().get(0).getContainer();
    if (id == null) {
      id = samples.containerId(g.host(), g.location());
    }
    if (host == null || id == null || host.containers.series(id + "|cpuPeriods") == null) {
      return null;
    }
    Sampled c = host.containers;
    long[] t = c.times();
    // CPU time is a counter of nanoseconds: per window, divided by the window, it is CPUs used.
    Line used = delta(c, id + "|cpuUsageNs", "CPU used");
    double[] cores = used.values().clone();
    for (int i = 0; i < cores.length; i++) {
      cores[i] = cores[i] / (windowMs * 1e6);
    }
    return spec(
        "CPU throttling: " + g.location(),
        "CFS quota " + quota(c.series(id + "|cpuQuotaCores")),
        List.of(
            new Panel(
                "periods " + per,
                List.of(
                    delta(c, id + "|cpuThrottled", "throttled periods"),
                    delta(c, id + "|cpuPeriods", "periods"))),
            new Panel(
                "CPUs",
                List.of(
                    new Line("CPU used", t, cores, Style.LINE),
                    gauge(c, id + "|cpuQuotaCores", "quota", Style.LIMIT)))),
        g.windows(),
        List.of());
  }

  private static String quota(Series s) {
    double q = s == null ? Double.NaN : s.max();
    return Double.isNaN(q) ? "none" : String.format(java.util.Locale.ROOT, "%.2f CPUs", q);
  }

  private ChartSpec symptoms(ScopeSamples s, List<Window> windows) {
    if (s == null || s.protocol.times().length == 0) {
      return null;
    }
    List<Line> lines = new ArrayList<>();
    for (String c :
        List.of(
            "Tcp.RetransSegs", "TcpExt.TCPSynRetrans", "TcpExt.TCPTimeouts", "Tcp.AttemptFails")) {
      if (s.protocol.series(c) != null) {
        lines.add(delta(s.protocol, c, c));
      }
    }
    return spec(
        "What TCP saw: retransmits, SYN retries, timeouts",
        null,
        List.of(new Panel("per " + per.substring(2), lines)),
        windows,
        List.of());
  }

  private ChartSpec probes(ScopeSamples s, List<Window> windows) {
    if (s == null || s.probes.times().length == 0) {
      return null;
    }
    List<Line> loss = new ArrayList<>();
    List<Line> rtt = new ArrayList<>();
    for (String name : s.probes.names("")) {
      String[] parts = name.split("\\|");
      if (parts[1].equals("loss")) {
        loss.add(gauge(s.probes, name, parts[0] + " loss", Style.LINE));
      } else if (parts[1].equals("rttAvg")) {
        rtt.add(gauge(s.probes, name, parts[0] + " RTT avg", Style.LINE));
      }
    }
    return spec(
        "Probes as the clients saw them: loss and RTT",
        null,
        List.of(new Panel("% lost", loss), new Panel("RTT (ms)", rtt)),
        windows,
        List.of());
  }

  private ChartSpec spec(
      String title,
      String subtitle,
      List<Panel> panels,
      List<Window> windows,
      List<Marker> markers) {
    return new ChartSpec(
        "chart-" + (++ids), title, subtitle, fromMs, toMs, panels, windows, markers);
  }

  /**
   * A counter as its increase per window: over the span from the last sample at least half a window
   * earlier, so that samples taken out of cadence (on an engine event, milliseconds apart) do not
   * turn one count into a spike. NaN across a counter reset.
   */
  Line delta(Sampled kind, String name, String label) {
    long[] t = kind.times();
    Series s = kind.series(name);
    double[] v = new double[t.length];
    int base = 0;
    for (int i = 0; i < t.length; i++) {
      while (base + 1 < i && t[i] - t[base + 1] >= windowMs / 2) {
        base++;
      }
      double d = i == 0 || s == null ? Double.NaN : s.at(t[i]) - s.at(t[base]);
      v[i] = d < 0 || i == 0 || t[i] == t[base] ? Double.NaN : d * windowMs / (t[i] - t[base]);
    }
    return new Line(label, t, v, Style.LINE);
  }

  static Line gauge(Sampled kind, String name, String label, Style style) {
    long[] t = kind.times();
    Series s = kind.series(name);
    double[] v = new double[t.length];
    for (int i = 0; i < t.length; i++) {
      v[i] = s == null ? Double.NaN : s.at(t[i]);
    }
    return new Line(label, t, v, style);
  }

  private static Line mib(Sampled kind, String name, String label, Style style) {
    Line l = gauge(kind, name, label, style);
    double[] v = l.values().clone();
    for (int i = 0; i < v.length; i++) {
      v[i] = v[i] / (1 << 20);
    }
    return new Line(label, l.times(), v, style);
  }

  /** Windows of several causes as the spans any of them covers, each shaded once. */
  static List<Window> union(List<Window> windows) {
    List<Window> out = new ArrayList<>();
    for (Window w : windows.stream().sorted(Comparator.comparingLong(Window::startMs)).toList()) {
      Window last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && w.startMs() <= last.endMs()) {
        out.set(
            out.size() - 1,
            new Window(last.startMs(), Math.max(last.endMs(), w.endMs()), "packet-loss causes"));
      } else {
        out.add(new Window(w.startMs(), w.endMs(), "packet-loss causes"));
      }
    }
    return out;
  }

  private static double sum(Line l) {
    double s = 0;
    for (double v : l.values()) {
      s += Double.isNaN(v) ? 0 : v;
    }
    return s;
  }

  private static String str(Object o, String fallback) {
    return o == null ? fallback : o.toString();
  }
}
