package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static dev.culprit.collector.testing.TestSamples.protocol;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.spi.Header;
import dev.culprit.schemas.SchemaTopic;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.Schema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record type's schema reaches {@code culprit.schemas} once per process, and before any
 * record written with it: readers older than the collector resolve its records from there.
 */
class KafkaPublisherSchemaTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path spoolDir;
  @TempDir Path otherSpoolDir;

  @Test
  void publishesEachTypesSchemaOncePerStartKeyedByFingerprintAsJson() throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      for (Path dir : List.of(spoolDir, otherSpoolDir)) { // two process starts
        try (KafkaPublisher publisher =
            KafkaPublisher.open(broker.bootstrapServers(), Map.of(), "t", dir, 16L << 20)) {
          for (int cycle = 0; cycle < 3; cycle++) {
            Header h = header("host-schemas", 1_700_000_000_000L + cycle * 5000L);
            publisher.publish(List.of(probe(h, cycle), protocol(h, Map.of("Tcp.X", 1L))));
          }
          assertThat(publisher.flush(WAIT)).isTrue();
          assertThat(publisher.lastSeq(Topics.PROBE.name())).as("schemas take no seq").isEqualTo(3);
        }
      }
      List<ConsumerRecord<String, String>> schemas = readSchemas(broker, 4);
      assertThat(schemas).as("one per type and start, nothing per cycle").hasSize(4);
      for (ConsumerRecord<String, String> r : schemas) {
        Schema schema = new Schema.Parser().parse(r.value());
        assertThat(r.key()).matches("[0-9a-f]{16}").isEqualTo(SchemaTopic.key(schema));
        assertThat(schema).isIn(Topics.PROBE.valueSchema(), Topics.PROTOCOL.valueSchema());
      }
      assertThat(schemas.stream().map(ConsumerRecord::key).distinct())
          .containsExactlyInAnyOrder(
              SchemaTopic.key(Topics.PROBE.valueSchema()),
              SchemaTopic.key(Topics.PROTOCOL.valueSchema()));
    }
  }

  @Test
  void aWindowsSchemasAreAcknowledgedBeforeTheRecordsWrittenWithThemAreSent() throws Exception {
    List<List<String>> sends = new ArrayList<>();
    Transport recording =
        new Transport() {
          @Override
          public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
            synchronized (sends) {
              sends.add(records.stream().map(SpoolRecord::topic).toList());
            }
            for (int i = 0; i < records.size(); i++) {
              attempt.acknowledged(i);
            }
          }

          @Override
          public void close() {}
        };
    try (KafkaPublisher publisher =
        new KafkaPublisher(Spool.open(spoolDir, 16L << 20), () -> recording, "recording")) {
      Header h = header("host-order", 1_700_000_000_000L);
      publisher.publish(List.of(probe(h, 1), protocol(h, Map.of("Tcp.X", 1L)), probe(h, 2)));
      assertThat(publisher.flush(WAIT)).isTrue();
    }
    synchronized (sends) {
      assertThat(sends).hasSizeGreaterThanOrEqualTo(2);
      assertThat(sends.get(0))
          .as("the first send holds the schemas alone")
          .containsExactly(SchemaTopic.NAME, SchemaTopic.NAME);
      assertThat(sends.stream().skip(1).flatMap(List::stream))
          .containsExactly(Topics.PROBE.name(), Topics.PROTOCOL.name(), Topics.PROBE.name());
    }
  }

  private static List<ConsumerRecord<String, String>> readSchemas(EmbeddedBroker broker, int n) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      TopicPartition tp = new TopicPartition(SchemaTopic.NAME, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (got.size() < n && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      // Anything beyond n would be an extra announcement: read what is there now.
      consumer.poll(Duration.ofMillis(200)).forEach(got::add);
    }
    got.forEach(r -> assertThat(r.value().getBytes(StandardCharsets.UTF_8)).isNotEmpty());
    return got;
  }
}
