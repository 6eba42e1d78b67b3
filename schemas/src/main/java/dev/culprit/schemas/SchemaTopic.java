package dev.culprit.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;

/**
 * The compacted topic {@code culprit.schemas}: every schema a collector writes records with, so a
 * reader built before that schema existed can still decode them, in whatever order collectors and
 * processors are upgraded.
 *
 * <p>Key: the schema's CRC-64-AVRO fingerprint (the 8 bytes after {@code C3 01} in every record it
 * wrote) as 16 lower-case hex digits, UTF-8. Value: the schema's JSON text, UTF-8, so a consumer in
 * any language can fetch it. Compaction keeps one record per key, so publishing the same schema
 * again at every collector start costs nothing lasting.
 *
 * <p>Not a {@link Topic}: its values are not Avro records, and nothing reads it through a serde.
 */
public final class SchemaTopic {

  /** The topic's name. */
  public static final String NAME = "culprit.schemas";

  /** One line for help texts and the README. */
  public static final String DESCRIPTION =
      "every schema collectors write with, keyed by fingerprint (compacted)";

  private SchemaTopic() {}

  /** The CRC-64-AVRO fingerprint single-object encoding puts in front of every record. */
  public static long fingerprint(Schema schema) {
    return SchemaNormalization.parsingFingerprint64(schema);
  }

  /** The record key of a fingerprint: 16 lower-case hex digits. */
  public static String key(long fingerprint) {
    String hex = Long.toHexString(fingerprint);
    return "0".repeat(16 - hex.length()) + hex;
  }

  /** The record key of a schema. */
  public static String key(Schema schema) {
    return key(fingerprint(schema));
  }

  /** The record value of a schema: its JSON text, UTF-8. */
  public static byte[] value(Schema schema) {
    return schema.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The fingerprint a key names.
   *
   * @throws IllegalArgumentException when it is not 16 hex digits
   */
  public static long parseKey(String key) {
    if (key == null || key.length() != 16) {
      throw new IllegalArgumentException("not a 16-digit hex fingerprint: " + key);
    }
    return Long.parseUnsignedLong(key, 16);
  }
}
