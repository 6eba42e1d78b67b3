package dev.culprit.app.metrics;

import dev.culprit.processor.ProcessorMetrics;
import dev.culprit.schemas.Cause;
import java.util.Locale;
import java.util.Map;

/**
 * The processor's own counts ({@link ProcessorMetrics}) in Prometheus' text format, as {@code
 * culprit_processor_*} counters and gauges. Served before Kafka Streams' metrics ({@link
 * KafkaMetricsText}) on the same endpoint.
 */
public final class ProcessorMetricsText {

  private ProcessorMetricsText() {}

  /** The processor's metrics followed by Kafka Streams' own, the text of one scrape. */
  public static String render(
      ProcessorMetrics metrics,
      Map<org.apache.kafka.common.MetricName, ? extends org.apache.kafka.common.Metric> kafka) {
    return render(metrics) + KafkaMetricsText.render(kafka);
  }

  /** The processor's own metrics. */
  public static String render(ProcessorMetrics m) {
    StringBuilder out = new StringBuilder(4096);
    labelled(
        out,
        "culprit_processor_records_in_total",
        "Records consumed from each sample topic, decodable or not.",
        "topic",
        m.recordsIn());
    labelled(
        out,
        "culprit_processor_records_late_total",
        "Samples of each kind dropped by the host windows as later than the grace period, and"
            + " fleet votes (kind fleet-vote) later than the host silence.",
        "kind",
        m.late());
    labelled(
        out,
        "culprit_processor_dead_letters_total",
        "Records and rule runs sent to culprit.deadletter, by stage (decode, validate, clock-skew,"
            + " rules, oom-join, oom-deadline, process).",
        "reason",
        m.deadLetters());
    header(
        out,
        "culprit_processor_causes_emitted_total",
        "Root causes published to culprit.rootcause.packet-loss and culprit.rootcause.oom, by cause.",
        "counter");
    for (Map.Entry<Cause, Long> e : m.causesEmitted().entrySet()) {
      out.append("culprit_processor_causes_emitted_total{cause=\"")
          .append(e.getKey().name())
          .append("\"} ")
          .append(e.getValue())
          .append('\n');
    }
    header(
        out,
        "culprit_processor_windows_closed_total",
        "Host windows closed and judged by the packet-loss rules.",
        "counter");
    out.append("culprit_processor_windows_closed_total ").append(m.windowsClosed()).append('\n');
    if (m.windowsClosed() > 0) {
      gauge(
          out,
          "culprit_processor_window_close_lag_seconds",
          "Wall-clock time from the end of the last judged host window to its judgement: the grace"
              + " period plus however far the processor is behind.",
          m.lastCloseLagMs());
      gauge(
          out,
          "culprit_processor_window_close_lag_max_seconds",
          "The largest window close lag since the processor started.",
          m.maxCloseLagMs());
    }
    return out.toString();
  }

  private static void labelled(
      StringBuilder out, String name, String help, String label, Map<String, Long> values) {
    header(out, name, help, "counter");
    values.forEach(
        (k, v) ->
            out.append(name)
                .append('{')
                .append(label)
                .append("=\"")
                .append(escape(k))
                .append("\"} ")
                .append(v)
                .append('\n'));
  }

  private static void gauge(StringBuilder out, String name, String help, long ms) {
    header(out, name, help, "gauge");
    out.append(name).append(' ').append(String.format(Locale.ROOT, "%.3f", ms / 1000.0));
    out.append('\n');
  }

  private static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static String escape(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
