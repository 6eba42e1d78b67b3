package dev.culprit.processor.bench;

import java.util.Locale;

/** What the benchmark measured, rendered as Markdown for BENCHMARKS.md. */
public final class BenchReport {

  /** A throughput measurement of one topology. */
  public record Throughput(
      String mode, long records, double seconds, double recordsPerSecond, long peakRssKb) {}

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
  private long preloaded;
  private double preloadSeconds;
  private Throughput passThrough;
  private Throughput full;
  private Realtime realtime;

  BenchReport(FleetBench.Options options, int faultyHosts) {
    this.options = options;
    this.faultyHosts = faultyHosts;
  }

  void preloaded(long records, double seconds) {
    this.preloaded = records;
    this.preloadSeconds = seconds;
  }

  void passThrough(Throughput t) {
    this.passThrough = t;
  }

  void full(Throughput t) {
    this.full = t;
  }

  void realtime(Realtime r) {
    this.realtime = r;
  }

  public Throughput passThrough() {
    return passThrough;
  }

  public Throughput full() {
    return full;
  }

  public Realtime realtime() {
    return realtime;
  }

  /** Full-topology rate over pass-through rate, measured in the same run. */
  public double ratio() {
    return full.recordsPerSecond() / passThrough.recordsPerSecond();
  }

  /** Samples per second a fleet of this shape needs: hosts × namespaces × 5 / interval. */
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
    md.append("| topology | records | seconds | records/s | peak RSS (MB) |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (Throughput t : new Throughput[] {passThrough, full}) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %.1f | %.0f | %d |%n",
              t.mode(),
              t.records(),
              t.seconds(),
              t.recordsPerSecond(),
              t.peakRssKb() / 1024));
    }
    md.append(
        String.format(
            Locale.ROOT,
            "%nFull / pass-through: **%.0f %%**. Real time for 10,000 hosts × 3 namespaces at"
                + " 10 s needs %.0f samples/s: the full topology sustains %.1f× that.%n",
            ratio() * 100,
            requiredPerSecond(10_000, 3),
            full.recordsPerSecond() / requiredPerSecond(10_000, 3)));
    if (realtime != null) {
      md.append(
          String.format(
              Locale.ROOT,
              "%nReal time (%d s): %d samples produced (%.0f/s), %d causes; latency sample →"
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
}
