package dev.culprit.collector.publish;

import static dev.culprit.collector.testing.TestSamples.header;
import static dev.culprit.collector.testing.TestSamples.probe;
import static dev.culprit.collector.testing.TestSamples.protocol;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.publish.spool.Spool;
import dev.culprit.collector.publish.spool.SpoolRecord;
import dev.culprit.collector.spi.Header;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.SchemaTopic;
import dev.culprit.schemas.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cycle handed to the publisher piece by piece ({@link Publisher#startCycle()}) reaches the
 * broker exactly as one publish of all of it would: schemas first, every topic in seq order, no seq
 * used by records that never went out.
 */
class KafkaPublisherCycleTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path spoolDir;

  /** Every send the sender made, in order. */
  private final List<List<SpoolRecord>> sends = new ArrayList<>();

  private final Transport recording =
      new Transport() {
        @Override
        public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
          synchronized (sends) {
            sends.add(List.copyOf(records));
          }
          for (int i = 0; i < records.size(); i++) {
            attempt.acknowledged(i);
          }
        }

        @Override
        public void close() {}
      };

  @Test
  void aCycleAddedPieceByPieceIsSentAsOnePublishOfItWouldBe() throws Exception {
    try (KafkaPublisher publisher = publisher()) {
      Header h = header("host-cycle", 1_700_000_000_000L);
      Publisher.Cycle cycle = publisher.startCycle();
      cycle.add(List.of(probe(h, 1)));
      cycle.add(List.of(protocol(h, Map.of("Tcp.X", 1L)), probe(h, 2)));
      assertThat(publisher.stats().spooledRecords())
          .as("nothing in the spool before the end")
          .isZero();
      cycle.publish(List.of(probe(h, 3)));
      assertThat(publisher.flush(WAIT)).isTrue();
      assertThatThrownBy(() -> cycle.add(List.of(probe(h, 4))))
          .isInstanceOf(IllegalStateException.class);
    }
    List<List<SpoolRecord>> got = sends();
    assertThat(got.get(0))
        .as("the cycle's new schemas are sent alone, before any of its records")
        .extracting(SpoolRecord::topic)
        .containsExactly(SchemaTopic.NAME, SchemaTopic.NAME);
    List<SpoolRecord> records = got.stream().skip(1).flatMap(List::stream).toList();
    assertThat(records)
        .extracting(SpoolRecord::topic)
        .containsExactly(
            Topics.PROBE.name(), Topics.PROTOCOL.name(), Topics.PROBE.name(), Topics.PROBE.name());
    assertThat(probeSeqs(records)).containsExactly(1L, 2L, 3L);
  }

  @Test
  void anAbandonedCycleSendsNothingAndGivesItsSeqAndSchemasBack() throws Exception {
    try (KafkaPublisher publisher = publisher()) {
      Header h = header("host-abandoned", 1_700_000_000_000L);
      publisher.publish(List.of(probe(h, 1)));
      Publisher.Cycle cycle = publisher.startCycle();
      cycle.add(List.of(probe(h, 2), protocol(h, Map.of("Tcp.X", 1L))));
      cycle.abandon();
      cycle.abandon(); // ends once

      assertThat(publisher.lastSeq(Topics.PROBE.name())).isEqualTo(1);
      assertThat(publisher.lastSeq(Topics.PROTOCOL.name())).isZero();
      publisher.publish(List.of(probe(h, 3), protocol(h, Map.of("Tcp.X", 2L))));
      assertThat(publisher.flush(WAIT)).isTrue();
    }
    List<SpoolRecord> all = sends().stream().flatMap(List::stream).toList();
    assertThat(all)
        .extracting(SpoolRecord::topic)
        .as("the protocol schema, first announced by the abandoned cycle, is announced again")
        .containsExactly(
            SchemaTopic.NAME,
            Topics.PROBE.name(),
            SchemaTopic.NAME,
            Topics.PROBE.name(),
            Topics.PROTOCOL.name());
    assertThat(probeSeqs(all)).as("no gap where the abandoned record was").containsExactly(1L, 2L);
    assertThat(
            all.stream()
                .filter(r -> r.topic().equals(Topics.PROBE.name()))
                .map(r -> Topics.PROBE.valueSerde().decode(r.value()).getSent()))
        .as("the abandoned record never went out")
        .containsExactly(1L, 3L);
  }

  @Test
  void aPublishFromAnotherThreadWaitsForTheOpenCycleSoEachTopicStaysInSeqOrder() throws Exception {
    try (KafkaPublisher publisher = publisher()) {
      Header h = header("host-two-threads", 1_700_000_000_000L);
      Publisher.Cycle cycle = publisher.startCycle();
      cycle.add(List.of(probe(h, 1)));
      Thread other = new Thread(() -> publisher.publish(List.of(probe(h, 2))));
      other.start();
      while (!publisher.publishWaitingForCycle()) {
        Thread.onSpinWait(); // until the other thread is queued on the open cycle
      }
      cycle.publish(List.of(probe(h, 3)));
      other.join(WAIT.toMillis());
      assertThat(other.isAlive()).isFalse();
      assertThat(publisher.flush(WAIT)).isTrue();
    }
    List<SpoolRecord> probes =
        sends().stream()
            .flatMap(List::stream)
            .filter(r -> r.topic().equals(Topics.PROBE.name()))
            .toList();
    assertThat(probes)
        .extracting(r -> Topics.PROBE.valueSerde().decode(r.value()).getSent())
        .as("the other thread's record after the whole cycle")
        .containsExactly(1L, 3L, 2L);
    assertThat(probeSeqs(probes)).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aCycleCannotBeOpenedTwiceOnOneThreadNorAfterClose() throws Exception {
    KafkaPublisher publisher = publisher();
    Publisher.Cycle cycle = publisher.startCycle();
    assertThatThrownBy(publisher::startCycle).isInstanceOf(IllegalStateException.class);
    cycle.abandon();
    publisher.close();
    assertThatThrownBy(publisher::startCycle).isInstanceOf(IllegalStateException.class);
  }

  private KafkaPublisher publisher() throws Exception {
    return new KafkaPublisher(Spool.open(spoolDir, 16L << 20), () -> recording, "recording");
  }

  private List<List<SpoolRecord>> sends() {
    synchronized (sends) {
      return List.copyOf(sends);
    }
  }

  private static List<Long> probeSeqs(List<SpoolRecord> records) {
    return records.stream()
        .filter(r -> r.topic().equals(Topics.PROBE.name()))
        .map(r -> Topics.PROBE.valueSerde().decode(r.value()))
        .map(ProbeSample::getSeq)
        .toList();
  }
}
