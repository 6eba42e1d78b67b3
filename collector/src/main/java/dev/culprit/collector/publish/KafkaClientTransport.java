package dev.culprit.collector.publish;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.errors.InvalidTimestampException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * The Java Kafka client as a {@link Transport}: every producer setting (TLS, SASL, lz4, …), at the
 * cost of about 24 MiB of the agent's memory. Used when the producer settings ask for something
 * {@link WireTransport} does not do.
 */
final class KafkaClientTransport implements Transport {

  private final Producer<byte[], byte[]> producer;

  KafkaClientTransport(Producer<byte[], byte[]> producer) {
    this.producer = producer;
  }

  /** A transport over a new {@link KafkaProducer} with {@code props}. */
  static KafkaClientTransport open(Map<String, Object> props) {
    return new KafkaClientTransport(new KafkaProducer<>(props));
  }

  @Override
  public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
    // Topics found missing or denied in this window: their later records fail the same way at once
    // (each send would block max.block.ms again), and the other topics' records still go.
    Map<String, Exception> unavailable = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      SpoolRecord r = records.get(i);
      Exception topicError = unavailable.get(r.topic());
      if (topicError != null) {
        attempt.failed(i, topicError, false);
        continue;
      }
      Long timestamp = r.timestampMs() == SpoolRecord.NO_TIMESTAMP ? null : r.timestampMs();
      int index = i;
      try {
        producer.send(
            new ProducerRecord<>(r.topic(), null, timestamp, r.key(), r.value()),
            (metadata, e) -> {
              if (e == null) {
                attempt.acknowledged(index);
              } else {
                attempt.failed(index, explained(r.topic(), e), permanent(e));
              }
            });
      } catch (RuntimeException e) {
        attempt.notSent(i, explained(r.topic(), e));
        break;
      }
      // send() reports most failures through the callback before it returns (metadata did not
      // arrive within max.block.ms): stop the window there, so no later record overtakes this one
      // and the rest does not wait max.block.ms each.
      if (attempt.errorIfDone(i) instanceof TopicUnavailableException e) {
        unavailable.put(r.topic(), e);
        continue;
      }
      if (attempt.errorIfDone(i) != null && !attempt.permanentIfDone(i)) {
        attempt.notSent(i + 1, attempt.errorIfDone(i));
        break;
      }
    }
  }

  @Override
  public long connectionsOpened() {
    return (long) producerMetric("connection-creation-total");
  }

  /** The longest throttle a broker asked for within the client's metric window (about a minute). */
  @Override
  public boolean throttled() {
    return producerMetric("produce-throttle-time-max") > 0;
  }

  /** The producer-level metric {@code name}; 0 when it has no value (yet). */
  private double producerMetric(String name) {
    double total = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : producer.metrics().entrySet()) {
      if (e.getKey().name().equals(name)
          && e.getKey().group().equals("producer-metrics")
          && e.getValue().metricValue() instanceof Double d
          && !d.isNaN()
          && !d.isInfinite()) {
        total += d;
      }
    }
    return total;
  }

  @Override
  public void close() {
    // Zero: abandoned records are still in the spool; waiting would only delay the retry.
    producer.close(Duration.ZERO);
  }

  /**
   * Whether the broker refused the record for its timestamp: the client reports a record the broker
   * named as an InvalidRecordException carrying the broker's message (LogValidator: "Timestamp T of
   * message with offset N is out of range. The timestamp should be within [A, B]"), a batch without
   * names as an InvalidTimestampException.
   */
  private static boolean refusedTimestamp(Exception e) {
    String message = String.valueOf(e.getMessage());
    return e instanceof InvalidTimestampException
        || (e instanceof InvalidRecordException
            && message.startsWith("Timestamp ")
            && message.contains("out of range"));
  }

  static boolean permanent(Exception e) {
    return e instanceof RecordTooLargeException
        || e instanceof RecordBatchTooLargeException
        || e instanceof InvalidTopicException
        || e instanceof InvalidRecordException
        || e instanceof InvalidTimestampException
        || e instanceof SerializationException;
  }

  private static Exception explained(String topic, Exception e) {
    if (refusedTimestamp(e)) {
      return new TimestampRefusedException("topic " + topic + ": " + e.getMessage());
    }
    if (e.getClass() == KafkaException.class
        && String.valueOf(e.getMessage()).contains("part of a batch which had")) {
      // The broker refused the batch for another record of it (KIP-467): this one goes again.
      return new BatchmateRefusedException("topic " + topic + ": " + e.getMessage());
    }
    if (e instanceof UnknownTopicOrPartitionException
        || e instanceof TopicAuthorizationException
        || (e instanceof TimeoutException
            && String.valueOf(e.getMessage()).contains("not present in metadata"))) {
      // The Java client says a missing topic only as a metadata timeout.
      return new TopicUnavailableException("topic " + topic + ": " + e.getMessage());
    }
    if (e instanceof org.apache.kafka.common.errors.AuthenticationException) {
      // SASL or TLS refused (SaslAuthenticationException, SslAuthenticationException).
      return new LoginRefusedException(e.getMessage());
    }
    if (e instanceof TimeoutException) {
      return new TimeoutException("no answer from the broker: " + e.getMessage(), e);
    }
    return e;
  }
}
