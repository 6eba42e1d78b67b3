package dev.culprit.collector.publish.wire;

import dev.culprit.collector.publish.spool.SpoolRecord;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The records of one {@link WireProducer#send} call, where each one is and what became of it (the
 * part of Kafka's {@code RecordAccumulator} this client needs: it never holds more than one
 * window).
 */
final class Window {

  final List<SpoolRecord> records;
  final WireProducer.Outcome[] outcomes;
  final int[] partitionOf;
  final Map<TopicPartition, ArrayDeque<Integer>> pending = new LinkedHashMap<>();
  final Map<TopicPartition, Integer> batchLimit = new HashMap<>();
  private int open;

  Window(List<SpoolRecord> records) {
    this.records = records;
    this.outcomes = new WireProducer.Outcome[records.size()];
    this.partitionOf = new int[records.size()];
    Arrays.fill(partitionOf, -1);
    this.open = records.size();
  }

  boolean done() {
    return open == 0;
  }

  Set<String> topics() {
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < records.size(); i++) {
      if (outcomes[i] == null) {
        names.add(records.get(i).topic());
      }
    }
    return names;
  }

  /**
   * Gives every unassigned record its partition where the topic's metadata allows; a record keeps
   * its partition for good (its batch may already be on the broker). Returns why some record could
   * not be assigned, or null.
   */
  String assign(Map<String, MetadataMessage.Topic> topics) {
    String failure = null;
    for (int i = 0; i < records.size(); i++) {
      if (partitionOf[i] >= 0 || outcomes[i] != null) {
        continue;
      }
      SpoolRecord r = records.get(i);
      MetadataMessage.Topic topic = topics.get(r.topic());
      if (topic == null || topic.errorCode() != KafkaErrors.NONE || topic.partitions().isEmpty()) {
        String why =
            topic == null
                ? "not in the broker's answer"
                : topic.errorCode() != KafkaErrors.NONE
                    ? KafkaErrors.name(topic.errorCode())
                    : "no partitions";
        if (topic != null && topic.errorCode() == KafkaErrors.INVALID_TOPIC_EXCEPTION) {
          fail(i, "topic " + r.topic() + ": " + why, true);
          continue;
        }
        if (topic == null || KafkaErrors.topicUnavailable(topic.errorCode())) {
          // The metadata was fetched for this very topic in this round: waiting here would hold
          // back every other topic of the window. The caller decides when to try again.
          settle(i, WireProducer.Outcome.topicUnavailable("topic " + r.topic() + ": " + why));
          continue;
        }
        failure = failure == null ? "topic " + r.topic() + ": " + why : failure;
        continue;
      }
      int partition = Partitioner.partition(r.key(), topic.partitions().size());
      partitionOf[i] = partition;
      pending
          .computeIfAbsent(new TopicPartition(r.topic(), partition), k -> new ArrayDeque<>())
          .add(i);
    }
    return failure;
  }

  void acknowledge(TopicPartition tp, List<Integer> sent) {
    ArrayDeque<Integer> queue = pending.get(tp);
    for (int index : sent) {
      queue.remove(index);
      settle(index, WireProducer.Outcome.OK);
    }
  }

  void reject(TopicPartition tp, List<Integer> indexes, String error) {
    reject(tp, indexes, new WireProducer.Outcome(error, true));
  }

  /** The records at {@code indexes} of {@code tp} fail for good with {@code outcome}. */
  void reject(TopicPartition tp, List<Integer> indexes, WireProducer.Outcome outcome) {
    ArrayDeque<Integer> queue = pending.get(tp);
    for (int index : indexes) {
      queue.remove(index);
      settle(index, outcome);
    }
  }

  /** Every record still pending on {@code tp} fails with {@code outcome}. */
  void failPartition(TopicPartition tp, WireProducer.Outcome outcome) {
    ArrayDeque<Integer> queue = pending.get(tp);
    if (queue != null) {
      for (int index : queue) {
        settle(index, outcome);
      }
      queue.clear();
    }
  }

  void fail(int index, String error, boolean permanent) {
    settle(index, new WireProducer.Outcome(error, permanent));
  }

  /** Every record without an outcome gets {@code outcome}. */
  void failRest(WireProducer.Outcome outcome) {
    for (int i = 0; i < outcomes.length; i++) {
      settle(i, outcome);
    }
    pending.clear();
  }

  /** Record {@code index}'s outcome, once: a record that has one keeps it. */
  private void settle(int index, WireProducer.Outcome outcome) {
    if (outcomes[index] == null) {
      outcomes[index] = outcome;
      open--;
    }
  }
}
