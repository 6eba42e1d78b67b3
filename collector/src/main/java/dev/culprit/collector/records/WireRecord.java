package dev.culprit.collector.records;

/**
 * A record the agent publishes, in the agent's own classes (generated at build time from the Avro
 * schemas by {@code dev.culprit.schemas.codegen.WireRecordGenerator}): it writes itself in Avro's
 * binary format without Avro's library, so the agent never loads Avro's {@code Schema} and the
 * Jackson classes its initialiser pulls in.
 */
public interface WireRecord {

  /** Writes this record's fields in Avro's binary encoding, in schema order. */
  void encodeTo(WireEncoder out);
}
