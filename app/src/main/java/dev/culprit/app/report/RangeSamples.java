package dev.culprit.app.report;

import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.ConntrackSample;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.JvmInfo;
import dev.culprit.schemas.KernelOomSample;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.SoftnetCpu;
import dev.culprit.schemas.SoftnetSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The counters of a replayed range that a report may chart, kept per host and namespace as they are
 * read, since which of them prove a cause is only known once the replay has judged the windows.
 *
 * <p>Memory stays proportional to what changed rather than to what was sampled: a series keeps a
 * point only where its value differs from the one before, and the times of the samples of its kind
 * are kept once for the whole namespace ({@link Sampled}). A host with hundreds of veths whose drop
 * counters stay put costs a few points per veth. Only what a chart of a cause uses is kept:
 * dropping firewall rules (DROP/REJECT targets and policies), not every ACCEPT rule of a kube-proxy
 * host; not the packet and byte counters that grow every cycle.
 */
public final class RangeSamples {

  /** A host and namespace ("" = the host's own; containers are kept under "" by id). */
  public record Scope(String host, String netns) implements Comparable<Scope> {
    @Override
    public int compareTo(Scope o) {
      int c = host.compareTo(o.host);
      return c != 0 ? c : netns.compareTo(o.netns);
    }
  }

  /** An OOM kill as the kernel logged it. */
  public record Kill(long atMs, String containerId, String victim, int pid) {}

  /** A series of values that keeps only its changes; read back at any of the sampled times. */
  public static final class Series {
    private long[] t = new long[4];
    private double[] v = new double[4];
    private int n;

    void add(long timeMs, double value) {
      if (n > 0 && (v[n - 1] == value || (Double.isNaN(v[n - 1]) && Double.isNaN(value)))) {
        return;
      }
      if (n == t.length) {
        t = Arrays.copyOf(t, n * 2);
        v = Arrays.copyOf(v, n * 2);
      }
      t[n] = timeMs;
      v[n] = value;
      n++;
    }

    /** The value at {@code timeMs}: the last change at or before it, NaN before the first. */
    public double at(long timeMs) {
      int i = Arrays.binarySearch(t, 0, n, timeMs);
      if (i < 0) {
        i = -i - 2;
      }
      return i < 0 ? Double.NaN : v[i];
    }

    public boolean isEmpty() {
      return n == 0;
    }

    /** The largest value the series took. */
    public double max() {
      double m = Double.NaN;
      for (int i = 0; i < n; i++) {
        if (!Double.isNaN(v[i]) && (Double.isNaN(m) || v[i] > m)) {
          m = v[i];
        }
      }
      return m;
    }
  }

  /** The sample times of one kind in one scope, and its series by name. */
  public static final class Sampled {
    private long[] times = new long[8];
    private int n;
    private final Map<String, Series> series = new TreeMap<>();
    private final Map<String, String> labels = new HashMap<>();

    void time(long timeMs) {
      if (n > 0 && times[n - 1] == timeMs) {
        return;
      }
      if (n == times.length) {
        times = Arrays.copyOf(times, n * 2);
      }
      times[n++] = timeMs;
    }

    void put(String name, long timeMs, Long value) {
      series
          .computeIfAbsent(name, k -> new Series())
          .add(timeMs, value == null ? Double.NaN : value);
    }

    void put(String name, long timeMs, double value) {
      series.computeIfAbsent(name, k -> new Series()).add(timeMs, value);
    }

    /** The sample times, in order. */
    public long[] times() {
      return Arrays.copyOf(times, n);
    }

    public Series series(String name) {
      return series.get(name);
    }

    /** Names of the series whose name starts with {@code prefix}. */
    public List<String> names(String prefix) {
      return series.keySet().stream().filter(k -> k.startsWith(prefix)).toList();
    }

    /** A setting or description that goes with a series (a rule's spec, a qdisc's options). */
    public String label(String name) {
      return labels.get(name);
    }
  }

  /** What was sampled of one scope, by kind. */
  public static final class ScopeSamples {
    public final Sampled interfaces = new Sampled();
    public final Sampled protocol = new Sampled();
    public final Sampled conntrack = new Sampled();
    public final Sampled qdiscs = new Sampled();
    public final Sampled filter = new Sampled();
    public final Sampled probes = new Sampled();
    public final Sampled softnet = new Sampled();

    /** Containers by id; their series are prefixed by the id. */
    public final Sampled containers = new Sampled();
  }

  /** The host's first and last sample of the range and the silences in between. */
  public static final class HostSeen {
    public long firstMs = Long.MAX_VALUE;
    public long lastMs = Long.MIN_VALUE;
    public long samples;

    /** Silences longer than the gap threshold, as [start, end] pairs. */
    public final List<long[]> gaps = new ArrayList<>();
  }

  /** Protocol counters charted as the symptoms of packet loss and of the socket-level causes. */
  static final List<String> PROTOCOL_COUNTERS =
      List.of(
          "Tcp.RetransSegs",
          "TcpExt.TCPSynRetrans",
          "TcpExt.TCPTimeouts",
          "Tcp.AttemptFails",
          "TcpExt.ListenOverflows",
          "TcpExt.ListenDrops",
          "Udp.RcvbufErrors",
          "Udp.InErrors",
          "TcpExt.IPReversePathFilter");

  private final long gapMs;
  private final Map<Scope, ScopeSamples> scopes = new TreeMap<>();
  private final Map<String, HostSeen> hosts = new TreeMap<>();
  private final Map<String, List<Kill>> kills = new TreeMap<>();
  private final Map<String, String> containerNames = new HashMap<>();

  /**
   * @param gapMs a host silent for longer than this inside the range is reported as a gap
   */
  public RangeSamples(long gapMs) {
    this.gapMs = gapMs;
  }

  /** A host silent for longer than this inside the range had a gap. */
  public long gapMs() {
    return gapMs;
  }

  public Map<Scope, ScopeSamples> scopes() {
    return scopes;
  }

  public ScopeSamples scope(String host, String netns) {
    return scopes.get(new Scope(host, netns));
  }

  public Map<String, HostSeen> hosts() {
    return hosts;
  }

  public List<Kill> kills(String host) {
    return kills.getOrDefault(host, List.of());
  }

  /** The name the engine gave container {@code id}, or null. */
  public String containerName(String host, String id) {
    return containerNames.get(host + "\n" + id);
  }

  /** The id of the container named {@code name} on {@code host}, or null. */
  public String containerId(String host, String name) {
    for (var e : containerNames.entrySet()) {
      if (e.getKey().startsWith(host + "\n") && name.equals(e.getValue())) {
        return e.getKey().substring(host.length() + 1);
      }
    }
    return null;
  }

  /** Takes one decoded sample of the range, in timestamp order; other records are ignored. */
  public void accept(String host, long timestampMs, Object sample) {
    seen(host, timestampMs);
    if (sample instanceof InterfaceSample s) {
      interfaces(host, s);
    } else if (sample instanceof ProtocolSample s) {
      Sampled p = scope(host, s.getNetns(), true).protocol;
      long t = s.getSampleTimeMs();
      p.time(t);
      for (String c : PROTOCOL_COUNTERS) {
        p.put(c, t, s.getCounters().get(c));
      }
    } else if (sample instanceof ConntrackSample s) {
      if (Boolean.TRUE.equals(s.getAvailable())) {
        Sampled c = scope(host, s.getNetns(), true).conntrack;
        long t = s.getSampleTimeMs();
        c.time(t);
        c.put("count", t, s.getCount());
        c.put("max", t, s.getMax());
        for (String stat : List.of("drop", "early_drop", "insert_failed")) {
          c.put("stat." + stat, t, s.getStats().get(stat));
        }
      }
    } else if (sample instanceof QdiscSample s) {
      qdiscs(host, s);
    } else if (sample instanceof FilterSample s) {
      filter(host, s);
    } else if (sample instanceof ProbeSample s) {
      Sampled p = scope(host, s.getNetns(), true).probes;
      long t = s.getSampleTimeMs();
      p.time(t);
      String target = s.getTargetAddress() + ":" + s.getTargetPort();
      double lost =
          s.getSent() == 0 ? Double.NaN : 100.0 * (s.getSent() - s.getAnswered()) / s.getSent();
      p.put(target + "|loss", t, lost);
      p.put(target + "|rttAvg", t, s.getRttAvgMs() == null ? Double.NaN : s.getRttAvgMs());
      p.put(target + "|rttMax", t, s.getRttMaxMs() == null ? Double.NaN : s.getRttMaxMs());
    } else if (sample instanceof SoftnetSample s) {
      Sampled p = scope(host, s.getNetns(), true).softnet;
      long t = s.getSampleTimeMs();
      p.time(t);
      long dropped = 0;
      long squeezed = 0;
      for (SoftnetCpu cpu : s.getCpus()) {
        dropped += cpu.getDropped() == null ? 0 : cpu.getDropped();
        squeezed += cpu.getTimeSqueeze() == null ? 0 : cpu.getTimeSqueeze();
      }
      p.put("dropped", t, dropped);
      p.put("timeSqueeze", t, squeezed);
    } else if (sample instanceof ContainerSample s) {
      containers(host, s);
    } else if (sample instanceof KernelOomSample s) {
      kills
          .computeIfAbsent(host, h -> new ArrayList<>())
          .add(
              new Kill(s.getKillTimeMs(), s.getContainerId(), s.getVictimName(), s.getVictimPid()));
    }
  }

  private void seen(String host, long t) {
    HostSeen h = hosts.computeIfAbsent(host, k -> new HostSeen());
    if (h.samples > 0 && t - h.lastMs > gapMs) {
      h.gaps.add(new long[] {h.lastMs, t});
    }
    h.firstMs = Math.min(h.firstMs, t);
    h.lastMs = Math.max(h.lastMs, t);
    h.samples++;
  }

  private ScopeSamples scope(String host, String netns, boolean create) {
    Scope key = new Scope(host, netns == null ? "" : netns);
    return create ? scopes.computeIfAbsent(key, k -> new ScopeSamples()) : scopes.get(key);
  }

  private void interfaces(String host, InterfaceSample s) {
    Sampled p = scope(host, s.getNetns(), true).interfaces;
    long t = s.getSampleTimeMs();
    p.time(t);
    for (InterfaceStats i : s.getInterfaces()) {
      String d = i.getName() + "|";
      p.put(d + "mtu", t, i.getMtu() == null ? null : (long) i.getMtu());
      p.put(d + "rxDropped", t, i.getRxDropped());
      p.put(d + "rxErrors", t, i.getRxErrors());
      p.put(d + "rxFifo", t, i.getRxFifo());
      p.put(d + "rxMissedErrors", t, i.getRxMissedErrors());
      p.put(d + "rxOverErrors", t, i.getRxOverErrors());
      p.put(d + "rxLengthErrors", t, i.getRxLengthErrors());
      p.put(d + "rxCrcErrors", t, i.getRxCrcErrors());
      p.put(d + "txDropped", t, i.getTxDropped());
    }
  }

  private void qdiscs(String host, QdiscSample s) {
    Sampled p = scope(host, s.getNetns(), true).qdiscs;
    long t = s.getSampleTimeMs();
    p.time(t);
    for (QdiscStats q : s.getQdiscs()) {
      String key = q.getDevice() + " " + q.getKind() + " " + q.getHandle() + "|";
      p.put(key + "drops", t, q.getDrops());
      p.put(key + "packets", t, q.getPackets());
      p.put(key + "overlimits", t, q.getOverlimits());
      StringBuilder settings = new StringBuilder(q.getKind());
      new TreeMap<>(q.getOptions())
          .forEach((k, v) -> settings.append(' ').append(k).append(' ').append(v));
      p.labels.put(key + "drops", settings.toString());
    }
  }

  private void filter(String host, FilterSample s) {
    Sampled p = scope(host, s.getNetns(), true).filter;
    long t = s.getSampleTimeMs();
    p.time(t);
    for (FirewallRule r : s.getRules()) {
      String target = r.getTarget() == null ? "" : r.getTarget().toUpperCase(Locale.ROOT);
      if (!target.equals("DROP") && !target.equals("REJECT")) {
        continue;
      }
      String key =
          "rule|"
              + r.getTable()
              + " "
              + r.getChain()
              + " rule "
              + r.getPosition()
              + "|"
              + r.getFamily();
      p.put(key, t, r.getPackets());
      p.labels.put(
          key,
          // nft rules keep their comment out of the spec; iptables-save prints it in it.
          r.getComment() == null || r.getSpec().contains(r.getComment())
              ? r.getSpec()
              : r.getSpec() + "  /* " + r.getComment() + " */");
    }
    for (ChainPolicy c : s.getPolicies()) {
      if ("DROP".equalsIgnoreCase(c.getPolicy())) {
        String key = "policy|" + c.getTable() + " " + c.getChain() + " policy|" + c.getFamily();
        p.put(key, t, c.getPackets());
        p.labels.put(key, c.getTable() + " " + c.getChain() + " policy DROP");
      }
    }
  }

  private void containers(String host, ContainerSample s) {
    Sampled p = scope(host, "", true).containers;
    long t = s.getSampleTimeMs();
    p.time(t);
    for (ContainerStats c : s.getContainers()) {
      if (c.getName() != null) {
        containerNames.put(host + "\n" + c.getId(), c.getName());
      }
      String k = c.getId() + "|";
      p.put(k + "memoryUsage", t, c.getMemoryUsageBytes());
      p.put(k + "memoryLimit", t, c.getMemoryLimitBytes());
      long heap = -1;
      for (JvmInfo j : c.getJvms()) {
        if (j.getMaxHeapBytes() != null) {
          heap = Math.max(heap, j.getMaxHeapBytes());
        }
      }
      if (heap >= 0 || !p.names(k + "maxHeap").isEmpty()) {
        // A JVM that died with its container leaves its last heap ceiling on the chart.
        p.put(k + "maxHeap", t, heap >= 0 ? heap : p.series(k + "maxHeap").at(t));
      }
      p.put(k + "oomKills", t, c.getOomKillCount());
      p.put(k + "cpuPeriods", t, c.getCpuPeriods());
      p.put(k + "cpuThrottled", t, c.getCpuThrottledPeriods());
      p.put(k + "cpuUsageNs", t, c.getCpuUsageNs());
      p.put(
          k + "cpuQuotaCores",
          t,
          c.getCpuQuotaUs() == null || c.getCpuPeriodUs() == null || c.getCpuPeriodUs() == 0
              ? Double.NaN
              : (double) c.getCpuQuotaUs() / c.getCpuPeriodUs());
    }
  }

  /** Every host that sent anything, in order. */
  public TreeSet<String> hostNames() {
    return new TreeSet<>(hosts.keySet());
  }
}
