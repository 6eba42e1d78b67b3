package dev.culprit.app.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.runtime.MetricsServer;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.CumulativeSum;
import org.apache.kafka.common.metrics.stats.Rate;
import org.junit.jupiter.api.Test;

/**
 * The processor's metrics endpoint ({@code culprit process --metrics-address}): culprit's own
 * counts and Kafka's metrics registry rendered for Prometheus, checked by promtool.
 */
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
      Sensor io = metrics.sensor("io");
      io.add(
          metrics.metricName("io-wait-time-ns-total", "producer-metrics", "Time waiting.", tags),
          new CumulativeSum());
      io.record(2.5e9);
      // Kafka's node metrics have no description; promtool wants help on every metric.
      Sensor latency = metrics.sensor("latency");
      latency.add(
          metrics.metricName("request-latency-max", "consumer-node-metrics", "", tags),
          new org.apache.kafka.common.metrics.stats.Max());
      latency.record(12);

      String first = KafkaMetricsText.render(metrics.metrics());
      dropped.record(4);
      String second = KafkaMetricsText.render(metrics.metrics());

      assertThat(first)
          .contains(
              "kafka_stream_task_metrics_dropped_records_total{task_id=\"0_1\","
                  + "thread_id=\"culprit-processor-\\\"1\\\"\"} 3\n");
      assertThat(second).contains("dropped_records_total{task_id=\"0_1\"");
      assertThat(second).contains("} 7\n");
      assertThat(second)
          .contains(
              "# HELP kafka_consumer_node_metrics_request_latency_max Kafka metric"
                  + " request-latency-max of group consumer-node-metrics.\n");
      // promtool rejects abbreviated units: Kafka's nanoseconds are served as seconds.
      assertThat(second)
          .contains(
              "kafka_producer_metrics_io_wait_time_seconds_total{task_id=\"0_1\","
                  + "thread_id=\"culprit-processor-\\\"1\\\"\"} 2.5\n");
      assertAcceptedByPromtool(second);
    }
  }

  /**
   * The very text {@code culprit process} serves, over HTTP, while the real topology runs in Kafka
   * Streams' test driver: samples in, a bad record, a fault scenario.
   */
  @Test
  void processEndpointServesCulpritCountsThatPromtoolAcceptsAndThatMove() throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "skipped: no promtool (apt-get install prometheus)");
    try (TopologyHarness h = new TopologyHarness();
        MetricsServer server =
            new MetricsServer(
                new InetSocketAddress("127.0.0.1", 0),
                () -> ProcessorMetricsText.render(h.metrics(), h.driver().metrics()))) {
      SeedHost seed = new SeedHost(Scenario.cycle(0));
      String before = scrape(server);
      assertAcceptedByPromtool(before);
      assertThat(value(before, "culprit_processor_causes_emitted_total{cause=\"FIREWALL_DROP\"}"))
          .isZero();

      h.pipe(seed.cycle(Scenario.cycle(0), SeedHost.quiet()).toArray(SpecificRecord[]::new));
      String quiet = scrape(server);
      assertAcceptedByPromtool(quiet);
      assertThat(
              value(
                  quiet,
                  "culprit_processor_records_in_total{topic=\"" + Topics.INTERFACE.name() + "\"}"))
          .isPositive();
      assertThat(quiet).doesNotContain("culprit_processor_dead_letters_total{");

      h.pipeRaw(Topics.PROTOCOL, SeedHost.HOST, "not Avro".getBytes(StandardCharsets.UTF_8));
      String bad = scrape(server);
      assertAcceptedByPromtool(bad);
      assertThat(value(bad, "culprit_processor_dead_letters_total{reason=\"decode\"}"))
          .isEqualTo(1);

      h.pipe(seed.cycle(Scenario.cycle(1), SeedHost.seed()).toArray(SpecificRecord[]::new));
      h.advanceTo(Scenario.closing(1));
      List<RootCause> causes = h.causes();
      assertThat(causes).isNotEmpty();
      String fault = scrape(server);
      assertAcceptedByPromtool(fault);
      for (RootCause c : causes) {
        String series = "culprit_processor_causes_emitted_total{cause=\"" + c.getCause() + "\"}";
        assertThat(value(fault, series)).as(series).isGreaterThan(value(before, series));
      }
      assertThat(value(fault, "culprit_processor_windows_closed_total")).isPositive();
      assertThat(value(fault, "culprit_processor_window_close_lag_seconds")).isPositive();
      assertThat(fault).contains("kafka_stream_task_metrics_process_total");
    }
  }

  private static String scrape(MetricsServer server) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  /** The value of one series (name with its labels, exactly as rendered). */
  private static double value(String text, String series) {
    for (String line : text.split("\n")) {
      if (line.startsWith(series + " ")) {
        return Double.parseDouble(line.substring(series.length() + 1));
      }
    }
    throw new AssertionError("no series " + series + " in:\n" + text);
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
