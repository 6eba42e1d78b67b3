package dev.culprit.bench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.OrderedProducer;
import dev.culprit.broker.cluster.KafkaCluster;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;

/**
 * What the processor failover and scale-out scenarios share: a generated fleet fed to a real
 * cluster cycle by cycle (every record kept, so a {@link TopologyHarness} can judge the same input
 * as the undisturbed reference), processor instances in child JVMs, the consumer group's
 * assignment, and a read-committed reader of {@code culprit.rootcause.packet-loss}.
 */
final class ProcessorFleet implements AutoCloseable {

  static final Duration INTERVAL = Duration.ofSeconds(10);
  static final String INTERFACE = Topics.INTERFACE.name();

  private final KafkaCluster cluster;
  private final FleetGenerator fleet;
  private final KafkaProducer<String, byte[]> producer;
  private final int partitions;

  /** Event time of cycle 0: see {@link #startOfTime}. */
  private final long base;

  private final List<FleetGenerator.Generated> produced = new CopyOnWriteArrayList<>();
  private volatile int cycles;

  ProcessorFleet(KafkaCluster cluster, FleetGenerator.Options options, int partitions) {
    this(cluster, options, partitions, startOfTime());
  }

  /**
   * A fleet whose cycle 0 is at {@code base}: two fleets of the same options and base produce the
   * same records, so groups started one after the other can be given the same input.
   */
  ProcessorFleet(KafkaCluster cluster, FleetGenerator.Options options, int partitions, long base) {
    this.cluster = cluster;
    this.fleet = new FleetGenerator(options);
    this.partitions = partitions;
    this.base = base;
    Properties p = new Properties();
    p.putAll(cluster.clientProperties());
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    this.producer = OrderedProducer.create(p);
  }

  /**
   * A cycle 0 far enough back that 300 cycles stay behind the wall clock. A cycle a second runs
   * event time ten times the wall clock, and a sample more than the processor's allowed clock skew
   * (5 min) ahead of it is dead-lettered: with 60 cycles back (as before), a run slowed down to 90
   * s of feeding would lose every later sample.
   */
  static long startOfTime() {
    long interval = INTERVAL.toMillis();
    return (System.currentTimeMillis() / interval - 300) * interval;
  }

  FleetGenerator fleet() {
    return fleet;
  }

  /** Produces the next cycle of every host, in sample-time order, and waits for its acks. */
  synchronized int produceCycle() {
    int c = cycles;
    long start = base + c * INTERVAL.toMillis();
    for (int host : FleetBench.hostsByPhase(fleet)) {
      long time = start + fleet.phaseMs(host);
      for (FleetGenerator.Generated g : fleet.hostCycle(host, c, time)) {
        producer.send(new ProducerRecord<>(g.topic().name(), null, time, g.key(), g.value()));
        produced.add(g);
      }
    }
    producer.flush();
    cycles = c + 1;
    return c;
  }

  int cycles() {
    return cycles;
  }

  /** The start of the window cycle {@code cycle}'s samples fall in. */
  long windowOf(int cycle) {
    return base + cycle * INTERVAL.toMillis();
  }

  /**
   * Windows that every host has closed: its last cycle's samples moved each of its topics past the
   * end plus grace of the window two cycles back (the one just before may still be open for a host
   * that samples within the grace after its end).
   */
  long closedBefore() {
    return base + (cycles - 2L) * INTERVAL.toMillis();
  }

  /**
   * The causes an undisturbed processor gives for every record produced so far, by event id, in
   * windows starting before {@code before}: the topology in the test driver, one task, in order.
   */
  Map<String, RootCause> reference(long before) {
    try (TopologyHarness h =
        TopologyHarness.hostTime(dev.culprit.processor.ProcessorConfig.defaults("ttd:9092"))) {
      for (FleetGenerator.Generated g : produced) {
        h.pipeRaw(g.topic(), g.key(), g.value());
      }
      assertThat(h.deadLetters()).as("dead letters of the reference run").isEmpty();
      Map<String, RootCause> byId = new LinkedHashMap<>();
      for (RootCause c : h.causes()) {
        if (c.getWindowStartMs() < before) {
          assertThat(byId.put(c.getEventId().toString(), c))
              .as("reference cause %s once", c.getEventId())
              .isNull();
        }
      }
      return byId;
    }
  }

  /**
   * Waits for every reference cause, stops the instances cleanly (their last transactions commit),
   * reads the topic to its committed end and compares: same ids, each once, same content.
   *
   * @return the causes read, by event id
   */
  Map<String, RootCause> assertSameCausesAsReference(
      Causes causes, List<ChildProcessor> children, Duration wait) throws Exception {
    long cutoff = closedBefore();
    Map<String, RootCause> reference = reference(cutoff);
    assertThat(reference).as("reference causes").hasSizeGreaterThan(20);
    try {
      causes.awaitAll(reference.keySet(), wait);
    } catch (AssertionError e) {
      Set<String> missing = new java.util.TreeSet<>(reference.keySet());
      missing.removeAll(causes.ids());
      throw new AssertionError(
          e.getMessage()
              + " "
              + missing.stream()
                  .map(
                      id ->
                          reference.get(id).getHost() + "@" + reference.get(id).getWindowStartMs())
                  .toList()
              + " got near them: "
              + missing.stream()
                  .flatMap(
                      id ->
                          causes.all().stream()
                              .filter(
                                  c ->
                                      c.getHost().equals(reference.get(id).getHost())
                                          && Math.abs(
                                                  c.getWindowStartMs()
                                                      - reference.get(id).getWindowStartMs())
                                              <= 20_000))
                  .map(c -> c.getHost() + "@" + c.getWindowStartMs() + " " + c.getEventId())
                  .toList()
              + " (compared windows before "
              + cutoff
              + ")",
          e);
    }
    for (ChildProcessor c : children) {
      c.close();
    }
    causes.drainTo(causesEnd(), wait);
    Map<String, Long> counts =
        causes.all().stream()
            .collect(Collectors.groupingBy(c -> c.getEventId().toString(), Collectors.counting()));
    assertThat(
            counts.entrySet().stream()
                .filter(e -> e.getValue() > 1)
                .map(e -> e.getKey() + " at " + causes.where(e.getKey())))
        .as("causes written more than once")
        .isEmpty();
    List<RootCause> got = causes.all().stream().filter(c -> c.getWindowStartMs() < cutoff).toList();
    Map<String, RootCause> byId =
        got.stream().collect(Collectors.toMap(c -> c.getEventId().toString(), Function.identity()));
    assertThat(byId.keySet()).as("cause ids").isEqualTo(reference.keySet());
    for (String id : reference.keySet()) {
      assertThat(byId.get(id)).as("cause %s", id).isEqualTo(reference.get(id));
    }
    return byId;
  }

  /**
   * Of {@code partitions}, those holding a faulty host: the others never give a cause, so a wait
   * for causes from partitions that moved waits on these (on any partition when this is empty).
   */
  Set<Integer> withCauses(Set<Integer> partitions) {
    Set<Integer> out = new TreeSet<>();
    for (int h = 0; h < fleet.options().hosts(); h++) {
      int p = partitionOf(FleetGenerator.hostName(h));
      if (fleet.fault(h) != null && partitions.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** The sample partition of a host, as the producer's partitioner puts it. */
  int partitionOf(String host) {
    return Utils.toPositive(Utils.murmur2(host.getBytes(StandardCharsets.UTF_8))) % partitions;
  }

  /**
   * The interface-topic partitions each live member of group {@code appId} is assigned, by the
   * client id prefix its instance was started with; empty while the group rebalances.
   */
  Map<String, Set<Integer>> assignment(String appId) {
    try (Admin admin = cluster.admin()) {
      ConsumerGroupDescription group =
          admin.describeConsumerGroups(List.of(appId)).all().get(10, TimeUnit.SECONDS).get(appId);
      if (group.groupState() != org.apache.kafka.common.GroupState.STABLE) {
        return Map.of();
      }
      Map<String, Set<Integer>> out = new HashMap<>();
      for (MemberDescription m : group.members()) {
        String instance = m.clientId().substring(0, m.clientId().indexOf("-StreamThread"));
        Set<Integer> ps = out.computeIfAbsent(instance, k -> new TreeSet<>());
        m.assignment().topicPartitions().stream()
            .filter(tp -> tp.topic().equals(INTERFACE))
            .forEach(tp -> ps.add(tp.partition()));
      }
      return out;
    } catch (Exception e) {
      return Map.of();
    }
  }

  /** Waits until the group is stable with exactly {@code instances}, each assigned some work. */
  Map<String, Set<Integer>> awaitAssignment(
      String appId, Collection<String> instances, Duration timeout) {
    Map<String, Set<Integer>>[] last = new Map[] {Map.of()};
    KafkaCluster.awaitTrue(
        () -> {
          last[0] = assignment(appId);
          return last[0].keySet().equals(Set.copyOf(instances))
              && last[0].values().stream().noneMatch(Set::isEmpty)
              && last[0].values().stream().mapToInt(Set::size).sum() == partitions;
        },
        timeout,
        "group " + appId + " stable with " + instances + " each assigned work (last: " + last[0]);
    return last[0];
  }

  /** The read-committed end of every partition of the causes topic. */
  Map<TopicPartition, Long> causesEnd() {
    try (Admin admin = cluster.admin()) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        specs.put(new TopicPartition(Topics.ROOTCAUSE_PACKET_LOSS.name(), p), OffsetSpec.latest());
      }
      return admin
          .listOffsets(
              specs,
              new org.apache.kafka.clients.admin.ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
          .all()
          .get(20, TimeUnit.SECONDS)
          .entrySet()
          .stream()
          .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the causes' end offsets", e);
    }
  }

  /**
   * Commits, for consumer group {@code appId} before any of its instances starts, the current end
   * of every topic of the cluster: the group reads only what is produced from now on, as a group
   * started with {@code auto.offset.reset=latest} would if it had resolved its positions before the
   * first record came (which a group just assigned may not have).
   */
  void startGroupAtEnd(String appId) {
    try (Admin admin = cluster.admin()) {
      Set<String> topics =
          admin.listTopics().names().get(20, TimeUnit.SECONDS).stream()
              .filter(t -> !t.startsWith("__"))
              .collect(Collectors.toSet());
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      admin
          .describeTopics(topics)
          .allTopicNames()
          .get(20, TimeUnit.SECONDS)
          .values()
          .forEach(
              d ->
                  d.partitions()
                      .forEach(
                          p ->
                              specs.put(
                                  new TopicPartition(d.name(), p.partition()),
                                  OffsetSpec.latest())));
      Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> at = new HashMap<>();
      admin
          .listOffsets(specs)
          .all()
          .get(20, TimeUnit.SECONDS)
          .forEach(
              (tp, o) ->
                  at.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(o.offset())));
      admin.alterConsumerGroupOffsets(appId, at).all().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot start group " + appId + " at the topics' end", e);
    }
  }

  /** A read-committed reader of the causes topic from {@code from} on. */
  Causes causesFrom(Map<TopicPartition, Long> from) {
    return new Causes(cluster, from);
  }

  /** Starts instance {@code name} of group {@code appId} in a child JVM. */
  ChildProcessor startInstance(String appId, String name, Path workDir) throws Exception {
    return startInstance(appId, name, workDir, Map.of());
  }

  /** Starts an instance with Kafka Streams settings {@code extra} on top of the usual ones. */
  ChildProcessor startInstance(String appId, String name, Path workDir, Map<String, String> extra)
      throws Exception {
    // The instances' logs stay in target/ for a failure's post-mortem; their state goes.
    Path logs = java.nio.file.Files.createDirectories(Path.of("target", "processor-failover"));
    Path log = logs.resolve(appId + "-" + name + "-" + System.nanoTime() + ".log");
    return ChildProcessor.start(
        "full",
        cluster.bootstrapServers(),
        appId,
        workDir.resolve(appId + "-" + name),
        "320m",
        streamsOverrides(name, extra),
        log,
        // Several JVMs share two cores: a quick JIT and a serial collector, like the brokers. The
        // rules log each window they judge, hold or skip: a lost or repeated cause's post-mortem.
        List.of(
            "-XX:TieredStopAtLevel=1",
            "-XX:+UseSerialGC",
            "-Xss512k",
            "-Dorg.slf4j.simpleLogger.log.dev.culprit.processor.packetloss.HostWindowProcessor=debug"));
  }

  /**
   * The instance's Kafka Streams settings on top of the processor's own (exactly-once v2, its
   * commit interval): the cluster's login, internal topics replicated like the contract topics, and
   * a group session of 6 s (the brokers' minimum) so a killed instance's partitions move within
   * seconds. No {@code group.instance.id}: {@code culprit process} sets none, and with {@code kill
   * -9} the session timeout bounds the takeover either way.
   */
  private String streamsOverrides(String name, Map<String, String> extra) {
    Map<String, String> o = new LinkedHashMap<>(cluster.clientProperties());
    o.put("client.id", name);
    o.put("replication.factor", "3");
    o.put("session.timeout.ms", "6000");
    o.put("heartbeat.interval.ms", "1000");
    o.putAll(extra);
    return o.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(","));
  }

  @Override
  public void close() {
    producer.close(Duration.ofSeconds(5));
  }

  /** Causes as a subscriber reads them: committed only, every record kept (duplicates too). */
  static final class Causes implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final List<RootCause> got = new ArrayList<>();
    private final Map<String, List<String>> where = new HashMap<>();

    Causes(KafkaCluster cluster, Map<TopicPartition, Long> from) {
      Properties p = new Properties();
      p.putAll(cluster.clientProperties());
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
      consumer.assign(from.keySet());
      from.forEach(consumer::seek);
    }

    /** Reads what is there within {@code timeout}; returns the new causes. */
    List<RootCause> poll(Duration timeout) {
      List<RootCause> fresh = new ArrayList<>();
      for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
        RootCause c =
            Topics.ROOTCAUSE_PACKET_LOSS
                .valueSerde()
                .deserialize(Topics.ROOTCAUSE_PACKET_LOSS.name(), r.value());
        fresh.add(c);
        where
            .computeIfAbsent(c.getEventId().toString(), k -> new ArrayList<>())
            .add(r.partition() + "@" + r.offset() + " " + c.getHost() + " " + c.getWindowStartMs());
      }
      got.addAll(fresh);
      return fresh;
    }

    /** Polls until a cause matching {@code wanted} comes; returns when it came (nanoTime). */
    long awaitCause(Predicate<RootCause> wanted, Duration timeout, String what) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (RootCause c : poll(Duration.ofMillis(200))) {
          if (wanted.test(c)) {
            return System.nanoTime();
          }
        }
      }
      throw new AssertionError("timed out after " + timeout + " waiting for " + what);
    }

    /** Polls until every id of {@code ids} was read. */
    void awaitAll(Set<String> ids, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!ids().containsAll(ids)) {
        if (System.nanoTime() > deadline) {
          Set<String> missing = new TreeSet<>(ids);
          missing.removeAll(ids());
          throw new AssertionError(
              "timed out after " + timeout + "; causes still missing: " + missing);
        }
        poll(Duration.ofMillis(200));
      }
    }

    /** Reads up to the read-committed end {@code end} of every partition. */
    void drainTo(Map<TopicPartition, Long> end, Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read the causes up to " + end);
        }
        poll(Duration.ofMillis(200));
      }
    }

    /** Where each copy of cause {@code id} was read: partition@offset, host, window. */
    List<String> where(String id) {
      return where.getOrDefault(id, List.of());
    }

    Set<String> ids() {
      return got.stream().map(c -> c.getEventId().toString()).collect(Collectors.toSet());
    }

    List<RootCause> all() {
      return List.copyOf(got);
    }

    @Override
    public void close() {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /**
   * Feeds one fleet cycle a second until stopped: the load instances fail, join and leave under.
   */
  static final class Feeder {
    private final ProcessorFleet fleet;
    private final AtomicBoolean stop = new AtomicBoolean();
    private volatile int until = Integer.MAX_VALUE;
    private volatile Throwable failure;
    private Thread thread;

    private final Duration wait;

    Feeder(ProcessorFleet fleet, Duration wait) {
      this.fleet = fleet;
      this.wait = wait;
    }

    void start() {
      thread =
          new Thread(
              () -> {
                try {
                  while (!stop.get() && fleet.cycles() < until) {
                    long next = System.nanoTime() + 1_000_000_000L;
                    fleet.produceCycle();
                    // Pacing of the load, not synchronisation: a fleet samples at its interval.
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                      Thread.sleep(wait / 1_000_000);
                    }
                  }
                } catch (Throwable e) {
                  failure = e;
                }
              },
              "fleet-feeder");
      thread.setDaemon(true);
      thread.start();
    }

    /** Lets the feeder run until {@code cycles} cycles are out, and waits for it. */
    void stopAfter(int cycles) throws InterruptedException {
      until = cycles;
      thread.join(wait.toMillis());
      assertThat(failure).as("feeder failure").isNull();
      assertThat(fleet.cycles()).isGreaterThanOrEqualTo(cycles);
    }

    void stop() throws InterruptedException {
      stop.set(true);
      if (thread != null) {
        thread.join(10_000);
      }
    }
  }
}
