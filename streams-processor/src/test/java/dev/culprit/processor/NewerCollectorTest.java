package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.processor.scenarios.Scenario;
import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.DeadLetter;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.SchemaHistory;
import dev.culprit.schemas.SchemaTopic;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.JsonProperties;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A collector upgraded before the processor: it writes every sample with a newer schema version
 * (today's plus an optional field) that this build's history does not hold, and publishes those
 * schemas to {@code culprit.schemas} first. The processor resolves them from there: no dead
 * letters, and the very causes of {@link RealBrokerTest} (the same samples in today's schemas). A
 * sample of a newer schema nobody published is still a dead letter, saying so.
 */
class NewerCollectorTest {

  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final String UNANNOUNCED_HOST = "host-unannounced";

  @TempDir Path stateDir;

  @Test
  void samplesOfANewerSchemaPublishedToCulpritSchemasGiveTheSameCausesAndNoDeadLetters()
      throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      NewerCollector collector = new NewerCollector("collectorBuild");
      NewerCollector unannounced = new NewerCollector("neverPublished");
      try (RealBrokers.Running run =
          new RealBrokers.Running(broker, "culprit-newer-collector", stateDir)) {
        SampleProducer producer = run.producer;
        SeedHost seed = new SeedHost(Scenario.cycle(0));
        collector.send(producer, seed.cycle(Scenario.cycle(0), SeedHost.quiet()));
        collector.send(producer, seed.cycle(Scenario.cycle(1), SeedHost.seed()));
        // The host's next cycle closes window 1: its own time, every topic past the window.
        List<SpecificRecord> next = seed.cycle(Scenario.closing(1), SeedHost.seed());
        collector.send(producer, next);
        SpecificRecord closing =
            next.stream().filter(r -> r instanceof ProtocolSample).findFirst().orElseThrow();
        // Another host's collector of an even newer build whose schema never reached the topic.
        SpecificRecord foreign = withHost(closing, UNANNOUNCED_HOST);
        unannounced.sendWithoutPublishing(producer, foreign);
        producer.flush();

        // The causes of the same samples in today's schemas.
        RealBrokers.assertSeedCauses(run.causes, DEADLINE);

        DeadLetter letter =
            RealBrokers.pollUntil(run.deadLetters::poll, 1, DEADLINE).stream()
                .findFirst()
                .orElseThrow();
        assertThat(StandardCharsets.UTF_8.decode(letter.getKey().duplicate()).toString())
            .isEqualTo(UNANNOUNCED_HOST);
        assertThat(letter.getSourceTopic()).isEqualTo(Topics.PROTOCOL.name());
        assertThat(letter.getReason())
            .contains("unknown schema")
            .contains(SchemaTopic.key(unannounced.schemaOf(Topics.PROTOCOL)))
            .contains("nor in " + SchemaTopic.NAME);
        assertThat(committedDeadLetters(broker))
            .as("only the unannounced sample is a dead letter")
            .containsExactly(UNANNOUNCED_HOST);
      }
    }
  }

  /** Writes samples as a collector with one more optional field in every schema would. */
  private static final class NewerCollector {
    private final String extraField;
    private final Map<Topic<?>, Schema> schemas = new HashMap<>();
    private final Map<Topic<?>, BinaryMessageEncoder<GenericData.Record>> encoders =
        new HashMap<>();

    NewerCollector(String extraField) {
      this.extraField = extraField;
    }

    Schema schemaOf(Topic<?> topic) {
      return schemas.computeIfAbsent(topic, this::newer);
    }

    /** Publishes each type's schema before its first record, as the collector does. */
    void send(SampleProducer producer, List<SpecificRecord> samples) throws Exception {
      for (SpecificRecord sample : samples) {
        Topic<?> topic = topicOf(sample);
        if (!schemas.containsKey(topic)) {
          Schema schema = schemaOf(topic);
          producer
              .raw()
              .send(
                  new ProducerRecord<>(
                      SchemaTopic.NAME, SchemaTopic.key(schema), SchemaTopic.value(schema)))
              .get(); // acknowledged before any record written with it is sent
        }
        producer.raw().send(record(topic, sample));
      }
    }

    void sendWithoutPublishing(SampleProducer producer, SpecificRecord sample) {
      producer.raw().send(record(topicOf(sample), sample));
    }

    private ProducerRecord<String, byte[]> record(Topic<?> topic, SpecificRecord sample) {
      Schema schema = schemaOf(topic);
      GenericData.Record newer = new GenericData.Record(schema);
      for (Schema.Field f : sample.getSchema().getFields()) {
        newer.put(f.name(), sample.get(f.pos()));
      }
      newer.put(extraField, "2.0.0-" + extraField);
      java.nio.ByteBuffer buffer;
      try {
        buffer =
            encoders
                .computeIfAbsent(
                    topic, t -> new BinaryMessageEncoder<>(SpecificData.get(), schemaOf(t)))
                .encode(newer);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      return new ProducerRecord<>(topic.name(), (String) sample.get(0), bytes);
    }

    private Schema newer(Topic<?> topic) {
      Schema current = topic.valueSchema();
      List<Schema.Field> fields = new ArrayList<>();
      for (Schema.Field f : current.getFields()) {
        fields.add(new Schema.Field(f, f.schema()));
      }
      fields.add(
          new Schema.Field(
              extraField,
              Schema.createUnion(
                  Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
              "added by a newer collector",
              JsonProperties.NULL_VALUE));
      Schema newer =
          Schema.createRecord(
              current.getName(), current.getDoc(), current.getNamespace(), false, fields);
      long fp = SchemaTopic.fingerprint(newer);
      assertThat(SchemaHistory.versions(current.getName()))
          .as("this build does not know the newer schema")
          .noneMatch(v -> SchemaTopic.fingerprint(v) == fp);
      return newer;
    }
  }

  private static Topic<?> topicOf(SpecificRecord sample) {
    return Topics.samples().stream()
        .filter(t -> t.valueType().isInstance(sample))
        .findFirst()
        .orElseThrow();
  }

  private static SpecificRecord withHost(SpecificRecord sample, String host) {
    SpecificRecord copy = SpecificData.get().deepCopy(sample.getSchema(), sample);
    copy.put(sample.getSchema().getField("host").pos(), host);
    return copy;
  }

  /** The keys of every committed dead letter, read to the topic's end. */
  private static List<String> committedDeadLetters(EmbeddedBroker broker) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> keys = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.DEAD_LETTER.name()).stream()
              .map(i -> new TopicPartition(i.topic(), i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("dead letters read in time").isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          keys.add(r.key());
        }
      }
    }
    keys.forEach(k -> assertThat(k.getBytes(StandardCharsets.UTF_8)).isNotEmpty());
    return keys;
  }
}
