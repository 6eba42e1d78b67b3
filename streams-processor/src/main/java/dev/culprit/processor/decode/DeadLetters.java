package dev.culprit.processor.decode;

import dev.culprit.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** Builds dead letters with the coordinates of the record being processed. */
public final class DeadLetters {

  private DeadLetters() {}

  /**
   * A dead letter for the current record.
   *
   * @param metadata where the record came from; absent for records produced by punctuation
   * @param timestampMs the record's timestamp
   * @param key the record key as consumed (a UTF-8 string, re-encoded to its bytes)
   * @param value the original value bytes, or null
   * @param stage where it failed (decode, validate, rules)
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
    return DeadLetter.newBuilder()
        .setSourceTopic(metadata.map(RecordMetadata::topic).orElse(""))
        .setPartition(metadata.map(RecordMetadata::partition).orElse(-1))
        .setOffset(metadata.map(RecordMetadata::offset).orElse(-1L))
        .setRecordTimestampMs(timestampMs)
        .setKey(key == null ? null : ByteBuffer.wrap(key.getBytes(StandardCharsets.UTF_8)))
        .setValue(value == null ? null : ByteBuffer.wrap(value))
        .setStage(stage)
        .setReason(reason == null ? "(no message)" : reason)
        .setExceptionClass(error == null ? null : error.getClass().getName())
        .build();
  }
}
