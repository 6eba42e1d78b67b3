package dev.culprit.collector.publish.spool;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One record as the spool keeps it: already encoded, so it can be replayed after a restart without
 * the schema classes that wrote it.
 *
 * @param topic the Kafka topic
 * @param timestampMs the Kafka record timestamp, epoch ms: the sample's event time, so a record
 *     delivered late after an outage still lands in the right window; {@link #NO_TIMESTAMP} lets
 *     the producer use the send time
 * @param key the key bytes (the host id, UTF-8)
 * @param value the value bytes (single-object-encoded Avro)
 */
public record SpoolRecord(String topic, long timestampMs, byte[] key, byte[] value) {

  /** No event time: the producer stamps the send time. */
  public static final long NO_TIMESTAMP = -1;

  /** Kafka's limit on topic names. */
  private static final int MAX_TOPIC_LENGTH = 249;

  public SpoolRecord {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (timestampMs < NO_TIMESTAMP) {
      throw new IllegalArgumentException("negative timestamp " + timestampMs);
    }
    if (topic.isEmpty() || topic.length() > MAX_TOPIC_LENGTH) {
      throw new IllegalArgumentException("not a Kafka topic name: '" + topic + "'");
    }
  }

  /** A record keyed by a UTF-8 string. */
  public static SpoolRecord of(String topic, long timestampMs, String key, byte[] value) {
    return new SpoolRecord(topic, timestampMs, key.getBytes(StandardCharsets.UTF_8), value);
  }

  /** The key as text. */
  public String keyString() {
    return new String(key, StandardCharsets.UTF_8);
  }
}
