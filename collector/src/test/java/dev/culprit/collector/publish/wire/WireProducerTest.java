package dev.culprit.collector.publish.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.publish.KafkaPublisher;
import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.testing.TestSamples;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The built-in producer against a real KRaft broker, reached through a proxy that can lose the
 * broker's answers: what the Java client guarantees (partition by key, order per partition, each
 * record once across a lost answer, size refusals isolated to the records concerned) holds here.
 */
class WireProducerTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static EmbeddedBroker broker;
  private static AnswerDroppingProxy proxy;

  @BeforeAll
  static void start() throws IOException {
    int brokerPort = freePort();
    proxy = new AnswerDroppingProxy(brokerPort);
    // Every client learns the proxy's address from metadata, so all produce traffic crosses it.
    broker =
        EmbeddedBroker.startTemporary(
            brokerPort, Map.of("advertised.listeners", "PLAINTEXT://127.0.0.1:" + proxy.port()));
  }

  @AfterAll
  static void stop() throws IOException {
    if (broker != null) {
      broker.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void recordsLandInTheJavaClientsPartitionInOrderWithTheirTimestamps(Compression compression)
      throws Exception {
    String topic = "culprit-test.wire-partitions-" + compression.name().toLowerCase();
    createTopic(topic, 6, Map.of());
    List<SpoolRecord> records = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      records.add(SpoolRecord.of(topic, 1_700_000_000_000L + i, "host-" + (i % 10), value(i)));
    }
    try (WireProducer producer = new WireProducer(settings(compression, 30_000))) {
      WireProducer.Outcome[] first = producer.send(records.subList(0, 60));
      WireProducer.Outcome[] second = producer.send(records.subList(60, 120));
      assertThat(first).containsOnly(WireProducer.Outcome.OK);
      assertThat(second).containsOnly(WireProducer.Outcome.OK);
    }

    List<ConsumerRecord<byte[], byte[]>> read = readAll(topic, 6, 120);
    assertThat(read).hasSize(120);
    for (ConsumerRecord<byte[], byte[]> r : read) {
      int expected = Utils.toPositive(Utils.murmur2(r.key())) % 6;
      assertThat(r.partition()).as("partition of %s", new String(r.key())).isEqualTo(expected);
      int i = index(r.value());
      assertThat(r.timestamp()).isEqualTo(1_700_000_000_000L + i);
      assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("host-" + (i % 10));
    }
    for (int p = 0; p < 6; p++) {
      int partition = p;
      List<Integer> order =
          read.stream().filter(r -> r.partition() == partition).map(r -> index(r.value())).toList();
      assertThat(order).as("partition %d in publish order", p).isSorted();
    }
  }

  @Test
  void eachLeaderGetsItsPartitionsAndAnUnreachableLeaderHoldsBackOnlyItsOwn() throws Exception {
    String topic = "culprit-test.wire-two-leaders";
    createTopic(topic, 2, Map.of());
    List<SpoolRecord> window = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      window.add(SpoolRecord.of(topic, 1L, "host-" + i, value(i)));
    }
    List<Integer> odd = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      if (Murmur2.partition(window.get(i).key(), 2) == 1) {
        odd.add(i);
      }
    }
    assertThat(odd).isNotEmpty().hasSizeLessThan(20);
    AnswerDroppingProxy second = new AnswerDroppingProxy(broker.port());
    proxy.fakeSecondLeader(77, second.port(), topic);
    try (WireProducer producer = new WireProducer(settings(Compression.ZSTD, 3_000))) {
      int firstBefore = proxy.produceRequests();
      assertThat(producer.send(window)).containsOnly(WireProducer.Outcome.OK);
      assertThat(second.produceRequests()).as("node 77's partition went to node 77").isEqualTo(1);
      assertThat(proxy.produceRequests() - firstBefore).as("the other one to node 1").isEqualTo(1);

      second.close(); // node 77 is gone; node 1 still answers
      WireProducer.Outcome[] outcomes = producer.send(window);
      for (int i = 0; i < 20; i++) {
        if (odd.contains(i)) {
          assertThat(outcomes[i].ok()).as("record %d (node 77)", i).isFalse();
          assertThat(outcomes[i].permanent()).isFalse();
          assertThat(outcomes[i].error()).contains("leader 77 at 127.0.0.1:" + second.port());
        } else {
          assertThat(outcomes[i]).as("record %d (node 1)", i).isEqualTo(WireProducer.Outcome.OK);
        }
      }
    } finally {
      proxy.fakeSecondLeader(0, 0, null);
      second.close();
    }
  }

  @Test
  void metadataIsFetchedOnceForAStreamOfWindowsNotForEachWindow() throws Exception {
    String a = "culprit-test.wire-meta-a";
    String b = "culprit-test.wire-meta-b";
    createTopic(a, 2, Map.of());
    createTopic(b, 2, Map.of());
    try (WireProducer producer = new WireProducer(settings(Compression.ZSTD, 30_000))) {
      int before = proxy.metadataRequests();
      for (int cycle = 0; cycle < 20; cycle++) {
        List<SpoolRecord> window =
            List.of(
                SpoolRecord.of(a, 1L, "h" + cycle, value(cycle)),
                SpoolRecord.of(b, 1L, "h" + cycle, value(cycle)));
        assertThat(producer.send(window)).containsOnly(WireProducer.Outcome.OK);
      }
      assertThat(proxy.metadataRequests() - before)
          .as("one request for both topics, then the cache")
          .isEqualTo(1);
    }
  }

  @Test
  void aBatchWhoseAnswerIsLostIsSentAgainAndWrittenOnce() throws Exception {
    String topic = "culprit-test.wire-lost-answer";
    createTopic(topic, 2, Map.of());
    List<SpoolRecord> window = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      window.add(SpoolRecord.of(topic, 1_700_000_000_000L, "host-" + (i % 4), value(i)));
    }
    try (WireProducer producer = new WireProducer(settings(Compression.ZSTD, 30_000))) {
      assertThat(producer.send(window.subList(0, 10))).containsOnly(WireProducer.Outcome.OK);
      int before = proxy.produceRequests();
      int droppedBefore = proxy.droppedAnswers();
      proxy.dropNextProduceAnswer();
      assertThat(producer.send(window.subList(10, 30))).containsOnly(WireProducer.Outcome.OK);
      assertThat(proxy.droppedAnswers())
          .as("the broker's answer was lost")
          .isEqualTo(droppedBefore + 1);
      assertThat(proxy.produceRequests() - before)
          .as("so the batch went twice")
          .isGreaterThanOrEqualTo(2);
      // The sequence numbers go on after the duplicate: the next window is taken, not refused.
      assertThat(producer.send(window.subList(30, 40))).containsOnly(WireProducer.Outcome.OK);
    }
    List<ConsumerRecord<byte[], byte[]>> read = readAll(topic, 2, 40);
    assertThat(read).extracting(r -> index(r.value())).doesNotHaveDuplicates().hasSize(40);
  }

  @Test
  void aProducerStateErrorOnOnePartitionDoesNotReSendAnotherPartitionsLostBatchAsNew()
      throws Exception {
    String topic = "culprit-test.wire-epoch-bump";
    createTopic(topic, 2, Map.of());
    List<SpoolRecord> onOne = new ArrayList<>();
    List<SpoolRecord> onZero = new ArrayList<>();
    for (int i = 0; onOne.size() < 6 || onZero.size() < 6; i++) {
      SpoolRecord r = SpoolRecord.of(topic, 1L, "host-" + i, value(i));
      (Murmur2.partition(r.key(), 2) == 1 ? onOne : onZero).add(r);
    }
    AnswerDroppingProxy second = new AnswerDroppingProxy(broker.port());
    // Partition 1 is led by "node 77" (the second proxy), partition 0 by node 1.
    proxy.fakeSecondLeader(77, second.port(), topic);
    try (WireProducer producer = new WireProducer(settings(Compression.ZSTD, 30_000))) {
      List<SpoolRecord> first = List.of(onOne.get(0), onZero.get(0));
      assertThat(producer.send(first)).containsOnly(WireProducer.Outcome.OK);
      long idBefore = producer.transactionManager().producerIdAndEpoch().producerId();

      // Partition 0's next sequence is out of step with the broker (OUT_OF_ORDER_SEQUENCE_NUMBER)
      // while partition 1's batch is written but its answer lost, in the same round.
      producer
          .transactionManager()
          .acknowledged(new dev.culprit.collector.publish.wire.TopicPartition(topic, 0), 3, -1);
      second.dropNextProduceAnswer();
      List<SpoolRecord> window = new ArrayList<>();
      window.addAll(onOne.subList(1, 6)); // first: node 77's request goes out first
      window.addAll(onZero.subList(1, 6));
      assertThat(producer.send(window)).containsOnly(WireProducer.Outcome.OK);
      assertThat(second.droppedAnswers()).as("node 77's answer was lost").isEqualTo(1);

      ProducerIdAndEpoch after = producer.transactionManager().producerIdAndEpoch();
      assertThat(after.producerId()).as("the same id, its epoch bumped").isEqualTo(idBefore);
      assertThat(after.epoch()).isEqualTo((short) 1);
      assertThat(producer.dataLossEvents())
          .as("partition 0 forgot acknowledged sequences, as far as the broker's answer shows")
          .isEqualTo(1);
    } finally {
      proxy.fakeSecondLeader(0, 0, null);
      second.close();
    }
    List<ConsumerRecord<byte[], byte[]>> read = readAll(topic, 2, 12);
    assertThat(read)
        .as("partition 1's batch written once although it was sent twice")
        .extracting(r -> index(r.value()))
        .doesNotHaveDuplicates()
        .hasSize(12);
  }

  @Test
  void acknowledgedRecordsTheBrokerLaterLosesAreCountedNotAbsorbed() throws Exception {
    String topic = "culprit-test.wire-data-loss";
    createTopic(topic, 1, Map.of());
    try (WireProducer producer = new WireProducer(settings(Compression.ZSTD, 30_000))) {
      assertThat(producer.send(List.of(SpoolRecord.of(topic, 1L, "h", value(1)))))
          .containsOnly(WireProducer.Outcome.OK);
      assertThat(producer.dataLossEvents()).isZero();

      // A deleted and re-created topic loses what was acknowledged, as an unclean leader
      // election does: the next batch lands at offset 0, below the offset acknowledged before.
      broker.admin().deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        try {
          createTopic(topic, 1, Map.of());
          break;
        } catch (Exception e) {
          assertThat(System.nanoTime()).as("re-created in time: %s", e).isLessThan(deadline);
          Thread.onSpinWait();
        }
      }
      WireProducer.Outcome[] outcomes;
      do {
        outcomes = producer.send(List.of(SpoolRecord.of(topic, 2L, "h", value(2))));
      } while (!outcomes[0].ok() && System.nanoTime() < deadline);
      assertThat(outcomes).containsOnly(WireProducer.Outcome.OK);
      assertThat(producer.dataLossEvents()).isEqualTo(1);
    }
  }

  @Test
  void aThrottledAnswerDelaysTheNextRequestToThatBrokerByTheThrottleTime() throws Exception {
    String topic = "culprit-test.wire-throttle";
    createTopic(topic, 1, Map.of());
    try (WireProducer producer = new WireProducer(settings(Compression.ZSTD, 30_000))) {
      proxy.throttleNextProduceAnswer(1_500);
      int answers = proxy.produceAnswerNanos().size();
      assertThat(producer.send(List.of(SpoolRecord.of(topic, 1L, "h", value(1)))))
          .containsOnly(WireProducer.Outcome.OK);
      long throttledAnswer = proxy.produceAnswerNanos().get(answers);
      int requests = proxy.produceRequestNanos().size();
      assertThat(producer.send(List.of(SpoolRecord.of(topic, 2L, "h", value(2)))))
          .containsOnly(WireProducer.Outcome.OK);
      long next = proxy.produceRequestNanos().get(requests);
      assertThat(Duration.ofNanos(next - throttledAnswer))
          .as("the next Produce request waited out the throttle")
          .isGreaterThanOrEqualTo(Duration.ofMillis(1_400));
    }
  }

  @Test
  void aMissingTopicFailsAtOnceNamingItsErrorWhileTheOtherTopicIsDelivered() throws Exception {
    String present = "culprit-test.wire-present";
    String absent = "culprit-test.wire-absent";
    createTopic(present, 1, Map.of());
    List<SpoolRecord> window =
        List.of(
            SpoolRecord.of(absent, 1L, "h", value(1)),
            SpoolRecord.of(present, 1L, "h", value(2)),
            SpoolRecord.of(absent, 1L, "h", value(3)),
            SpoolRecord.of(present, 1L, "h", value(4)));
    long started = System.nanoTime();
    WireProducer.Outcome[] outcomes;
    try (WireProducer producer = new WireProducer(settings(Compression.ZSTD, 60_000))) {
      outcomes = producer.send(window);
    }
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .as("not retried until the 60 s delivery timeout")
        .isLessThan(Duration.ofSeconds(20));
    assertThat(outcomes[1]).isEqualTo(WireProducer.Outcome.OK);
    assertThat(outcomes[3]).isEqualTo(WireProducer.Outcome.OK);
    for (int i : new int[] {0, 2}) {
      assertThat(outcomes[i].topicUnavailable()).isTrue();
      assertThat(outcomes[i].permanent()).as("they stay in the spool").isFalse();
      assertThat(outcomes[i].error()).isEqualTo("topic " + absent + ": UNKNOWN_TOPIC_OR_PARTITION");
    }
    assertThat(readAll(present, 1, 2)).extracting(r -> index(r.value())).containsExactly(2, 4);
  }

  @Test
  void aRecordTooLargeForTheTopicIsRefusedAloneAndItsNeighboursAreDelivered() throws Exception {
    String topic = "culprit-test.wire-too-large";
    createTopic(topic, 1, Map.of("max.message.bytes", "2000"));
    byte[] big = new byte[5_000];
    new Random(7).nextBytes(big); // incompressible
    List<SpoolRecord> window =
        List.of(
            SpoolRecord.of(topic, 1L, "h", value(1)),
            SpoolRecord.of(topic, 2L, "h", value(2)),
            new SpoolRecord(topic, 3L, "h".getBytes(StandardCharsets.UTF_8), big),
            SpoolRecord.of(topic, 4L, "h", value(4)));
    WireProducer.Outcome[] outcomes;
    try (WireProducer producer = new WireProducer(settings(Compression.NONE, 30_000))) {
      outcomes = producer.send(window);
    }
    assertThat(outcomes[0]).isEqualTo(WireProducer.Outcome.OK);
    assertThat(outcomes[1]).isEqualTo(WireProducer.Outcome.OK);
    assertThat(outcomes[2].permanent()).isTrue();
    assertThat(outcomes[2].error()).contains("MESSAGE_TOO_LARGE");
    assertThat(outcomes[3]).isEqualTo(WireProducer.Outcome.OK);
    assertThat(readAll(topic, 1, 3)).extracting(r -> index(r.value())).containsExactly(1, 2, 4);
  }

  @Test
  void anUnreachableBrokerFailsTheWindowAfterTheDeliveryTimeoutButNotForGood() throws Exception {
    int dead = freePort();
    WireProducer.Settings s =
        new WireProducer.Settings(
            List.of("127.0.0.1:" + dead), "test", Compression.ZSTD, 3, 2_000, 1_500, 20, 200);
    WireProducer.Outcome[] outcomes;
    try (WireProducer producer = new WireProducer(s)) {
      outcomes = producer.send(List.of(SpoolRecord.of("t", 1L, "h", value(1))));
    }
    assertThat(outcomes[0].permanent()).isFalse();
    assertThat(outcomes[0].error())
        .contains("cannot connect to 127.0.0.1:" + dead)
        .contains("not delivered within 1500 ms");
  }

  @Test
  void closeEndsASendThatIsRetryingAnOutage() throws Exception {
    WireProducer.Settings s =
        new WireProducer.Settings(
            List.of("127.0.0.1:" + freePort()),
            "test",
            Compression.ZSTD,
            3,
            2_000,
            600_000,
            50,
            200);
    CountDownLatch sending = new CountDownLatch(1);
    WireProducer producer =
        new WireProducer(
            s,
            () -> {
              sending.countDown();
              return System.currentTimeMillis();
            });
    AtomicReference<WireProducer.Outcome[]> result = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> result.set(producer.send(List.of(SpoolRecord.of("t", 1L, "h", value(1))))));
    t.start();
    assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue();
    producer.close();
    t.join(5_000);
    assertThat(t.isAlive()).as("send still running 5 s after close").isFalse();
    assertThat(result.get()[0].error()).isEqualTo("producer closed");
    assertThat(result.get()[0].permanent()).isFalse();
  }

  @Test
  void aBrokerWithoutTheNeededProduceVersionsFailsTheWindowAsUnsupportedNotForGood()
      throws Exception {
    proxy.capProduceVersion((short) 8); // as a broker that predates flexible Produce
    try (WireProducer producer = new WireProducer(settings(Compression.ZSTD, 30_000))) {
      WireProducer.Outcome[] outcomes =
          producer.send(List.of(SpoolRecord.of("culprit-test.wire-old", 1L, "h", value(1))));
      assertThat(outcomes[0].unsupportedBroker()).isTrue();
      assertThat(outcomes[0].permanent()).isFalse();
      assertThat(outcomes[0].error()).contains("Produce v9-12");
    } finally {
      proxy.capProduceVersion((short) -1);
    }
  }

  @Test
  void thePublisherFallsBackToTheJavaClientForSuchABrokerAndDeliversEverything(@TempDir Path spool)
      throws Exception {
    proxy.capProduceVersion((short) 8);
    try (KafkaPublisher publisher =
        KafkaPublisher.open(
            "127.0.0.1:" + proxy.port(), Map.of(), "culprit-test", spool, 16L << 20)) {
      Header h = TestSamples.header("host-old-broker", 1_700_000_000_000L);
      publisher.publish(List.of(TestSamples.probe(h, 1), TestSamples.probe(h, 2)));
      assertThat(publisher.flush(Duration.ofSeconds(60)))
          .as("delivered through the Java client")
          .isTrue();
      assertThat(publisher.stats().spooledRecords()).isZero();
    } finally {
      proxy.capProduceVersion((short) -1);
    }
  }

  @Test
  void closeEndsASendWaitingForABrokerThatAcceptsButNeverAnswers() throws Exception {
    try (ServerSocket silent = new ServerSocket()) {
      silent.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      // The kernel completes the handshake from the backlog; nobody ever reads or answers.
      WireProducer.Settings s =
          new WireProducer.Settings(
              List.of("127.0.0.1:" + silent.getLocalPort()),
              "test",
              Compression.ZSTD,
              3,
              120_000,
              600_000,
              50,
              200);
      WireProducer producer = new WireProducer(s);
      AtomicReference<WireProducer.Outcome[]> result = new AtomicReference<>();
      Thread t =
          new Thread(
              () -> result.set(producer.send(List.of(SpoolRecord.of("t", 1L, "h", value(1))))));
      t.start();
      // The connection is up (accepted by the kernel) before close: close must end the wait for
      // the ApiVersions answer, not the 120 s request timeout.
      Socket accepted = silent.accept();
      producer.close();
      t.join(5_000);
      accepted.close();
      assertThat(t.isAlive()).as("send still running 5 s after close").isFalse();
      assertThat(result.get()[0].ok()).isFalse();
    }
  }

  private static WireProducer.Settings settings(Compression compression, long deliveryTimeoutMs) {
    return new WireProducer.Settings(
        List.of("127.0.0.1:" + proxy.port()),
        "culprit-test",
        compression,
        compression == Compression.GZIP ? -1 : 3,
        10_000,
        deliveryTimeoutMs,
        50,
        500);
  }

  private static void createTopic(String name, int partitions, Map<String, String> configs)
      throws Exception {
    broker
        .admin()
        .createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
        .all()
        .get(30, TimeUnit.SECONDS);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      String topic, int partitions, int atLeast) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < partitions; i++) {
        tps.add(new TopicPartition(topic, i));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        boolean atEnd = true;
        for (TopicPartition tp : tps) {
          atEnd &= consumer.position(tp) >= end.get(tp);
        }
        if (atEnd && out.size() >= atLeast) {
          break;
        }
      }
    }
    out.sort(
        Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
            .thenComparingLong(ConsumerRecord::offset));
    return out;
  }

  private static byte[] value(int i) {
    return ("record-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static int index(byte[] value) {
    return Integer.parseInt(
        new String(value, StandardCharsets.UTF_8).substring("record-".length()));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return s.getLocalPort();
    }
  }
}
