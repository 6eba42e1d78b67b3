package dev.culprit.app;

import dev.culprit.processor.CulpritProcessor;
import dev.culprit.processor.CulpritTopology;
import dev.culprit.processor.ProcessorConfig;
import dev.culprit.processor.decode.ClockReference;
import dev.culprit.schemas.KafkaSchemaStore;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

/**
 * Re-runs the processor topology over retained samples of a time range, for postmortems.
 *
 * <p>The very topology of {@link CulpritTopology#build} runs in Kafka Streams' in-memory driver
 * rather than as a live application: it reads the sample topics and writes nothing back, so live
 * result topics and alerting never see replayed causes, and the same input gives the same output
 * (event time throughout, deterministic event ids). Records of all sample topics and partitions are
 * merged in timestamp order, as a live task would pick them.
 *
 * <p>Every sample topic a live {@code culprit up} writes is read, so any range it recorded replays;
 * records of topics the topology does not read (collector health) are counted and ignored. The
 * processor's clock, against which a sample too far ahead is a dead letter, is the records' Kafka
 * timestamps ({@link ClockReference#RECORD_TIMESTAMP}), never the replay's wall clock.
 */
final class Replayer {

  /** What one replay produced. */
  record Summary(long samples, long skipped, long ignored, long results, long openWindowsAfterMs) {}

  private final KafkaAccess kafka;
  private final ProcessorConfig config;

  Replayer(KafkaAccess kafka, ProcessorConfig config) {
    this.kafka = kafka;
    this.config = config.withClockSkew(config.maxClockSkew(), ClockReference.RECORD_TIMESTAMP);
  }

  /**
   * Replays samples with {@code from <= timestamp < to} whose key (host) passes {@code hosts},
   * handing every result (root cause, fleet incident, dead letter) to {@code results}.
   */
  Summary replay(Instant from, Instant to, Predicate<String> hosts, Consumer<Object> results) {
    return replay(from, to, hosts, results, r -> {});
  }

  /**
   * As {@link #replay(Instant, Instant, Predicate, Consumer)}, also handing every record of the
   * range that passes {@code hosts} to {@code records} in the order the topology sees it, before
   * the topology does: {@code culprit report} charts the counters behind the causes from the same
   * read.
   */
  Summary replay(
      Instant from,
      Instant to,
      Predicate<String> hosts,
      Consumer<Object> results,
      Consumer<ConsumerRecord<String, byte[]>> records) {
    Properties props = CulpritProcessor.properties(config);
    // The replay feeds the driver in timestamp order and its clock stands still: a task idling
    // for an empty topic (the live processor's guard against reading its topics out of order)
    // would wait forever.
    props.put(org.apache.kafka.streams.StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, 0L);
    long samples = 0;
    long skipped = 0;
    long ignored = 0;
    long lastTs = from.toEpochMilli();
    // Samples of collectors newer than this build decode with their schemas from culprit.schemas.
    KafkaSchemaStore schemas =
        new KafkaSchemaStore(KafkaSchemaStore.clientProperties(kafka.clientProperties()));
    Topology topology =
        CulpritTopology.build(config, new dev.culprit.processor.ProcessorMetrics(), schemas);
    Set<String> read = sourceTopics(topology);
    try (schemas;
        TopologyTestDriver driver = new TopologyTestDriver(topology, props);
        KafkaConsumer<String, byte[]> consumer = consumer()) {
      Map<String, TestInputTopic<String, byte[]>> inputs = new HashMap<>();
      for (Topic<?> t : Topics.samples()) {
        if (read.contains(t.name())) {
          inputs.put(
              t.name(),
              driver.createInputTopic(t.name(), new StringSerializer(), new ByteArraySerializer()));
        }
      }
      Map<Topic<?>, TestOutputTopic<String, byte[]>> outputs = new java.util.LinkedHashMap<>();
      for (Topic<?> t :
          List.of(
              Topics.ROOTCAUSE_PACKET_LOSS,
              Topics.ROOTCAUSE_OOM,
              Topics.FLEET_INCIDENTS,
              Topics.ROOTCAUSE_TRANSITIONS,
              Topics.DEAD_LETTER)) {
        outputs.put(
            t,
            driver.createOutputTopic(
                t.name(), new StringDeserializer(), new ByteArrayDeserializer()));
      }
      Map<String, TestOutputTopic<byte[], byte[]>> discarded = new HashMap<>();
      for (Topic<?> t : outputs.keySet()) {
        discarded.put(t.name(), null); // read by drain()
      }
      Merge merge = new Merge(consumer, from, to, config.maxClockSkew());
      long resultCount = 0;
      ConsumerRecord<String, byte[]> r;
      while ((r = merge.next()) != null) {
        if (r.key() == null || !hosts.test(r.key())) {
          skipped++;
          continue;
        }
        records.accept(r);
        TestInputTopic<String, byte[]> input = inputs.get(r.topic());
        if (input == null) {
          ignored++; // a sample topic no node of the topology reads (none since the live view)
          continue;
        }
        input.pipeInput(new TestRecord<>(r.key(), r.value(), null, r.timestamp()));
        samples++;
        lastTs = Math.max(lastTs, r.timestamp());
        resultCount += drain(outputs, results);
        discardOthers(driver, discarded);
      }
      resultCount += drain(outputs, results);
      // Windows ending after lastTs - grace were never closed: no later sample moved time past
      // them.
      long openAfter = lastTs - config.grace().toMillis() - config.windowSize().toMillis();
      return new Summary(samples, skipped, ignored, resultCount, openAfter);
    }
  }

  /** The topics {@code topology} reads. */
  static Set<String> sourceTopics(Topology topology) {
    Set<String> topics = new java.util.HashSet<>();
    for (TopologyDescription.Subtopology sub : topology.describe().subtopologies()) {
      for (TopologyDescription.Node node : sub.nodes()) {
        if (node instanceof TopologyDescription.Source source && source.topicSet() != null) {
          topics.addAll(source.topicSet());
        }
      }
    }
    return topics;
  }

  /**
   * Empties every other topic the topology wrote (its stores' changelogs, repartition topics): the
   * driver keeps whatever is written to a topic until it is read, so over an hour of a fleet these
   * held a copy of every input record (2 GiB for 200 hosts).
   */
  private static void discardOthers(
      TopologyTestDriver driver, Map<String, TestOutputTopic<byte[], byte[]>> others) {
    Set<String> produced = driver.producedTopicNames();
    if (produced.size() > others.size()) {
      for (String topic : produced) {
        others.computeIfAbsent(
            topic,
            t ->
                driver.createOutputTopic(
                    t, new ByteArrayDeserializer(), new ByteArrayDeserializer()));
      }
    }
    for (TestOutputTopic<byte[], byte[]> other : others.values()) {
      if (other != null && !other.isEmpty()) {
        other.readRecordsToList();
      }
    }
  }

  private static long drain(
      Map<Topic<?>, TestOutputTopic<String, byte[]>> outputs, Consumer<Object> results) {
    long n = 0;
    for (var out : outputs.entrySet()) {
      Topic<?> topic = out.getKey();
      for (var kv : out.getValue().readRecordsToList()) {
        // Transitions are read only to free the driver's memory: a replay prints each window's
        // causes, as `tail packet-loss oom` does.
        if (topic != Topics.ROOTCAUSE_TRANSITIONS) {
          results.accept(topic.valueSerde().deserialize(topic.name(), kv.value()));
          n++;
        }
      }
    }
    return n;
  }

  private KafkaConsumer<String, byte[]> consumer() {
    Properties p = kafka.clientProperties();
    p.put("enable.auto.commit", "false");
    p.put("default.api.timeout.ms", "15000");
    return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
  }

  /**
   * A k-way merge of every sample partition by record timestamp: a record is released only when
   * every unfinished partition has been read up to its timestamp, so the output is in order even
   * though partitions arrive at different speeds.
   */
  private static final class Merge {
    private final KafkaConsumer<String, byte[]> consumer;
    private final long toMs;
    private final long maxAheadMs;
    private final Map<TopicPartition, Long> endOffsets;
    private final Map<TopicPartition, Long> readUpTo = new HashMap<>();
    private final Set<TopicPartition> unfinished = new java.util.HashSet<>();
    private final PriorityQueue<ConsumerRecord<String, byte[]>> buffer =
        new PriorityQueue<>(
            (a, b) ->
                a.timestamp() != b.timestamp()
                    ? Long.compare(a.timestamp(), b.timestamp())
                    : a.topic().equals(b.topic())
                        ? Long.compare(a.offset(), b.offset())
                        : a.topic().compareTo(b.topic()));

    Merge(
        KafkaConsumer<String, byte[]> consumer,
        Instant from,
        Instant to,
        java.time.Duration maxClockSkew) {
      this.consumer = consumer;
      this.toMs = to.toEpochMilli();
      this.maxAheadMs = maxClockSkew.toMillis();
      List<TopicPartition> partitions = new ArrayList<>();
      List<String> missing = new ArrayList<>();
      for (Topic<?> t : Topics.samples()) {
        var infos = consumer.partitionsFor(t.name());
        if (infos == null || infos.isEmpty()) {
          missing.add(t.name()); // a cluster set up by an older culprit lacks the newer topics
          continue;
        }
        infos.forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
      }
      if (partitions.isEmpty()) {
        throw new UserException(
            "none of the sample topics exists (" + missing + "); is this a culprit cluster?");
      }
      consumer.assign(partitions);
      this.endOffsets = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(p -> query.put(p, from.toEpochMilli()));
      Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(query);
      for (TopicPartition p : partitions) {
        OffsetAndTimestamp start = starts.get(p);
        long offset = start == null ? endOffsets.get(p) : start.offset();
        consumer.seek(p, offset);
        if (offset < endOffsets.get(p)) {
          unfinished.add(p);
          readUpTo.put(p, Long.MIN_VALUE);
        }
      }
    }

    ConsumerRecord<String, byte[]> next() {
      while (true) {
        ConsumerRecord<String, byte[]> head = buffer.peek();
        if (head != null && head.timestamp() <= watermark()) {
          return buffer.poll();
        }
        if (unfinished.isEmpty()) {
          return buffer.poll();
        }
        for (ConsumerRecord<String, byte[]> r : consumer.poll(java.time.Duration.ofMillis(500))) {
          TopicPartition p = new TopicPartition(r.topic(), r.partition());
          if (!unfinished.contains(p)) {
            continue;
          }
          if (r.timestamp() >= toMs) {
            // Past the range. Within the allowed skew of its end, the partition's log has moved
            // on: done. Further ahead, it is one host's clock that jumped, and the partition's
            // records after it may still belong to the range.
            if (r.timestamp() - toMs <= maxAheadMs) {
              finish(p);
            }
            continue;
          }
          readUpTo.put(p, r.timestamp());
          buffer.add(r);
        }
        // Done at the end offset seen at start: records produced since belong to no replay range.
        for (TopicPartition p : List.copyOf(unfinished)) {
          if (consumer.position(p) >= endOffsets.get(p)) {
            finish(p);
          }
        }
      }
    }

    private void finish(TopicPartition p) {
      unfinished.remove(p);
      consumer.pause(List.of(p));
    }

    private long watermark() {
      long min = Long.MAX_VALUE;
      for (TopicPartition p : unfinished) {
        min = Math.min(min, readUpTo.get(p));
      }
      return min;
    }
  }
}
