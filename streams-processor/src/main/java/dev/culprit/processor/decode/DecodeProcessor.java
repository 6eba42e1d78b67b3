package dev.culprit.processor.decode;

import dev.culprit.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;

/**
 * Decodes the value bytes of one sample topic with that topic's serde and checks the sample header;
 * a record that fails becomes a dead letter with its topic, partition, offset and reason.
 *
 * <p>The key must equal the sample's host: the topology groups by key without repartitioning, so a
 * record keyed otherwise would be judged with another host's state.
 */
final class DecodeProcessor<V extends SpecificRecord>
    implements FixedKeyProcessor<String, byte[], Outcome<V>> {

  private final Topic<V> topic;
  private FixedKeyProcessorContext<String, Outcome<V>> context;

  DecodeProcessor(Topic<V> topic) {
    this.topic = topic;
  }

  @Override
  public void init(FixedKeyProcessorContext<String, Outcome<V>> context) {
    this.context = context;
  }

  @Override
  public void process(FixedKeyRecord<String, byte[]> record) {
    byte[] bytes = record.value();
    if (bytes == null) {
      context.forward(record.withValue(failed(record, "decode", "null value (tombstone)", null)));
      return;
    }
    V value;
    try {
      value = topic.valueSerde().decode(bytes);
    } catch (RuntimeException e) {
      context.forward(record.withValue(failed(record, "decode", e.getMessage(), e)));
      return;
    }
    String problem = validate(record.key(), value);
    if (problem != null) {
      context.forward(record.withValue(failed(record, "validate", problem, null)));
      return;
    }
    context.forward(record.withValue(Outcome.ok(value)));
  }

  private static String validate(String key, SpecificRecord value) {
    SampleHeader header = SampleHeader.of(value);
    if (header.host() == null || header.host().isBlank()) {
      return "sample has a blank host";
    }
    if (!header.host().equals(key)) {
      return "record key " + quote(key) + " is not the sample's host " + quote(header.host());
    }
    if (header.sampleTimeMs() <= 0) {
      return "sampleTimeMs " + header.sampleTimeMs() + " is not an epoch time";
    }
    if (header.collectorId() == null || header.collectorId().isBlank()) {
      return "sample has a blank collectorId";
    }
    return null;
  }

  private Outcome<V> failed(
      FixedKeyRecord<String, byte[]> record, String stage, String reason, Throwable error) {
    return Outcome.failed(
        DeadLetters.of(
            context.recordMetadata(),
            record.timestamp(),
            record.key(),
            record.value(),
            stage,
            reason,
            error));
  }

  private static String quote(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }
}
