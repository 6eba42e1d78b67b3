package dev.culprit.collector.testing;

import dev.culprit.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a contract topic from the beginning, decoded, with the Kafka coordinates kept. */
public final class TopicReader {

  /** One record as the broker stored it. */
  public record Read<V>(String key, long timestampMs, int partition, long offset, V value) {}

  private TopicReader() {}

  /**
   * Reads {@code topic} from the beginning until {@code done} holds for what was read, or {@code
   * timeout} passes, and returns everything read, in offset order per partition.
   */
  public static <V extends SpecificRecord> List<Read<V>> readUntil(
      String bootstrapServers, Topic<V> topic, Predicate<List<Read<V>>> done, Duration timeout) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<Read<V>> got = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic.name()).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(got) && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          got.add(
              new Read<>(
                  r.key(),
                  r.timestamp(),
                  r.partition(),
                  r.offset(),
                  topic.valueSerde().decode(r.value())));
        }
      }
    }
    return got;
  }
}
