package dev.culprit.collector.runtime;

import static dev.culprit.collector.runtime.TestSources.HOST;
import static dev.culprit.collector.runtime.TestSources.finder;
import static dev.culprit.collector.runtime.TestSources.netns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.publish.JsonLinesPublisher;
import dev.culprit.collector.publish.KafkaPublisher;
import dev.culprit.collector.publish.PublisherStats;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Source.Scope;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's metrics endpoint in front of a real collector and a real broker: Prometheus' own
 * checker ({@code promtool check metrics}) accepts every scrape, the cycle counters move as the
 * agent samples, and the spool and error series move when the broker is stopped.
 */
class AgentMetricsEndpointTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  @TempDir Path brokerDir;
  @TempDir Path spoolDir;

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void servesValidPrometheusTextWhoseCountersMoveWithCyclesAndABrokerOutage() throws Exception {
    assumeTrue(Files.isExecutable(PROMTOOL), "skipped: no promtool (apt-get install prometheus)");
    EmbeddedBroker broker = EmbeddedBroker.start(brokerDir, 0);
    CollectorConfig config =
        CollectorConfig.builder()
            .hostId("host-metrics")
            .interval(Duration.ofSeconds(1))
            .bootstrapServers(broker.bootstrapServers())
            .spoolDir(spoolDir)
            .build();
    KafkaPublisher publisher = config.openKafkaPublisher();
    AgentMetrics metrics = new AgentMetrics(publisher, config.interval());
    var probe = new TestSources.Counting("probe", Scope.PER_NETNS);
    Collector collector =
        new Collector(config, List.of(probe), finder(HOST, netns("culprit-a", 2)), metrics);
    try (MetricsServer server =
        new MetricsServer(new InetSocketAddress("127.0.0.1", 0), metrics::scrape)) {
      URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/metrics");
      collector.start();

      String first = awaitScrape(uri, m -> value(m, "culprit_collector_cycles_total") >= 2);
      assertAcceptedByPromtool(first);
      assertThat(first)
          .contains("culprit_collector_source_success{source=\"probe\",netns=\"culprit-a\"} 1")
          .contains("culprit_collector_source_duration_seconds{source=\"probe\",netns=\"\"}");
      double cycles = value(first, "culprit_collector_cycles_total");
      awaitScrape(uri, m -> value(m, "culprit_collector_cycles_total") > cycles);

      broker.close();
      String outage =
          awaitScrape(
              uri,
              m ->
                  value(m, "culprit_collector_spool_records") >= 6
                      && value(m, "culprit_collector_spool_bytes") > 0);
      assertAcceptedByPromtool(outage);

      // A full /metrics answer; anything else is 404.
      HttpResponse<String> other =
          http.send(
              HttpRequest.newBuilder(uri.resolve("/other")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(other.statusCode()).isEqualTo(404);
    } finally {
      collector.close();
      broker.close();
    }
  }

  @Test
  void countsTheTicksSkippedAfterACycleThatEndedPastTheNextOne() {
    var json = new java.io.ByteArrayOutputStream();
    AgentMetrics metrics =
        new AgentMetrics(
            new JsonLinesPublisher(new java.io.PrintStream(json, true, StandardCharsets.UTF_8)),
            Duration.ofSeconds(5));
    // Cycles at 0, 5 and 10 s; the one at 10 s ended after 15 s, so the next ran at 20 s; then
    // 25 s. Each took 4 s: none overran its own interval, one tick was lost.
    for (long tick : new long[] {0, 5_000, 10_000, 20_000, 25_000}) {
      Header header = new Header("host", "", 1_700_000_000_000L + tick, "c", "boot");
      metrics.publish(
          List.of(
              HealthReport.build(
                  header, 4_000_000, List.of(), new PublisherStats(0, 0, 0, 0, 0, 0))));
    }

    String scrape = metrics.scrape();
    assertThat(value(scrape, "culprit_collector_cycles_total")).isEqualTo(5);
    assertThat(value(scrape, "culprit_collector_cycle_overruns_total")).isZero();
    assertThat(value(scrape, "culprit_collector_skipped_cycles_total")).isEqualTo(1);
    assertThat(json.toString(StandardCharsets.UTF_8).lines()).hasSize(5);
  }

  @Test
  void escapesLabelValuesAsTheTextFormatRequires() {
    assertThat(AgentMetrics.escape("a\"b\\c\nd")).isEqualTo("a\\\"b\\\\c\\nd");
  }

  private String awaitScrape(URI uri, Predicate<String> condition) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r =
          http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
      last = r.body();
      if (condition.test(last)) {
        return last;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("metrics never reached the expected values; last scrape:\n" + last);
  }

  private static double value(String exposition, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static void assertAcceptedByPromtool(String exposition)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(PROMTOOL.toString(), "check", "metrics")
            .redirectErrorStream(true)
            .start();
    p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("promtool check metrics:\n" + out).isZero();
  }
}
