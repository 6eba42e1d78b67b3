package dev.culprit.collector.publish;

import dev.culprit.collector.spi.Sample;
import java.util.HashMap;
import java.util.Map;

/**
 * Stamps the {@code seq} field of sample records and encodes them as their topic says. A number is
 * used up only when the record encodes, so a rejected record leaves no gap: gaps mean loss. Not
 * thread-safe; publishers call it under their own lock.
 */
final class SeqStamper {

  private final Map<String, Long> lastByTopic = new HashMap<>();

  /**
   * Sets the next {@code seq} of the sample's topic and encodes the record.
   *
   * @param maxBytes the largest encoding accepted
   * @return the encoded value
   * @throws IllegalArgumentException when the record does not encode (a field its schema requires
   *     is null) or is larger than {@code maxBytes}
   */
  byte[] stampAndEncode(Sample sample, int maxBytes) {
    String topic = sample.topic().name();
    long seq = lastByTopic.getOrDefault(topic, 0L) + 1;
    sample.value().setSeq(seq);
    byte[] bytes = sample.topic().encode(sample.value());
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
}
