package dev.culprit.collector.publish;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.util.List;

/**
 * How {@link SpoolSender} hands a window of spooled records to Kafka: the lean built-in client
 * ({@link WireTransport}, the default) or the Java Kafka client ({@link KafkaClientTransport}, for
 * settings the built-in one does not have, such as TLS or SASL). Either retries within its delivery
 * timeout under the same producer id and sequence numbers, so the broker de-duplicates its own
 * retries; a fresh transport after a failure starts a new producer id.
 */
interface Transport extends AutoCloseable {

  /**
   * Starts delivering {@code records}, in order; every record's outcome reaches {@code attempt},
   * possibly on another thread. Does not wait for the broker.
   */
  void send(List<SpoolRecord> records, DeliveryAttempt attempt);

  /**
   * Called about once a second by the waiting sender: a transport can end calls stuck beyond its
   * own timeouts here.
   */
  default void tick() {}

  /** Abandons what is in flight (it stays in the spool) and releases connections and threads. */
  @Override
  void close();
}
