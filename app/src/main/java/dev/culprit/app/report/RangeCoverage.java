package dev.culprit.app.report;

import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the sample topics could not show of a range: hosts that sent samples shortly before it but
 * none inside it, and topics whose retention already deleted its beginning.
 */
public final class RangeCoverage {

  /** A topic whose oldest retained record is younger than the range's start. */
  public record Truncated(String topic, long earliestMs) {}

  /** The hosts seen before the range, and the truncated topics. */
  public record Result(Map<String, Long> seenBefore, List<Truncated> truncated) {}

  private RangeCoverage() {}

  /**
   * Reads the keys (hosts) of every sample topic between {@code from - lookback} and {@code from},
   * and the oldest retained record of every partition.
   *
   * @return for each host seen in the lookback, its last sample time before the range
   */
  public static Result read(
      Properties client, Instant from, Duration lookback, Predicate<String> hosts) {
    Properties p = new Properties();
    p.putAll(client);
    p.put("enable.auto.commit", "false");
    p.put("default.api.timeout.ms", "15000");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (Topic<?> t : Topics.samples()) {
        List<PartitionInfo> infos = consumer.partitionsFor(t.name());
        if (infos != null) {
          infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
      }
      if (partitions.isEmpty()) {
        return new Result(Map.of(), List.of());
      }
      consumer.assign(partitions);
      List<Truncated> truncated = truncated(consumer, partitions, from.toEpochMilli());
      return new Result(seenBefore(consumer, partitions, from, lookback, hosts), truncated);
    }
  }

  private static List<Truncated> truncated(
      KafkaConsumer<String, byte[]> consumer, List<TopicPartition> partitions, long fromMs) {
    Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    Set<TopicPartition> open = new HashSet<>();
    Map<String, Long> earliest = new TreeMap<>();
    for (TopicPartition tp : partitions) {
      if (begin.get(tp) < end.get(tp)) {
        consumer.seek(tp, begin.get(tp));
        open.add(tp);
      } else if (begin.get(tp) > 0) {
        // Everything this partition ever held is gone: the whole range is lost for it.
        earliest.merge(tp.topic(), Long.MAX_VALUE, Math::max);
      }
    }
    consumer.pause(partitions);
    consumer.resume(open);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (open.remove(tp)) {
          consumer.pause(List.of(tp));
          if (begin.get(tp) > 0) {
            // Offset 0 still there: nothing was deleted, however young the first record is.
            earliest.merge(r.topic(), r.timestamp(), Math::max);
          }
        }
      }
    }
    List<Truncated> out = new ArrayList<>();
    earliest.forEach(
        (topic, ts) -> {
          if (ts > fromMs) {
            out.add(new Truncated(topic, ts));
          }
        });
    return out;
  }

  private static Map<String, Long> seenBefore(
      KafkaConsumer<String, byte[]> consumer,
      List<TopicPartition> partitions,
      Instant from,
      Duration lookback,
      Predicate<String> hosts) {
    Map<String, Long> seen = new TreeMap<>();
    long start = from.minus(lookback).toEpochMilli();
    long fromMs = from.toEpochMilli();
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, start));
    Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
    Map<TopicPartition, Long> stop = new HashMap<>();
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    Set<TopicPartition> open =
        new TreeSet<>(java.util.Comparator.comparing(TopicPartition::toString));
    Map<TopicPartition, Long> query2 = new HashMap<>();
    partitions.forEach(tp -> query2.put(tp, fromMs));
    Map<TopicPartition, OffsetAndTimestamp> fromOffsets = consumer.offsetsForTimes(query2);
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp s = starts.get(tp);
      OffsetAndTimestamp f = fromOffsets.get(tp);
      long stopAt = f == null ? end.get(tp) : f.offset();
      if (s != null && s.offset() < stopAt) {
        consumer.seek(tp, s.offset());
        stop.put(tp, stopAt);
        open.add(tp);
      }
    }
    consumer.pause(partitions);
    consumer.resume(open);
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        if (!open.contains(tp)) {
          continue;
        }
        if (r.offset() >= stop.get(tp)) {
          open.remove(tp);
          consumer.pause(List.of(tp));
          continue;
        }
        if (r.key() != null && r.timestamp() < fromMs && hosts.test(r.key())) {
          seen.merge(r.key(), r.timestamp(), Math::max);
        }
      }
      for (TopicPartition tp : List.copyOf(open)) {
        if (consumer.position(tp) >= stop.get(tp)) {
          open.remove(tp);
          consumer.pause(List.of(tp));
        }
      }
    }
    return seen;
  }
}
