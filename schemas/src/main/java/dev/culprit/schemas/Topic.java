package dev.culprit.schemas;

import java.util.Objects;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * One topic of the culprit contract with the only serdes it may be read or written with. Keys are
 * always the host id as a UTF-8 string (the signature for fleet incidents).
 *
 * @param name the Kafka topic name
 * @param kind what the topic holds, which decides its retention and partitioning
 * @param valueType the generated Avro class of its values
 * @param valueSerde single-object-encoded Avro serde of that class
 * @param description one line for help texts and the README
 * @param <V> the value type
 */
public record Topic<V extends SpecificRecord>(
    String name, Kind kind, Class<V> valueType, AvroSerde<V> valueSerde, String description) {

  /** What a topic holds. */
  public enum Kind {
    /** Raw samples published by collectors, replayed for postmortems. */
    SAMPLE,
    /** Results of the processor: root causes and fleet incidents. */
    RESULT,
    /** Records that could not be decoded or processed. */
    DEAD_LETTER
  }

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(valueType, "valueType");
    Objects.requireNonNull(valueSerde, "valueSerde");
    Objects.requireNonNull(description, "description");
  }

  /** The key serde of every culprit topic: the host id (or incident signature) as UTF-8. */
  public Serde<String> keySerde() {
    return Serdes.String();
  }

  /** The writer schema of this topic's values. */
  public Schema valueSchema() {
    return valueSerde.schema();
  }

  @Override
  public String toString() {
    return name;
  }
}
