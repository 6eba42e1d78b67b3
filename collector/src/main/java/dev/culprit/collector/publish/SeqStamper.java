package dev.culprit.collector.publish;

import dev.culprit.collector.spi.Sample;
import dev.culprit.schemas.Topic;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;

/**
 * Stamps the {@code seq} field of sample records and encodes them with their topic's serde. A
 * number is used up only when the record encodes, so a rejected record leaves no gap: gaps mean
 * loss. Not thread-safe; publishers call it under their own lock.
 */
final class SeqStamper {

  private static final String SEQ = "seq";

  private final Map<String, Long> lastByTopic = new HashMap<>();

  /**
   * Sets the next {@code seq} of the sample's topic and encodes the record.
   *
   * @param maxBytes the largest encoding accepted
   * @return the encoded value
   * @throws IllegalArgumentException when the topic's schema has no {@code seq} field, the record
   *     does not encode (a required field is null), or it is larger than {@code maxBytes}
   */
  byte[] stampAndEncode(Sample sample, int maxBytes) {
    SpecificRecord value = sample.value();
    Schema.Field field = value.getSchema().getField(SEQ);
    if (field == null) {
      throw new IllegalArgumentException(
          sample.topic().name() + " is not a sample topic: its records have no seq field");
    }
    String topic = sample.topic().name();
    long seq = lastByTopic.getOrDefault(topic, 0L) + 1;
    value.put(field.pos(), seq);
    byte[] bytes = encode(sample.topic(), value);
    if (bytes.length > maxBytes) {
      throw new IllegalArgumentException(
          topic + " record of " + bytes.length + " bytes exceeds the limit of " + maxBytes);
    }
    lastByTopic.put(topic, seq);
    return bytes;
  }

  /** The last seq used on {@code topic}, 0 when none. */
  long last(String topic) {
    return lastByTopic.getOrDefault(topic, 0L);
  }

  @SuppressWarnings("unchecked")
  private static <V extends SpecificRecord> byte[] encode(Topic<V> topic, SpecificRecord value) {
    return topic.valueSerde().encode((V) value);
  }
}
