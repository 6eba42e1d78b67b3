package dev.culprit.collector.publish.wire;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The producer's cache of cluster metadata: the brokers and, for every topic asked about so far,
 * each partition's leader. Fetched again when an answer says a leader moved, when a topic is
 * missing from it, and after {@link #METADATA_MAX_AGE_MS} even when nothing failed.
 */
final class ProducerMetadata {

  /**
   * Metadata is fetched again after this long even when nothing failed (the Java client's
   * metadata.max.age.ms): new partitions and moved leaders are seen without an error first.
   */
  static final long METADATA_MAX_AGE_MS = 300_000;

  private final LongSupplier clock;
  private Map<Integer, MetadataMessage.Broker> brokers = Map.of();
  private Map<String, MetadataMessage.Topic> topics = Map.of();
  private boolean stale = true;
  private long fetchedAtMs;

  ProducerMetadata(LongSupplier clock) {
    this.clock = clock;
  }

  /** The next round fetches metadata first. */
  void requestUpdate() {
    stale = true;
  }

  /** Fetches metadata through {@code session} when the cache cannot serve {@code wanted}. */
  void updateIfNeeded(NetworkClient.Session session, Set<String> wanted) throws IOException {
    if (stale || clock.getAsLong() - fetchedAtMs >= METADATA_MAX_AGE_MS || !usable(wanted)) {
      // Every topic known so far too: the cache stays whole, so the next window needs no request.
      Set<String> all = new LinkedHashSet<>(topics.keySet());
      all.addAll(wanted);
      fetch(session, all);
    }
  }

  Map<String, MetadataMessage.Topic> topics() {
    return topics;
  }

  MetadataMessage.Broker broker(int nodeId) {
    return brokers.get(nodeId);
  }

  /** The leader of {@code tp}, or -1 when unknown or the partition has an error. */
  int leaderOf(TopicPartition tp) {
    MetadataMessage.Topic topic = topics.get(tp.topic());
    if (topic == null) {
      return -1;
    }
    for (MetadataMessage.Partition p : topic.partitions()) {
      if (p.index() == tp.partition()) {
        return p.errorCode() == KafkaErrors.NONE ? p.leader() : -1;
      }
    }
    return -1;
  }

  private void fetch(NetworkClient.Session session, Set<String> wanted) throws IOException {
    ByteBuffer answer =
        session
            .connection()
            .call(
                MetadataMessage.KEY,
                session.metadata(),
                w -> MetadataMessage.writeRequest(w, session.metadata(), wanted));
    MetadataMessage.Response r =
        MetadataMessage.readResponse(new WireReader(answer), session.metadata());
    if (r.brokers().isEmpty()) {
      throw new IOException("broker " + session.connection().address() + " lists no brokers");
    }
    brokers = r.brokers();
    topics = r.topics();
    stale = false;
    fetchedAtMs = clock.getAsLong();
  }

  /** Whether the cached metadata has every one of {@code wanted} with its partitions. */
  private boolean usable(Set<String> wanted) {
    for (String name : wanted) {
      MetadataMessage.Topic t = topics.get(name);
      if (t == null || t.errorCode() != KafkaErrors.NONE || t.partitions().isEmpty()) {
        return false;
      }
    }
    return true;
  }

  static String address(MetadataMessage.Broker b) {
    return b.host().contains(":") ? "[" + b.host() + "]:" + b.port() : b.host() + ":" + b.port();
  }
}
