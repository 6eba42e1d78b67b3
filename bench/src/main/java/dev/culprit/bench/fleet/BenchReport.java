package dev.culprit.bench.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What the benchmark measured, rendered as Markdown for BENCHMARKS.md. */
public final class BenchReport {

  /**
   * A throughput measurement of one topology.
   *
   * @param processorCpuSeconds CPU time of the processor JVM while measuring
   * @param brokerCpuSeconds CPU time of the benchmark JVM (the broker, serving the topology's
   *     reads, writes and changelogs) while measuring
   */
  public record Throughput(
      String mode,
      long records,
      double seconds,
      double recordsPerSecond,
      double processorCpuSeconds,
      double brokerCpuSeconds,
      long peakRssKb) {

    /** Records per CPU second of processor and broker together. */
    public double recordsPerCpuSecond() {
      return records / Math.max(processorCpuSeconds + brokerCpuSeconds, 1e-3);
    }
  }

  /** One round: both topologies over the same preloaded records. */
  public record Round(Throughput passThrough, Throughput full) {
    /** Wall-clock throughput ratio. */
    public double ratio() {
      return full.recordsPerSecond() / passThrough.recordsPerSecond();
    }

    /** Throughput per CPU second ratio: less sensitive to other load on the machine. */
    public double cpuRatio() {
      return full.recordsPerCpuSecond() / passThrough.recordsPerCpuSecond();
    }
  }

  /** The real-time phase. */
  public record Realtime(
      long produced,
      double producedPerSecond,
      int events,
      long p50Ms,
      long p99Ms,
      long maxMs,
      long maxLagRecords,
      long lagAtEndRecords,
      long peakRssKb) {}

  private final FleetBench.Options options;
  private final int faultyHosts;
  private final List<Round> rounds = new ArrayList<>();
  private long preloaded;
  private double preloadSeconds;
  private Realtime realtime;

  BenchReport(FleetBench.Options options, int faultyHosts) {
    this.options = options;
    this.faultyHosts = faultyHosts;
  }

  void preloaded(long records, double seconds) {
    this.preloaded = records;
    this.preloadSeconds = seconds;
  }

  void round(Throughput passThrough, Throughput full) {
    rounds.add(new Round(passThrough, full));
  }

  void realtime(Realtime r) {
    this.realtime = r;
  }

  public List<Round> rounds() {
    return List.copyOf(rounds);
  }

  public Realtime realtime() {
    return realtime;
  }

  /** The median over rounds of full-topology rate / pass-through rate. */
  public double medianRatio() {
    return median(rounds.stream().map(Round::ratio).toList());
  }

  /** The median over rounds of the records-per-CPU-second ratio. */
  public double medianCpuRatio() {
    return median(rounds.stream().map(Round::cpuRatio).toList());
  }

  /** The median full-topology rate, records/s. */
  public double medianFullRate() {
    return median(rounds.stream().map(r -> r.full().recordsPerSecond()).toList());
  }

  /** Samples per second a fleet needs: hosts × namespaces × 5 sources / interval. */
  public double requiredPerSecond(int hosts, int namespaces) {
    return hosts * namespaces * 5.0 / (options.fleet().interval().toMillis() / 1000.0);
  }

  public String toMarkdown() {
    FleetGenerator.Options f = options.fleet();
    StringBuilder md = new StringBuilder();
    md.append(
        String.format(
            Locale.ROOT,
            "Fleet: %d hosts × %d namespaces, interval %d s, %d faulty hosts; %d records"
                + " preloaded in %.1f s. Processor JVMs: -Xmx%s, Streams overrides: %s.%n%n",
            f.hosts(),
            f.namespaces(),
            f.interval().toSeconds(),
            faultyHosts,
            preloaded,
            preloadSeconds,
            options.heap(),
            options.streamsOverrides().isBlank() ? "none" : options.streamsOverrides()));
    md.append(
        "| round | topology | records | seconds | records/s | CPU s processor + broker |"
            + " records/CPU s | peak RSS (MB) | full / pass (wall, CPU) |\n");
    md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < rounds.size(); i++) {
      Round r = rounds.get(i);
      md.append(row(i + 1, r.passThrough(), ""));
      md.append(
          row(
              i + 1,
              r.full(),
              String.format(Locale.ROOT, "%.0f %%, %.0f %%", r.ratio() * 100, r.cpuRatio() * 100)));
    }
    double required = requiredPerSecond(10_000, 3);
    md.append(
        String.format(
            Locale.ROOT,
            "%nMedian full / pass-through: **%.0f %%** wall clock, **%.0f %%** per CPU second."
                + " Real time for 10,000 hosts × 3 namespaces at 10 s needs %.0f samples/s; the"
                + " median full rate is %.2f× that.%n",
            medianRatio() * 100,
            medianCpuRatio() * 100,
            required,
            medianFullRate() / required));
    if (realtime != null) {
      md.append(
          String.format(
              Locale.ROOT,
              "%nReal time (%d s): %d samples produced at %.0f/s, %d causes; latency sample →"
                  + " readable cause p50 %d ms, p99 %d ms, max %d ms (goal p99 ≤ %d ms); lag max"
                  + " %d records, %d at end; processor peak RSS %d MB.%n",
              options.realtime().toSeconds(),
              realtime.produced(),
              realtime.producedPerSecond(),
              realtime.events(),
              realtime.p50Ms(),
              realtime.p99Ms(),
              realtime.maxMs(),
              f.interval().toMillis() + 2_000 + 2_000,
              realtime.maxLagRecords(),
              realtime.lagAtEndRecords(),
              realtime.peakRssKb() / 1024));
    }
    return md.toString();
  }

  private static String row(int round, Throughput t, String ratio) {
    return String.format(
        Locale.ROOT,
        "| %d | %s | %d | %.1f | %.0f | %.1f + %.1f | %.0f | %d | %s |%n",
        round,
        t.mode(),
        t.records(),
        t.seconds(),
        t.recordsPerSecond(),
        t.processorCpuSeconds(),
        t.brokerCpuSeconds(),
        t.recordsPerCpuSecond(),
        t.peakRssKb() / 1024,
        ratio);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int n = sorted.size();
    return n == 0
        ? Double.NaN
        : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
