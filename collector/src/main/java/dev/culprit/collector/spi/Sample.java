package dev.culprit.collector.spi;

import dev.culprit.collector.records.WireSample;
import dev.culprit.collector.records.WireTopic;
import java.util.Objects;

/**
 * One record a source produced, with the contract topic it belongs on.
 *
 * @param topic the topic (and so the schema)
 * @param key the record key: the host id
 * @param value the record, an instance of {@code topic.valueType()}
 */
public record Sample(WireTopic<?> topic, String key, WireSample value) {

  public Sample {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
    if (!topic.valueType().isInstance(value)) {
      throw new IllegalArgumentException(
          value.getClass().getSimpleName() + " does not belong on " + topic.name());
    }
  }
}
