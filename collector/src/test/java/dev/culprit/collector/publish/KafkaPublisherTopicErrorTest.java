package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static dev.culprit.collector.testing.TestSamples.protocol;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.broker.EmbeddedBroker;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.testing.Poll;
import dev.culprit.collector.testing.TopicReader;
import dev.culprit.collector.testing.TopicReader.Read;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One topic the broker does not have must not stall the host's other topics. */
class KafkaPublisherTopicErrorTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  /** zstd: the built-in client; lz4: the Java client (the built-in one has no lz4). */
  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void aMissingTopicsRecordsWaitInTheSpoolWhileTheOtherTopicsAreDelivered(
      String compression, @TempDir Path spool) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      deleteProbeTopic(broker);
      String host = "host-missing-topic";
      try (KafkaPublisher publisher =
          KafkaPublisher.open(
              broker.bootstrapServers(),
              Map.of("compression.type", compression),
              "culprit-test",
              spool,
              16L << 20)) {
        for (int cycle = 0; cycle < 3; cycle++) {
          Header h = header(host, 1_700_000_000_000L + cycle * 5000L);
          // Probe first: its records come before the protocol ones in every window.
          publisher.publish(List.of(probe(h, 1), protocol(h, Map.of("Tcp.X", 1L))));
        }
        List<Read<ProtocolSample>> protocols =
            TopicReader.readUntil(
                broker.bootstrapServers(),
                Topics.PROTOCOL,
                got -> got.stream().filter(r -> r.key().equals(host)).count() >= 3,
                WAIT);
        assertThat(protocols.stream().filter(r -> r.key().equals(host)))
            .as("the protocol topic was delivered although the probe topic is missing")
            .hasSize(3);
        assertThat(publisher.stats().spooledRecords())
            .as("the probe records wait in the spool")
            .isEqualTo(3);
        assertThat(publisher.brokerUnreachable())
            .as("a missing topic is not an unreachable broker")
            .isFalse();
      }
    }
  }

  /**
   * A topic missing across a restart: its records wait in their own spool, survive the restart, and
   * reach the re-created topic before every newer record of it, in time order, each once.
   */
  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  void aMissingTopicsHeldRecordsSurviveARestartAndArriveBeforeItsNewerOnes(
      String compression, @TempDir Path spool) throws Exception {
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      deleteProbeTopic(broker);
      String host = "host-held-topic";
      // Recent times: the re-created topic's retention keeps them while the test reads.
      long start = System.currentTimeMillis() - 60_000;
      Map<String, String> settings = Map.of("compression.type", compression);
      try (KafkaPublisher publisher =
          KafkaPublisher.open(
              broker.bootstrapServers(), settings, "culprit-test", spool, 16L << 20)) {
        for (int cycle = 0; cycle < 4; cycle++) {
          Header h = header(host, start + cycle * 1000L);
          publisher.publish(List.of(probe(h, cycle), protocol(h, Map.of("Tcp.X", 1L))));
        }
        TopicReader.readUntil(
            broker.bootstrapServers(),
            Topics.PROTOCOL,
            got -> got.stream().filter(r -> r.key().equals(host)).count() >= 4,
            WAIT);
        Poll.untilTrue(
            WAIT,
            "the probe topic reported unavailable",
            () -> publisher.stats().unavailableTopics().containsKey(Topics.PROBE.name()));
        assertThat(publisher.stats().spooledRecords())
            .as("the probe records are held")
            .isEqualTo(4);
      }
      try (var held = Files.list(spool.resolve(HeldTopics.DIRECTORY))) {
        assertThat(held.toList()).as("one topic held across the restart").hasSize(1);
      }
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(new NewTopic(Topics.PROBE.name(), Optional.of(1), Optional.empty())))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      try (KafkaPublisher publisher =
          KafkaPublisher.open(
              broker.bootstrapServers(), settings, "culprit-test", spool, 16L << 20)) {
        for (int cycle = 4; cycle < 8; cycle++) {
          Header h = header(host, start + cycle * 1000L);
          publisher.publish(List.of(probe(h, cycle), protocol(h, Map.of("Tcp.X", 1L))));
        }
        assertThat(publisher.flush(WAIT)).as("held and new records delivered").isTrue();
        assertThat(publisher.stats().spoolDroppedRecords()).isZero();
      }
      List<Read<ProbeSample>> probes =
          TopicReader.readUntil(
              broker.bootstrapServers(),
              Topics.PROBE,
              got -> got.stream().filter(r -> r.key().equals(host)).count() >= 8,
              WAIT);
      assertThat(probes.stream().filter(r -> r.key().equals(host)).map(r -> r.value().getSent()))
          .as("the held probe records first, then the newer ones: in time order, each once")
          .containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
      assertThat(spool.resolve(HeldTopics.DIRECTORY))
          .as("nothing held any more")
          .isEmptyDirectory();
    }
  }

  /**
   * A missing topic's records beyond the spool's bound: the main spool and the held records stay
   * within it together, the oldest held records are dropped and counted, and the newest reach the
   * re-created topic in order.
   */
  @ParameterizedTest
  @ValueSource(strings = {"zstd", "lz4"})
  @org.junit.jupiter.api.Timeout(value = 2, unit = TimeUnit.MINUTES)
  void heldRecordsShareTheSpoolBoundAndTheNewestArriveInOrder(
      String compression, @TempDir Path spool) throws Exception {
    long bound = 64L << 10; // the smallest a spool takes
    int published = 2000; // some 300 KiB of probe samples
    try (EmbeddedBroker broker = EmbeddedBroker.startTemporary()) {
      deleteProbeTopic(broker);
      String host = "host-held-bound";
      long start = System.currentTimeMillis() - 60_000;
      try (KafkaPublisher publisher =
          KafkaPublisher.open(
              broker.bootstrapServers(),
              Map.of("compression.type", compression),
              "culprit-test",
              spool,
              bound)) {
        for (int i = 0; i < published; i++) {
          publisher.publish(List.of(probe(header(host, start + i), i)));
          Thread.sleep(1); // a publishing rate, not a synchronisation: no burst past the bound
        }
        Poll.untilTrue(
            WAIT,
            "every probe record held or dropped",
            () -> {
              PublisherStats s = publisher.stats();
              return s.spooledRecords() + s.spoolDroppedRecords() == published
                  && s.unavailableTopics().containsKey(Topics.PROBE.name());
            });
        System.out.printf(
            "held beyond the bound (%s): %d of %d dropped, %d bytes of spool files%n",
            compression, publisher.stats().spoolDroppedRecords(), published, spoolFileBytes(spool));
        assertThat(publisher.stats().spoolDroppedRecords()).as("beyond the bound").isPositive();
        // Each spool may count one segment being written past what it drops: 16 KiB here. A
        // window being moved to the held spool is in both until the main spool lets it go (a
        // window, once seen at 112 KiB here): within the bound once the move is done.
        long limit = bound + 2 * (16L << 10);
        Poll.untilTrue(
            WAIT,
            "the main spool and the held records together within the bound",
            () -> {
              try {
                return spoolFileBytes(spool) <= limit;
              } catch (java.io.IOException e) {
                return false; // a segment deleted while listed: look again
              }
            });

        try (Admin admin = broker.admin()) {
          admin
              .createTopics(
                  List.of(new NewTopic(Topics.PROBE.name(), Optional.of(1), Optional.empty())))
              .all()
              .get(30, TimeUnit.SECONDS);
        }
        // Waited for as long as it takes: the flush must wake when the held records are delivered
        // (it slept its whole timeout before, whatever it was), so the test's timeout ends it.
        assertThat(publisher.flush(Duration.ofMinutes(10)))
            .as("the held records delivered")
            .isTrue();
        long dropped = publisher.stats().spoolDroppedRecords();
        List<Read<ProbeSample>> probes =
            TopicReader.readUntil(
                broker.bootstrapServers(),
                Topics.PROBE,
                got ->
                    got.stream().filter(r -> r.key().equals(host)).count() >= published - dropped,
                WAIT);
        List<Long> expected = new java.util.ArrayList<>();
        for (long i = dropped; i < published; i++) {
          expected.add(i);
        }
        assertThat(probes.stream().filter(r -> r.key().equals(host)).map(r -> r.value().getSent()))
            .as("the newest %d of %d, each once, in order", published - dropped, published)
            .containsExactlyElementsOf(expected);
      }
    }
  }

  /** The bytes of every spool segment file under {@code dir}, held topics' included. */
  private static long spoolFileBytes(Path dir) throws java.io.IOException {
    try (var files = Files.walk(dir)) {
      return files
          .filter(f -> f.getFileName().toString().startsWith("seg-"))
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (java.io.IOException e) {
                  return 0; // deleted meanwhile
                }
              })
          .sum();
    }
  }

  private static void deleteProbeTopic(EmbeddedBroker broker) throws Exception {
    try (Admin admin = broker.admin()) {
      admin.deleteTopics(List.of(Topics.PROBE.name())).all().get(30, TimeUnit.SECONDS);
      // The controller has deleted it; wait until the broker's own metadata says so too.
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topics.PROBE.name())) {
        assertThat(System.nanoTime()).as("topic deleted in time").isLessThan(deadline);
        Thread.onSpinWait();
      }
    }
  }
}
