package dev.culprit.collector.publish.wire;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Metadata (key 3), flexible versions 9 to 12: the brokers and, for the named topics, each
 * partition's leader. Topics are never created by this request: the collector's topics are made by
 * {@code culprit topics} / the broker's own settings, not as a side effect of a probe.
 */
final class MetadataMessage {

  static final short KEY = 3;
  static final short MIN_VERSION = 9;
  static final short MAX_VERSION = 12;

  private MetadataMessage() {}

  static void writeRequest(WireWriter w, short version, Collection<String> topics) {
    w.compactArrayLength(topics.size());
    for (String topic : topics) {
      if (version >= 10) {
        w.zeroUuid();
      }
      w.compactString(topic);
      w.noTaggedFields();
    }
    // allow_auto_topic_creation=false: a probe for metadata must never create a topic (a typo in a
    // topic name would otherwise become a topic wherever auto.create.topics.enable is on).
    w.bool(false);
    if (version <= 10) {
      w.bool(false); // include cluster authorized operations (v8-10)
    }
    w.bool(false); // include topic authorized operations
    w.noTaggedFields();
  }

  /** A broker's address. */
  record Broker(int nodeId, String host, int port) {}

  /** A partition's error and leader (-1: none). */
  record Partition(int index, short errorCode, int leader) {}

  /** A topic's error and partitions, indexed by partition number. */
  record Topic(String name, short errorCode, List<Partition> partitions) {}

  record Response(Map<Integer, Broker> brokers, Map<String, Topic> topics) {}

  static Response readResponse(WireReader r, short version) throws WireProtocolException {
    r.int32(); // throttle time
    int nBrokers = r.compactArrayLength();
    Map<Integer, Broker> brokers = new HashMap<>();
    for (int i = 0; i < nBrokers; i++) {
      int nodeId = r.int32();
      String host = r.compactString();
      int port = r.int32();
      r.compactNullableString(); // rack
      r.skipTaggedFields();
      brokers.put(nodeId, new Broker(nodeId, host, port));
    }
    r.compactNullableString(); // cluster id
    r.int32(); // controller id
    int nTopics = r.compactArrayLength();
    Map<String, Topic> topics = new HashMap<>();
    for (int i = 0; i < nTopics; i++) {
      short error = r.int16();
      String name = r.compactNullableString();
      if (version >= 10) {
        r.skipUuid();
      }
      r.bool(); // internal
      int nPartitions = r.compactArrayLength();
      List<Partition> partitions = new ArrayList<>(Math.max(0, nPartitions));
      for (int p = 0; p < nPartitions; p++) {
        short pError = r.int16();
        int index = r.int32();
        int leader = r.int32();
        r.int32(); // leader epoch
        skipInt32Array(r); // replicas
        skipInt32Array(r); // in-sync replicas
        skipInt32Array(r); // offline replicas
        r.skipTaggedFields();
        partitions.add(new Partition(index, pError, leader));
      }
      partitions.sort((a, b) -> Integer.compare(a.index(), b.index()));
      r.int32(); // topic authorized operations
      r.skipTaggedFields();
      if (name != null) {
        topics.put(name, new Topic(name, error, List.copyOf(partitions)));
      }
    }
    if (version <= 10) {
      r.int32(); // cluster authorized operations
    }
    r.skipTaggedFields();
    return new Response(brokers, topics);
  }

  private static void skipInt32Array(WireReader r) throws WireProtocolException {
    int n = r.compactArrayLength();
    if (n > 0) {
      r.skip(4 * n, "int32 array");
    }
  }
}
