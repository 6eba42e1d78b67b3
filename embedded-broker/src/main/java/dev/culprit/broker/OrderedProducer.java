package dev.culprit.broker;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A producer for tests and benchmarks that send to topics created moments before: one request in
 * flight per connection, not idempotent, every in-sync replica acknowledging.
 *
 * <p>Why not Kafka's default (idempotent, five requests in flight): a request that reaches a broker
 * before it has applied a new partition fails with NOT_LEADER_OR_FOLLOWER while the next request to
 * that partition is appended; the broker then refuses every retry of the first with
 * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout expires it (a defect of Kafka's brokers).
 * Here that made {@code flush()} take two minutes and silently lost a host's first samples (CI, in
 * several tests). One request in flight keeps records in order across retries; without idempotence
 * a retried request could be written twice, which a local broker does not cause.
 */
public final class OrderedProducer {

  private OrderedProducer() {}

  /** The settings over {@code base} (its bootstrap servers, login, anything else it sets). */
  public static Properties settings(Map<?, ?> base) {
    Properties p = new Properties();
    p.putAll(base);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return p;
  }

  /** A producer of byte-array values keyed by string with the settings over {@code base}. */
  public static KafkaProducer<String, byte[]> create(Map<?, ?> base) {
    return new KafkaProducer<>(settings(base), new StringSerializer(), new ByteArraySerializer());
  }

  /** Such a producer to {@code bootstrapServers}. */
  public static KafkaProducer<String, byte[]> create(String bootstrapServers) {
    return create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
  }
}
