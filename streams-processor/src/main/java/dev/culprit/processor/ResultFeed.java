package dev.culprit.processor;

import dev.culprit.schemas.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes to one result topic (root causes, fleet incidents) the way a printer or an alerting
 * bridge does: committed records only, decoded with the topic's serde. A record that does not
 * decode is logged with its coordinates and skipped, never fatal.
 *
 * @param <V> the topic's value type
 */
public final class ResultFeed<V extends SpecificRecord> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ResultFeed.class);

  private final Topic<V> topic;
  private final KafkaConsumer<String, byte[]> consumer;

  /**
   * A feed of {@code topic}.
   *
   * @param fromBeginning read what is already there (true) or only what comes next (false)
   */
  public ResultFeed(String bootstrapServers, Topic<V> topic, boolean fromBeginning) {
    this.topic = topic;
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    // A private, uncommitted group: every feed sees the whole topic on its own.
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "culprit-feed-" + UUID.randomUUID());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
    // The processor writes in transactions: never show a cause from an aborted one.
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic.name()));
  }

  /** The records that arrived within {@code timeout}, in partition order. */
  public List<V> poll(Duration timeout) {
    List<V> out = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : consumer.poll(timeout)) {
      try {
        V value = topic.valueSerde().deserialize(topic.name(), record.value());
        if (value != null) {
          out.add(value);
        }
      } catch (RuntimeException e) {
        LOG.warn(
            "skipping undecodable record {}-{}@{}: {}",
            record.topic(),
            record.partition(),
            record.offset(),
            e.getMessage());
      }
    }
    return out;
  }

  /** The committed end offsets of the topic's partitions, for "caught up" checks. */
  public Map<org.apache.kafka.common.TopicPartition, Long> endOffsets() {
    return consumer.endOffsets(consumer.assignment());
  }

  @Override
  public void close() {
    consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
  }
}
