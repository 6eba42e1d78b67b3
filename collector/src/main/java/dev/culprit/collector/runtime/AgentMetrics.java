package dev.culprit.collector.runtime;

import dev.culprit.collector.publish.Publisher;
import dev.culprit.collector.publish.PublisherStats;
import dev.culprit.collector.records.CollectorHealth;
import dev.culprit.collector.records.SourceState;
import dev.culprit.collector.records.SourceStatus;
import dev.culprit.collector.spi.Sample;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The agent's own metrics in Prometheus' text exposition format (version 0.0.4), from what it
 * already reports in {@code culprit.samples.collector}: a publisher that watches each cycle's
 * health record on its way to the real publisher, and reads the spool's counters live at scrape
 * time.
 *
 * <p>Written by hand rather than with a metrics library: the agent's memory budget (64 MiB RSS) has
 * no room for one, and the format is a few lines of text (BENCHMARKS.md, Collector metrics).
 * Per-source series follow node_exporter's {@code node_scrape_collector_success} and {@code
 * node_scrape_collector_duration_seconds}.
 */
public final class AgentMetrics implements Publisher {

  private final Publisher delegate;
  private final Duration interval;
  private volatile CollectorHealth last;
  private volatile long cycles;
  private volatile long overruns;
  private volatile long skipped;
  private long lastTickMs = Long.MIN_VALUE;

  /**
   * @param delegate the publisher that delivers the records
   * @param interval the collector's interval: a cycle that takes longer overran it
   */
  public AgentMetrics(Publisher delegate, Duration interval) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.interval = Objects.requireNonNull(interval, "interval");
  }

  @Override
  public void publish(List<Sample> samples) {
    watch(samples);
    delegate.publish(samples);
  }

  /** The delegate's cycle, its health record watched on the way. */
  @Override
  public Cycle startCycle() {
    Cycle cycle = delegate.startCycle();
    return new Cycle() {
      @Override
      public void add(List<Sample> samples) {
        cycle.add(samples);
      }

      @Override
      public void publish(List<Sample> last) {
        watch(last);
        cycle.publish(last);
      }

      @Override
      public void abandon() {
        cycle.abandon();
      }
    };
  }

  /**
   * Counts the cycles, overruns and skipped ticks the health records among {@code samples} tell.
   */
  private void watch(List<Sample> samples) {
    for (Sample s : samples) {
      if (s.value() instanceof CollectorHealth h) {
        last = h;
        cycles++;
        if (h.getCycleDurationUs() > interval.toNanos() / 1000) {
          overruns++;
        }
        // A cycle cut off at its deadline stays under the interval, yet when publishing it ends
        // past the next tick the loop skips that tick: only the gap between ticks shows it.
        long tick = h.getSampleTimeMs();
        long intervalMs = interval.toMillis();
        if (lastTickMs != Long.MIN_VALUE && tick > lastTickMs && intervalMs > 0) {
          skipped += CycleSchedule.missedTicks(lastTickMs, tick, intervalMs);
        }
        lastTickMs = Math.max(lastTickMs, tick);
      }
    }
  }

  @Override
  public PublisherStats stats() {
    return delegate.stats();
  }

  @Override
  public boolean flush(Duration timeout) throws InterruptedException {
    return delegate.flush(timeout);
  }

  @Override
  public void close() {
    delegate.close();
  }

  /** The exposition text of now. */
  public String scrape() {
    StringBuilder out = new StringBuilder(4096);
    CollectorHealth h = last;
    if (h != null) {
      header(
          out,
          "culprit_collector_source_success",
          "gauge",
          "Whether the source's last call in this namespace succeeded (OK or NO_DATA: 1).");
      for (SourceStatus s : h.getSources()) {
        if (s.getStatus() == SourceState.SKIPPED) {
          continue;
        }
        boolean ok = s.getStatus() == SourceState.OK || s.getStatus() == SourceState.NO_DATA;
        sourceSample(out, "culprit_collector_source_success", s, ok ? "1" : "0");
      }
      header(
          out,
          "culprit_collector_source_duration_seconds",
          "gauge",
          "How long the source's last call in this namespace took.");
      for (SourceStatus s : h.getSources()) {
        if (s.getStatus() != SourceState.SKIPPED) {
          sourceSample(
              out, "culprit_collector_source_duration_seconds", s, seconds(s.getDurationUs()));
        }
      }
      header(
          out,
          "culprit_collector_cycle_duration_seconds",
          "gauge",
          "How long the last cycle took until its records were complete.");
      out.append("culprit_collector_cycle_duration_seconds ")
          .append(seconds(h.getCycleDurationUs()))
          .append('\n');
      header(
          out,
          "culprit_collector_last_cycle_timestamp_seconds",
          "gauge",
          "Sample time of the last cycle.");
      out.append("culprit_collector_last_cycle_timestamp_seconds ")
          .append(seconds(h.getSampleTimeMs() * 1000))
          .append('\n');
    }
    counter(out, "culprit_collector_cycles_total", "Cycles run.", cycles);
    counter(
        out,
        "culprit_collector_cycle_overruns_total",
        "Cycles that took longer than the interval.",
        overruns);
    counter(
        out,
        "culprit_collector_skipped_cycles_total",
        "Cycles not run because the cycle before them was still running at their start.",
        skipped);
    PublisherStats p = delegate.stats();
    gauge(
        out,
        "culprit_collector_spool_records",
        "Records waiting for the broker's acknowledgement.",
        p.spooledRecords());
    gauge(
        out,
        "culprit_collector_spool_bytes",
        "Bytes of those records in the spool.",
        p.spooledBytes());
    counter(
        out,
        "culprit_collector_spool_dropped_records_total",
        "Undelivered records dropped, oldest first, because the spool was full.",
        p.spoolDroppedRecords());
    counter(
        out,
        "culprit_collector_spool_corrupt_records_total",
        "Spool records skipped because they were corrupt on disk.",
        p.spoolCorruptRecords());
    counter(
        out,
        "culprit_collector_publish_errors_total",
        "Delivery attempts (records) that failed and are retried from the spool.",
        p.sendErrors());
    counter(
        out,
        "culprit_collector_refused_records_total",
        "Records that can never be delivered (cannot be encoded, too large).",
        p.rejectedRecords());
    counter(
        out,
        "culprit_collector_timestamp_refused_records_total",
        "Records the broker refused for their timestamp (the host's clock is off), dropped; part"
            + " of the refused records.",
        p.timestampRefusedRecords());
    counter(
        out,
        "culprit_collector_spool_expired_records_total",
        "Spooled records dropped unsent because they were older than --spool-max-age.",
        p.spoolExpiredRecords());
    counter(
        out,
        "culprit_collector_kafka_connections_total",
        "TCP connections opened to brokers: one per broker, then one per reconnect (a request"
            + " timed out or a connection was lost).",
        p.connectionsOpened());
    return out.toString();
  }

  private static void sourceSample(StringBuilder out, String name, SourceStatus s, String value) {
    out.append(name)
        .append("{source=\"")
        .append(escape(s.getSource()))
        .append("\",netns=\"")
        .append(escape(s.getNetns()))
        .append("\"} ")
        .append(value)
        .append('\n');
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    header(out, name, "counter", help);
    out.append(name).append(' ').append(value).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    header(out, name, "gauge", help);
    out.append(name).append(' ').append(value).append('\n');
  }

  private static String seconds(long micros) {
    return String.format(Locale.ROOT, "%.6f", micros / 1e6);
  }

  /** Label values as the format asks: backslash, double quote and newline escaped. */
  static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
