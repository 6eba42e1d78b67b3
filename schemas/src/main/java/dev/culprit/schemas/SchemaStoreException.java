package dev.culprit.schemas;

import org.apache.avro.AvroRuntimeException;

/**
 * A {@link KafkaSchemaStore} could not look a fingerprint up: {@code culprit.schemas} is absent,
 * unreadable or did not answer in time. The record that needed it is not decodable now; its reason
 * says why.
 */
public final class SchemaStoreException extends AvroRuntimeException {

  private static final long serialVersionUID = 1L;

  public SchemaStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
