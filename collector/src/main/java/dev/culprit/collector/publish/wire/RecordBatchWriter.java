package dev.culprit.collector.publish.wire;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Encodes records as one Kafka record batch, format v2 (magic 2), the format every broker since
 * 0.11 stores, with the idempotent producer's id, epoch and base sequence:
 *
 * <pre>
 * baseOffset int64 (0) | batchLength int32 | partitionLeaderEpoch int32 (-1) | magic int8 (2)
 * | crc uint32 (CRC-32C of everything after it) | attributes int16 (codec in bits 0-2)
 * | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 | producerId int64
 * | producerEpoch int16 | baseSequence int32 | recordCount int32 | records (compressed together)
 *
 * record: length varint | attributes int8 (0) | timestampDelta varlong | offsetDelta varint
 *         | keyLength varint | key | valueLength varint | value | headerCount varint (0)
 * </pre>
 *
 * (https://kafka.apache.org/documentation/#recordbatch)
 */
final class RecordBatchWriter {

  /** Bytes before the records: everything from baseOffset to recordCount. */
  static final int HEADER_BYTES = 61;

  private static final int CRC_AT = 17;
  private static final int ATTRIBUTES_AT = 21;

  private RecordBatchWriter() {}

  /**
   * The batch of {@code records} (all of one partition, in order).
   *
   * @param nowMs the timestamp of records that carry none
   */
  static byte[] write(
      List<SpoolRecord> records,
      long producerId,
      short producerEpoch,
      int baseSequence,
      Compression compression,
      int level,
      long nowMs) {
    if (records.isEmpty()) {
      throw new IllegalArgumentException("empty batch");
    }
    long baseTimestamp = timestamp(records.get(0), nowMs);
    long maxTimestamp = baseTimestamp;
    WireWriter body = new WireWriter(estimate(records));
    WireWriter record = new WireWriter(256);
    for (int i = 0; i < records.size(); i++) {
      SpoolRecord r = records.get(i);
      long ts = timestamp(r, nowMs);
      maxTimestamp = Math.max(maxTimestamp, ts);
      record.reset();
      record.int8(0).varlong(ts - baseTimestamp).varint(i);
      record.varint(r.key().length).bytes(r.key());
      record.varint(r.value().length).bytes(r.value());
      record.varint(0);
      body.varint(record.size()).bytes(record.array(), 0, record.size());
    }
    byte[] payload =
        compression == Compression.NONE
            ? null
            : compression.compress(body.array(), 0, body.size(), level);
    int payloadSize = payload == null ? body.size() : payload.length;

    WireWriter batch = new WireWriter(HEADER_BYTES + payloadSize);
    batch.int64(0);
    batch.int32(HEADER_BYTES - 12 + payloadSize); // batchLength: after baseOffset and itself
    batch.int32(-1);
    batch.int8(2);
    batch.int32(0); // crc, below
    batch.int16(compression.codec());
    batch.int32(records.size() - 1);
    batch.int64(baseTimestamp);
    batch.int64(maxTimestamp);
    batch.int64(producerId);
    batch.int16(producerEpoch);
    batch.int32(baseSequence);
    batch.int32(records.size());
    if (payload == null) {
      batch.bytes(body.array(), 0, body.size());
    } else {
      batch.bytes(payload);
    }
    CRC32C crc = new CRC32C();
    crc.update(batch.array(), ATTRIBUTES_AT, batch.size() - ATTRIBUTES_AT);
    batch.putInt32(CRC_AT, (int) crc.getValue());
    return batch.toByteArray();
  }

  private static long timestamp(SpoolRecord r, long nowMs) {
    return r.timestampMs() == SpoolRecord.NO_TIMESTAMP ? nowMs : r.timestampMs();
  }

  private static int estimate(List<SpoolRecord> records) {
    long n = 0;
    for (SpoolRecord r : records) {
      n += r.key().length + r.value().length + 16;
    }
    return (int) Math.min(n, 1 << 24);
  }
}
