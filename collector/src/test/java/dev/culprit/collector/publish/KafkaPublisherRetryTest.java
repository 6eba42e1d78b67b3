package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.spi.Header;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.SchemaTopic;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the publisher does when the broker acknowledges some records of a window and fails others. A
 * real broker does that only by accident (a request lost between batches), so these cases use
 * Kafka's own {@link MockProducer}, which hands each record's outcome to the test; everything else
 * is tested against the real broker in {@link KafkaPublisherTest}.
 */
class KafkaPublisherRetryTest {

  @TempDir Path spoolDir;
  private final List<MockProducer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
  private KafkaPublisher publisher;

  @BeforeEach
  void open() throws Exception {
    publisher =
        new KafkaPublisher(
            Spool.open(spoolDir, Spool.DEFAULT_MAX_BYTES),
            () -> {
              var p =
                  new MockProducer<>(
                      false, null, new ByteArraySerializer(), new ByteArraySerializer());
              producers.add(p);
              return new KafkaClientTransport(p);
            },
            "mock");
  }

  @AfterEach
  void close() {
    publisher.close(Duration.ZERO);
  }

  @Test
  void resendsOnlyTheFailedRecordsOfAWindowWithAFreshProducer() throws Exception {
    Header h = header("host-1", 1_700_000_000_000L);
    publisher.publish(List.of(probe(h, 1), probe(h, 2), probe(h, 3)));
    acknowledgeTheSchema();
    MockProducer<byte[], byte[]> first = awaitProducer(0, 4);

    first.completeNext();
    first.errorNext(new NetworkException("connection reset"));
    first.completeNext();

    MockProducer<byte[], byte[]> second = awaitProducer(1, 1);
    assertThat(first.closed()).as("the failed session is closed").isTrue();
    assertThat(sent(second)).containsExactly(2L);
    second.completeNext();
    assertThat(publisher.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(publisher.stats().sendErrors()).isEqualTo(1);
    assertThat(publisher.stats().spooledRecords()).isZero();
  }

  @Test
  void dropsARecordTheBrokerRefusesForGoodWithoutResendingOrStalling() throws Exception {
    Header h = header("host-1", 1_700_000_000_000L);
    publisher.publish(List.of(probe(h, 1), probe(h, 2)));
    acknowledgeTheSchema();
    MockProducer<byte[], byte[]> first = awaitProducer(0, 3);

    first.errorNext(new RecordTooLargeException("too large"));
    first.completeNext();
    assertThat(publisher.flush(Duration.ofSeconds(10))).isTrue();

    publisher.publish(List.of(probe(h, 3)));
    awaitProducer(0, 4).completeNext();
    assertThat(publisher.flush(Duration.ofSeconds(10))).isTrue();
    assertThat(producers).as("no new session for a permanent refusal").hasSize(1);
    assertThat(sent(first)).containsExactly(1L, 2L, 3L);
    assertThat(publisher.stats().rejectedRecords()).isEqualTo(1);
    assertThat(publisher.stats().sendErrors()).isZero();
  }

  @Test
  void sendsNothingNewWhileAWindowWaitsForTheBroker() throws Exception {
    Header h = header("host-1", 1_700_000_000_000L);
    publisher.publish(List.of(probe(h, 1)));
    acknowledgeTheSchema();
    MockProducer<byte[], byte[]> first = awaitProducer(0, 2);

    publisher.publish(List.of(probe(h, 2), probe(h, 3)));
    assertThat(publisher.stats().spooledRecords())
        .as("the schema leaves the spool with its window")
        .isEqualTo(4);
    assertThat(first.history()).as("later records wait in the spool").hasSize(2);

    first.completeNext();
    awaitProducer(0, 4);
    assertThat(sent(first)).containsExactly(1L, 2L, 3L);
  }

  /**
   * The first window of a process starts with the probe schema for culprit.schemas, sent alone:
   * acknowledge it so the samples follow.
   */
  private void acknowledgeTheSchema() throws InterruptedException {
    MockProducer<byte[], byte[]> first = awaitProducer(0, 1);
    assertThat(first.history().get(0).topic()).isEqualTo(SchemaTopic.NAME);
    assertThat(first.history()).as("the schema is sent alone").hasSize(1);
    first.completeNext();
  }

  private MockProducer<byte[], byte[]> awaitProducer(int index, int records)
      throws InterruptedException {
    assertThat(
            KafkaPublisherTest.poll(
                () -> producers.size() > index && producers.get(index).history().size() >= records))
        .as("producer %d received %d records", index, records)
        .isTrue();
    return producers.get(index);
  }

  private static List<Long> sent(MockProducer<byte[], byte[]> producer) {
    return producer.history().stream()
        .filter(r -> !r.topic().equals(SchemaTopic.NAME))
        .map(KafkaPublisherRetryTest::sentField)
        .toList();
  }

  private static long sentField(ProducerRecord<byte[], byte[]> r) {
    ProbeSample value = Topics.PROBE.valueSerde().decode(r.value());
    return value.getSent();
  }
}
