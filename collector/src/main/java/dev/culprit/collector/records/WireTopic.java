package dev.culprit.collector.records;

import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A sample topic as the agent writes it: its name, the agent's class of its records, their schema
 * (as announced on {@code culprit.schemas}) and how a record is turned into the form on the log.
 *
 * @param name the topic
 * @param valueType the agent's record class
 * @param schemaName the schema's full name
 * @param schemaJson the schema as Avro prints it
 * @param fingerprint the 64-bit Rabin fingerprint of its parsing canonical form
 * @param toLog what the record becomes on the log (the identity, except for the protocol sample's
 *     packed counters)
 */
public record WireTopic<V extends WireSample>(
    String name,
    Class<V> valueType,
    String schemaName,
    String schemaJson,
    long fingerprint,
    UnaryOperator<V> toLog) {

  public WireTopic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(valueType, "valueType");
    Objects.requireNonNull(schemaName, "schemaName");
    Objects.requireNonNull(schemaJson, "schemaJson");
    Objects.requireNonNull(toLog, "toLog");
  }

  /**
   * The record's single-object encoding, as the processor's serde reads it.
   *
   * @throws IllegalArgumentException when {@code record} is not this topic's type, or a field the
   *     schema requires is null
   */
  public byte[] encode(WireRecord record) {
    if (!valueType.isInstance(record)) {
      throw new IllegalArgumentException(
          record.getClass().getSimpleName() + " does not belong on " + name);
    }
    try {
      return WireEncoder.singleObject(fingerprint, toLog.apply(valueType.cast(record)));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("cannot encode " + schemaName + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
