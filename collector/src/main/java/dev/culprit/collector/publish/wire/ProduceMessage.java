package dev.culprit.collector.publish.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Produce (key 0), flexible versions 9 to 12 (topics by name): one record batch per partition,
 * {@code acks=-1} (every in-sync replica). v10 to 12 only add tagged fields this client skips.
 */
final class ProduceMessage {

  static final short KEY = 0;
  static final short MIN_VERSION = 9;
  static final short MAX_VERSION = 12;
  static final short ACKS_ALL = -1;

  private ProduceMessage() {}

  /**
   * @param batches topic → partition → encoded record batch
   */
  static void writeRequest(WireWriter w, int timeoutMs, Map<String, Map<Integer, byte[]>> batches) {
    w.compactNullableString(null); // transactional id
    w.int16(ACKS_ALL);
    w.int32(timeoutMs);
    w.compactArrayLength(batches.size());
    for (Map.Entry<String, Map<Integer, byte[]>> topic : batches.entrySet()) {
      w.compactString(topic.getKey());
      w.compactArrayLength(topic.getValue().size());
      for (Map.Entry<Integer, byte[]> partition : topic.getValue().entrySet()) {
        w.int32(partition.getKey());
        byte[] batch = partition.getValue();
        w.uvarint(batch.length + 1); // compact records: length + 1
        w.bytes(batch);
        w.noTaggedFields();
      }
      w.noTaggedFields();
    }
    w.noTaggedFields();
  }

  /**
   * One partition's outcome; {@code badRecords} lists the batch indexes the broker named; {@code
   * logStartOffset} tells a producer state removed by retention from one lost with the log.
   */
  record PartitionResult(
      short errorCode,
      long baseOffset,
      long logStartOffset,
      List<Integer> badRecords,
      String message) {}

  /**
   * topic → partition → outcome, and how long the broker asks this client to wait before its next
   * request (a quota was exceeded; the broker also mutes the connection for that long).
   */
  record Response(Map<String, Map<Integer, PartitionResult>> results, int throttleTimeMs) {}

  static Response readResponse(WireReader r) throws WireProtocolException {
    Map<String, Map<Integer, PartitionResult>> results = new LinkedHashMap<>();
    int nTopics = r.compactArrayLength();
    for (int t = 0; t < nTopics; t++) {
      String topic = r.compactString();
      Map<Integer, PartitionResult> partitions = new LinkedHashMap<>();
      int nPartitions = r.compactArrayLength();
      for (int p = 0; p < nPartitions; p++) {
        int index = r.int32();
        short error = r.int16();
        long baseOffset = r.int64();
        r.int64(); // log append time
        long logStartOffset = r.int64();
        int nErrors = r.compactArrayLength();
        List<Integer> bad = new ArrayList<>(Math.max(0, nErrors));
        for (int e = 0; e < nErrors; e++) {
          bad.add(r.int32());
          r.compactNullableString();
          r.skipTaggedFields();
        }
        String message = r.compactNullableString();
        r.skipTaggedFields(); // v10+: the current leader
        partitions.put(
            index,
            new PartitionResult(error, baseOffset, logStartOffset, List.copyOf(bad), message));
      }
      r.skipTaggedFields();
      results.put(topic, partitions);
    }
    int throttleTimeMs = r.int32();
    r.skipTaggedFields(); // v10+: node endpoints
    return new Response(results, throttleTimeMs);
  }
}
