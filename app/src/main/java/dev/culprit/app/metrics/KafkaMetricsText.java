package dev.culprit.app.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Kafka's client and Streams metrics in Prometheus' text format: {@code kafka_<group>_<name>} with
 * the metric's tags as labels, every numeric value as an untyped sample (Kafka does not say which
 * are counters). Records in ({@code process-total}), late and dropped records ({@code
 * dropped-records-total}), commit and punctuation latencies and window-store metrics all come out
 * this way.
 */
public final class KafkaMetricsText {

  private static final Pattern INVALID = Pattern.compile("[^a-zA-Z0-9_]");

  private KafkaMetricsText() {}

  /** The exposition of every numeric metric, grouped by series name, sorted. */
  public static String render(Map<MetricName, ? extends Metric> metrics) {
    Map<String, List<String>> byName = new TreeMap<>();
    Map<String, String> help = new TreeMap<>();
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      Object value;
      try {
        value = e.getValue().metricValue();
      } catch (RuntimeException ex) {
        continue; // a metric whose owner just closed
      }
      if (!(value instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        continue;
      }
      MetricName m = e.getKey();
      String name = sanitize("kafka_" + m.group() + "_" + m.name());
      double v = n.doubleValue();
      String inSeconds = inSeconds(name);
      if (!inSeconds.equals(name)) {
        v *= scaleToSeconds(name);
        name = inSeconds;
      }
      // promtool wants help on every metric; Kafka leaves some (request latencies) without.
      String description =
          m.description() == null || m.description().isBlank()
              ? "Kafka metric " + m.name() + " of group " + m.group() + "."
              : m.description();
      help.merge(name, description, (a, b) -> a.startsWith("Kafka metric ") ? b : a);
      StringBuilder line = new StringBuilder(name);
      if (!m.tags().isEmpty()) {
        line.append('{');
        String sep = "";
        for (Map.Entry<String, String> t : new TreeMap<>(m.tags()).entrySet()) {
          line.append(sep)
              .append(sanitize(t.getKey()))
              .append("=\"")
              .append(escape(t.getValue()))
              .append('"');
          sep = ",";
        }
        line.append('}');
      }
      line.append(' ').append(format(v));
      byName.computeIfAbsent(name, k -> new ArrayList<>()).add(line.toString());
    }
    StringBuilder out = new StringBuilder(byName.size() * 200);
    for (Map.Entry<String, List<String>> e : byName.entrySet()) {
      out.append("# HELP ")
          .append(e.getKey())
          .append(' ')
          .append(escapeHelp(help.get(e.getKey())))
          .append('\n');
      out.append("# TYPE ").append(e.getKey()).append(" untyped\n");
      e.getValue().stream().sorted().forEach(l -> out.append(l).append('\n'));
    }
    return out.toString();
  }

  /**
   * The name with a trailing or inner unit word {@code ms}, {@code us} or {@code ns} (Kafka's
   * {@code io-wait-time-ns-avg}, {@code oldest-iterator-open-since-ms}) replaced by {@code
   * seconds}, the unit Prometheus names are in; the same string when it has none.
   */
  static String inSeconds(String name) {
    for (String unit : UNITS) {
      String inner = "_" + unit + "_";
      int i = name.indexOf(inner);
      if (i >= 0) {
        return name.substring(0, i) + "_seconds_" + name.substring(i + inner.length());
      }
      if (name.endsWith("_" + unit)) {
        return name.substring(0, name.length() - unit.length()) + "seconds";
      }
    }
    return name;
  }

  private static final String[] UNITS = {"ms", "us", "ns"};

  private static double scaleToSeconds(String name) {
    if (name.contains("_ms_") || name.endsWith("_ms")) {
      return 1e-3;
    }
    if (name.contains("_us_") || name.endsWith("_us")) {
      return 1e-6;
    }
    return 1e-9;
  }

  static String sanitize(String name) {
    String s = INVALID.matcher(name).replaceAll("_");
    return Character.isDigit(s.charAt(0)) ? "_" + s : s;
  }

  private static String escape(String v) {
    return v == null ? "" : v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String escapeHelp(String v) {
    return v.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String format(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? Long.toString((long) v)
        : String.format(Locale.ROOT, "%s", v);
  }
}
