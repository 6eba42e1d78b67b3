package dev.culprit.processor.decode;

import dev.culprit.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Builds dead letters with the coordinates of the record being processed.
 *
 * <p>A dead letter must always be sendable: one carrying a whole 2 MiB poison record would exceed
 * the producer's {@code max.request.size}, fail the send, and with it the task, on the same record
 * after every restart. So the value is kept up to {@link #MAX_VALUE_BYTES} with its original size
 * and SHA-256, and the reason up to {@link #MAX_REASON_CHARS}.
 */
public final class DeadLetters {

  /** The most of a record's value a dead letter keeps: enough to see what the garbage was. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  /** The most of a reason a dead letter keeps (exception messages may quote the input). */
  public static final int MAX_REASON_CHARS = 4 * 1024;

  private DeadLetters() {}

  /**
   * A dead letter for the current record.
   *
   * @param metadata where the record came from; absent for records produced by punctuation
   * @param timestampMs the record's timestamp
   * @param key the record key as consumed (a UTF-8 string, re-encoded to its bytes)
   * @param value the original value bytes, or null
   * @param stage where it failed (decode, validate, clock-skew, rules)
   * @param reason one human line
   * @param error the exception, or null
   */
  public static DeadLetter of(
      java.util.Optional<RecordMetadata> metadata,
      long timestampMs,
      String key,
      byte[] value,
      String stage,
      String reason,
      Throwable error) {
    DeadLetter.Builder letter =
        DeadLetter.newBuilder()
            .setSourceTopic(metadata.map(RecordMetadata::topic).orElse(""))
            .setPartition(metadata.map(RecordMetadata::partition).orElse(-1))
            .setOffset(metadata.map(RecordMetadata::offset).orElse(-1L))
            .setRecordTimestampMs(timestampMs)
            .setKey(bounded(key == null ? null : key.getBytes(StandardCharsets.UTF_8)))
            .setStage(stage)
            .setReason(boundedReason(reason))
            .setExceptionClass(error == null ? null : error.getClass().getName());
    return withValue(letter, value).build();
  }

  /** Sets the value fields: at most {@link #MAX_VALUE_BYTES} of it, its size and its hash. */
  public static DeadLetter.Builder withValue(DeadLetter.Builder letter, byte[] value) {
    if (value == null) {
      return letter.setValue(null).setValueSize(null).setValueSha256(null);
    }
    return letter
        .setValue(bounded(value))
        .setValueSize((long) value.length)
        .setValueSha256(sha256(value));
  }

  /** A reason cut to {@link #MAX_REASON_CHARS}, saying so. */
  public static String boundedReason(String reason) {
    if (reason == null) {
      return "(no message)";
    }
    if (reason.length() <= MAX_REASON_CHARS) {
      return reason;
    }
    return reason.substring(0, MAX_REASON_CHARS)
        + "… ("
        + (reason.length() - MAX_REASON_CHARS)
        + " more characters)";
  }

  /** The first {@link #MAX_VALUE_BYTES} of {@code bytes}, or null. */
  static ByteBuffer bounded(byte[] bytes) {
    if (bytes == null) {
      return null;
    }
    return ByteBuffer.wrap(
        bytes.length <= MAX_VALUE_BYTES ? bytes : Arrays.copyOf(bytes, MAX_VALUE_BYTES));
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
