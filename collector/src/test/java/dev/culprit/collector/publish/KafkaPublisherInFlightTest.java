package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.testing.TopicReader;
import dev.culprit.collector.testing.TopicReader.Read;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker stopped while requests are in flight: the publisher keeps publishing every few
 * milliseconds, so the stop lands mid-request, and the producer's idempotent retries must still
 * give every record exactly once, in order.
 */
class KafkaPublisherInFlightTest {

  private static final String HOST = "host-inflight";

  @TempDir Path brokerDir;
  @TempDir Path spoolDir;

  @Test
  void deliversEveryRecordOnceWhenTheBrokerStopsWithRequestsInFlight() throws Exception {
    EmbeddedBroker broker = EmbeddedBroker.start(brokerDir, 0);
    int port = broker.port();
    AtomicBoolean publishing = new AtomicBoolean(true);
    try (KafkaPublisher publisher =
        KafkaPublisher.open(broker.bootstrapServers(), Map.of(), "t", spoolDir, 64L << 20)) {
      Thread writer =
          new Thread(
              () -> {
                long i = 0;
                while (publishing.get()) {
                  publisher.publish(List.of(probe(header(HOST, 1_700_000_000_000L + i), i)));
                  i++;
                  try {
                    Thread.sleep(2);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              });
      writer.start();
      assertThat(KafkaPublisherTest.poll(() -> publisher.lastSeq(Topics.PROBE.name()) > 300))
          .isTrue();
      broker.close();
      long stoppedAt = System.nanoTime();
      assertThat(KafkaPublisherTest.poll(publisher::brokerUnreachable)).isTrue();
      assertThat(
              KafkaPublisherTest.poll(
                  () -> System.nanoTime() - stoppedAt > Duration.ofSeconds(5).toNanos()))
          .isTrue();
      broker = EmbeddedBroker.start(brokerDir, port);
      assertThat(KafkaPublisherTest.poll(() -> !publisher.brokerUnreachable())).isTrue();
      publishing.set(false);
      writer.join();
      assertThat(publisher.flush(Duration.ofSeconds(60))).isTrue();
      long last = publisher.lastSeq(Topics.PROBE.name());

      String bootstrap = broker.bootstrapServers();
      List<Read<ProbeSample>> got =
          TopicReader.readUntil(
              bootstrap,
              Topics.PROBE,
              all -> all.stream().filter(r -> r.key().equals(HOST)).count() >= last,
              Duration.ofSeconds(60));

      assertThat(got.stream().filter(r -> r.key().equals(HOST)).map(r -> r.value().getSeq()))
          .containsExactlyElementsOf(LongStream.rangeClosed(1, last).boxed().toList());
    } finally {
      publishing.set(false);
      broker.close();
    }
  }
}
