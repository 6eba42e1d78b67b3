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

  /**
   * Whether a broker throttles this client now or did so recently (a quota): a window that takes
   * long is then waiting for the quota, not for an unreachable broker.
   */
  default boolean throttled() {
    return false;
  }

  /**
   * TCP connections the transport opened to brokers so far: after the first one per broker, each
   * means a timeout or a lost connection. 0 for a transport without connections of its own.
   */
  default long connectionsOpened() {
    return 0;
  }

  /** Abandons what is in flight (it stays in the spool) and releases connections and threads. */
  @Override
  void close();
}
