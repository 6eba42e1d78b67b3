package dev.culprit.schemas;

import org.apache.kafka.common.errors.SerializationException;

/** Bytes that are not a record of the expected culprit schema (or one of its past versions). */
public final class RecordDecodeException extends SerializationException {

  private final String schemaName;

  public RecordDecodeException(String schemaName, String reason, Throwable cause) {
    super("cannot decode " + schemaName + ": " + reason, cause);
    this.schemaName = schemaName;
  }

  /** Name of the schema the bytes were expected to hold. */
  public String schemaName() {
    return schemaName;
  }
}
