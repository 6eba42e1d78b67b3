package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static dev.culprit.collector.testing.TestSamples.protocol;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.testing.TopicReader;
import dev.culprit.collector.testing.TopicReader.Read;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Spooled samples older than {@code --spool-max-age} (below the topics' retention) are dropped and
 * counted, not sent; the newer ones of the same window are delivered, in order, each once.
 */
class KafkaPublisherSpoolAgeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** zstd: the built-in client; lz4: the Java client (the built-in one has no lz4). */
  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void samplesOlderThanTheMaxAgeAreDroppedAndCountedAndTheRestDelivered(
      String compression, @TempDir Path spool) throws Exception {
    String host = "host-old-spool-" + compression;
    long now = System.currentTimeMillis();
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary();
        KafkaPublisher publisher =
            KafkaPublisher.open(
                broker.bootstrapServers(),
                Map.of("compression.type", compression),
                "culprit-test",
                spool,
                16L << 20,
                Duration.ofHours(1))) {
      // One append, one window: three cycles spooled two hours ago, three now.
      List<Sample> samples = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Header h = header(host, i < 3 ? now - Duration.ofHours(2).toMillis() + i : now + i);
        samples.add(probe(h, i));
        samples.add(protocol(h, Map.of("Tcp.X", (long) i)));
      }
      publisher.publish(samples);

      assertThat(publisher.flush(WAIT)).isTrue();
      PublisherStats stats = publisher.stats();
      assertThat(stats.spoolExpiredRecords()).as("too old to send").isEqualTo(6);
      assertThat(stats.rejectedRecords()).as("not a broker refusal").isZero();
      assertThat(stats.spoolDroppedRecords()).isZero();

      List<Read<ProbeSample>> probes =
          TopicReader.readUntil(
              broker.bootstrapServers(),
              Topics.PROBE,
              got -> got.stream().filter(r -> r.key().equals(host)).count() >= 3,
              WAIT);
      assertThat(probes.stream().filter(r -> r.key().equals(host)).map(r -> r.value().getSent()))
          .as("only the samples within the max age, each once, in order")
          .containsExactly(3L, 4L, 5L);
    }
  }
}
