package dev.culprit.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Rate;
import org.junit.jupiter.api.Test;

/** Kafka's own metrics registry rendered for Prometheus, checked by promtool. */
class KafkaMetricsTextTest {

  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @Test
  void rendersKafkaMetricsAsTextThatPromtoolAcceptsAndValuesMove() throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "skipped: no promtool (apt-get install prometheus)");
    try (Metrics metrics = new Metrics()) {
      Sensor dropped = metrics.sensor("dropped");
      Map<String, String> tags = Map.of("thread-id", "culprit-processor-\"1\"", "task-id", "0_1");
      dropped.add(
          metrics.metricName(
              "dropped-records-total",
              "stream-task-metrics",
              "Records dropped: late or bad.",
              tags),
          new CumulativeSum());
      dropped.add(
          metrics.metricName("dropped-records-rate", "stream-task-metrics", "per second", tags),
          new Rate());
      dropped.record(3);

      String first = KafkaMetricsText.render(metrics.metrics());
      dropped.record(4);
      String second = KafkaMetricsText.render(metrics.metrics());

      assertThat(first)
          .contains(
              "kafka_stream_task_metrics_dropped_records_total{task_id=\"0_1\","
                  + "thread_id=\"culprit-processor-\\\"1\\\"\"} 3\n");
      assertThat(second).contains("dropped_records_total{task_id=\"0_1\"");
      assertThat(second).contains("} 7\n");
      assertAcceptedByPromtool(second);
    }
  }

  private static void assertAcceptedByPromtool(String text) throws Exception {
    Process p =
        new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool:\n" + out + "\n" + text).isZero();
  }
}
