package dev.culprit.processor;

import dev.culprit.schemas.Topic;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * What a replay on the cluster reads and where it writes: the live topology, run as an application
 * of its own over the live sample topics, but admitting only the records of one range and writing
 * its results to topics of its run, never to the live result topics.
 *
 * <p>A record outside the range gets a negative timestamp from the source's extractor, which Kafka
 * Streams drops before it moves any stream time: the live samples that keep arriving after the
 * range's end neither enter a window nor close one, so the same range gives the same results
 * however long the run takes to notice it is done.
 *
 * @param resultPrefix prefix of the run's result topics, replacing the contract's {@code culprit.}
 *     ({@code culprit-replay-RUN.} makes {@code culprit-replay-RUN.rootcause.oom})
 * @param stopOffsets per sample partition, the first offset past the range; a partition not in it
 *     is not read
 * @param toMs records stamped at or after this are past the range (a host's clock ahead)
 * @param hosts the hosts admitted; empty: all
 */
public record ReplayScope(
    String resultPrefix, Map<TopicPartition, Long> stopOffsets, long toMs, Set<String> hosts) {

  private static final String CONTRACT_PREFIX = "culprit.";

  public ReplayScope {
    Objects.requireNonNull(resultPrefix, "resultPrefix");
    if (resultPrefix.isEmpty() || resultPrefix.startsWith(CONTRACT_PREFIX)) {
      throw new IllegalArgumentException(
          "a replay's result topics need a prefix of their own, got '" + resultPrefix + "'");
    }
    stopOffsets = Map.copyOf(stopOffsets);
    hosts = Set.copyOf(hosts);
  }

  /** The run's name for a result topic of the contract. */
  public String resultTopic(Topic<?> topic) {
    String name = topic.name();
    return resultPrefix
        + (name.startsWith(CONTRACT_PREFIX) ? name.substring(CONTRACT_PREFIX.length()) : name);
  }

  /** Whether a sample record belongs to the replayed range. */
  public boolean admits(ConsumerRecord<?, ?> record) {
    Long stop = stopOffsets.get(new TopicPartition(record.topic(), record.partition()));
    if (stop == null || record.offset() >= stop || record.timestamp() >= toMs) {
      return false;
    }
    return hosts.isEmpty() || (record.key() instanceof String host && hosts.contains(host));
  }
}
