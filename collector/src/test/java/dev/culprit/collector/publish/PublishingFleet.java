package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.probe;
import static dev.culprit.collector.testing.TestSamples.protocol;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Sample;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * Several collectors publishing at once, each its own {@link KafkaPublisher} with its own spool and
 * {@code collectorId}, one probe sample every few milliseconds each, as a fleet does during a
 * broker failure; and the check that the topic holds each of their samples exactly once.
 */
public final class PublishingFleet implements AutoCloseable {

  private static final Duration PERIOD = Duration.ofMillis(20);

  private final List<String> hosts = new ArrayList<>();
  private final List<KafkaPublisher> publishers = new ArrayList<>();
  private final List<Topic<?>> topics;
  private final AtomicBoolean paused = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Thread loop;
  private volatile long cycles;

  public PublishingFleet(
      String prefix, int size, String bootstrap, Map<String, String> overrides, Path spools)
      throws IOException {
    this(prefix, size, bootstrap, overrides, spools, List.of(Topics.PROBE));
  }

  /**
   * A fleet whose every collector publishes one sample to each of {@code topics} (probe and
   * protocol) every cycle.
   */
  public PublishingFleet(
      String prefix,
      int size,
      String bootstrap,
      Map<String, String> overrides,
      Path spools,
      List<Topic<?>> topics)
      throws IOException {
    for (Topic<?> t : topics) {
      if (t != Topics.PROBE && t != Topics.PROTOCOL) {
        throw new IllegalArgumentException("a fleet publishes probe and protocol samples: " + t);
      }
    }
    this.topics = List.copyOf(topics);
    for (int i = 0; i < size; i++) {
      String host = prefix + "-h" + i;
      hosts.add(host);
      publishers.add(
          KafkaPublisher.open(
              bootstrap, overrides, host, spools.resolve(host), Spool.DEFAULT_MAX_BYTES));
    }
    loop = new Thread(this::run, prefix + "-publish");
    loop.setDaemon(true);
    loop.start();
  }

  /** The publisher of host {@code index}. */
  public KafkaPublisher publisher(int index) {
    return publishers.get(index);
  }

  /** The collectors' host ids (each also its producer's client.id). */
  public List<String> hosts() {
    return List.copyOf(hosts);
  }

  /** The partition of the probe topic that host {@code index}'s samples go to. */
  public int partitionOf(int index, int partitions) {
    byte[] key =
        Topics.PROBE.keySerde().serializer().serialize(Topics.PROBE.name(), hosts.get(index));
    return Utils.toPositive(Utils.murmur2(key)) % partitions;
  }

  /** Cycles published so far. */
  public long cycles() {
    return cycles;
  }

  /** Waits until {@code more} further cycles were published. */
  public void awaitCycles(long more) {
    long target = cycles + more;
    dev.culprit.broker.cluster.KafkaCluster.awaitTrue(
        () -> cycles >= target, Duration.ofSeconds(60), target + " publish cycles");
  }

  /** Stops or restarts publishing, leaving the publishers open (their producers go idle). */
  public void pause(boolean pause) {
    paused.set(pause);
  }

  /**
   * Stops publishing, waits until every publisher delivered its spool, and closes them.
   *
   * @return how many samples each collector published, by {@code collectorId}
   */
  public Map<String, Long> stopAndFlush(Duration timeout) throws InterruptedException {
    return stopAndFlushAll(timeout).get(Topics.PROBE.name());
  }

  /**
   * As {@link #stopAndFlush} for every topic the fleet publishes.
   *
   * @return by topic name, how many samples each collector published there, by {@code collectorId}
   */
  public Map<String, Map<String, Long>> stopAndFlushAll(Duration timeout)
      throws InterruptedException {
    stopped.set(true);
    loop.join();
    Map<String, Map<String, Long>> published = new TreeMap<>();
    for (int i = 0; i < hosts.size(); i++) {
      KafkaPublisher p = publishers.get(i);
      assertThat(p.flush(timeout))
          .as("%s delivered its spool within %s", hosts.get(i), timeout)
          .isTrue();
      for (Topic<?> t : topics) {
        published
            .computeIfAbsent(t.name(), k -> new TreeMap<>())
            .put(hosts.get(i), p.lastSeq(t.name()));
      }
    }
    return published;
  }

  @Override
  public void close() {
    stopped.set(true);
    publishers.forEach(KafkaPublisher::close);
  }

  /**
   * Reads the probe topic to its end and returns, by {@code collectorId} of this fleet, every
   * {@code seq} found, in the order read (duplicates kept).
   */
  public Map<String, List<Long>> readSeqs(String bootstrap, Map<String, String> clientProps) {
    return readSeqs(Topics.PROBE, bootstrap, clientProps);
  }

  /** As {@link #readSeqs(String, Map)} for {@code topic}. */
  public Map<String, List<Long>> readSeqs(
      Topic<?> topic, String bootstrap, Map<String, String> clientProps) {
    Map<String, Object> props = new HashMap<>(clientProps);
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    Map<String, List<Long>> seqs = new TreeMap<>();
    hosts.forEach(h -> seqs.put(h, new ArrayList<>()));
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo p : consumer.partitionsFor(topic.name(), Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(p.topic(), p.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime())
            .as("read %s to its end in time", topic.name())
            .isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          List<Long> mine = seqs.get(r.key());
          if (mine != null) {
            GenericRecord s =
                (GenericRecord) topic.valueSerde().deserializer().deserialize(r.topic(), r.value());
            assertThat(s.get("collectorId").toString()).isEqualTo(r.key());
            mine.add((Long) s.get("seq"));
          }
        }
      }
    }
    return seqs;
  }

  /** Asserts that each collector's samples 1..published are on the topic exactly once. */
  public static void assertEachSampleOnce(
      Map<String, Long> published, Map<String, List<Long>> seqs) {
    for (Map.Entry<String, Long> e : published.entrySet()) {
      List<Long> got = seqs.get(e.getKey());
      List<Long> expected = new ArrayList<>();
      for (long s = 1; s <= e.getValue(); s++) {
        expected.add(s);
      }
      assertThat(e.getValue()).as("%s published", e.getKey()).isPositive();
      assertThat(got)
          .as("samples of %s by seq: none lost, none twice", e.getKey())
          .containsExactlyInAnyOrderElementsOf(expected);
    }
  }

  /**
   * Asserts that each collector's samples 1..published are on the topic exactly once and in {@code
   * seq} order: a collector's samples of one topic share a partition (the key is the host), and the
   * processor closes a host's windows by the time each topic has reached.
   */
  public static void assertEachSampleOnceInOrder(
      Map<String, Long> published, Map<String, List<Long>> seqs) {
    for (Map.Entry<String, Long> e : published.entrySet()) {
      List<Long> expected = new ArrayList<>();
      for (long s = 1; s <= e.getValue(); s++) {
        expected.add(s);
      }
      assertThat(e.getValue()).as("%s published", e.getKey()).isPositive();
      assertThat(seqs.get(e.getKey()))
          .as("samples of %s in the order read: none lost, none twice, in seq order", e.getKey())
          .containsExactlyElementsOf(expected);
    }
  }

  private void run() {
    long n = 0;
    while (!stopped.get()) {
      if (!paused.get()) {
        n++;
        for (int i = 0; i < hosts.size(); i++) {
          // The present, not a fixed time: the topics' retention (a day) would delete records
          // stamped years ago while the test reads them.
          Header h =
              new Header(hosts.get(i), "", System.currentTimeMillis(), hosts.get(i), "boot-1");
          List<Sample> samples = new ArrayList<>();
          for (Topic<?> t : topics) {
            samples.add(t == Topics.PROBE ? probe(h, n) : protocol(h, Map.of("Tcp.InSegs", n)));
          }
          publishers.get(i).publish(samples);
        }
        cycles = n;
      }
      try {
        Thread.sleep(PERIOD.toMillis()); // the publishing rate, not a synchronisation
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
