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

  /** Every send the sender made, in order; guards the two fields below too. */
  private final List<List<SpoolRecord>> sends = new ArrayList<>();

  private boolean holdAcks;
  private final List<Runnable> heldAcks = new ArrayList<>();

  private final Transport recording =
      new Transport() {
        @Override
        public void send(List<SpoolRecord> records, DeliveryAttempt attempt) {
          Runnable ack =
              () -> {
                for (int i = 0; i < records.size(); i++) {
                  attempt.acknowledged(i);
                }
              };
          synchronized (sends) {
            sends.add(List.copyOf(records));
            if (holdAcks) {
              heldAcks.add(ack);
              return;
            }
          }
          ack.run();
        }

        @Override
        public void close() {}
      };

  @Test
  void eachPartIsSpooledAsItComesAndNoRecordIsSentBeforeItsSchema() throws Exception {
    synchronized (sends) {
      holdAcks = true; // nothing leaves the spool: what it holds is what was added
    }
    try (KafkaPublisher publisher = publisher()) {
      Header h = header("host-cycle", 1_700_000_000_000L);
      Publisher.Cycle cycle = publisher.startCycle();
      cycle.add(List.of(probe(h, 1)));
      assertThat(publisher.stats().spooledRecords()).as("the probe and its schema").isEqualTo(2);
      cycle.add(List.of(protocol(h, Map.of("Tcp.X", 1L)), probe(h, 2)));
      assertThat(publisher.stats().spooledRecords()).isEqualTo(5);
      cycle.publish(List.of(probe(h, 3)));
      assertThat(publisher.stats().spooledRecords()).isEqualTo(6);
      assertThatThrownBy(() -> cycle.add(List.of(probe(h, 4))))
          .isInstanceOf(IllegalStateException.class);
      releaseAcks();
      assertThat(publisher.flush(WAIT)).isTrue();
    }
    List<List<SpoolRecord>> got = sends();
    for (List<SpoolRecord> send : got) {
      List<String> topics = send.stream().map(SpoolRecord::topic).toList();
      int firstSchema = topics.indexOf(SchemaTopic.NAME);
      List<String> fromFirstSchema =
          firstSchema < 0 ? List.of() : topics.subList(firstSchema, topics.size());
      assertThat(fromFirstSchema)
          .as("a send's schemas end it: its records' schemas were acknowledged before it")
          .allSatisfy(t -> assertThat(t).isEqualTo(SchemaTopic.NAME));
    }
    List<SpoolRecord> all = got.stream().flatMap(List::stream).toList();
    assertThat(all)
        .extracting(SpoolRecord::topic)
        .containsExactly(
            SchemaTopic.NAME,
            Topics.PROBE.name(),
            SchemaTopic.NAME,
            Topics.PROTOCOL.name(),
            Topics.PROBE.name(),
            Topics.PROBE.name());
    assertThat(probeSeqs(all)).containsExactly(1L, 2L, 3L);
  }

  @Test
  void anAbandonedCycleDeliversWhatWasAddedOnceAndTheNextGoesOnWithoutAGap() throws Exception {
    try (KafkaPublisher publisher = publisher()) {
      Header h = header("host-abandoned", 1_700_000_000_000L);
      publisher.publish(List.of(probe(h, 1)));
      Publisher.Cycle cycle = publisher.startCycle();
      cycle.add(List.of(probe(h, 2), protocol(h, Map.of("Tcp.X", 1L))));
      cycle.abandon();
      cycle.abandon(); // ends once
      assertThatThrownBy(() -> cycle.publish(List.of(probe(h, 9))))
          .isInstanceOf(IllegalStateException.class);
      publisher.publish(List.of(probe(h, 3), protocol(h, Map.of("Tcp.X", 2L))));
      assertThat(publisher.flush(WAIT)).isTrue();
      assertThat(publisher.lastSeq(Topics.PROBE.name())).isEqualTo(3);
      assertThat(publisher.lastSeq(Topics.PROTOCOL.name())).isEqualTo(2);
    }
    List<SpoolRecord> probes = topic(Topics.PROBE.name());
    assertThat(probes)
        .extracting(r -> Topics.PROBE.valueSerde().decode(r.value()).getSent())
        .containsExactly(1L, 2L, 3L);
    assertThat(probeSeqs(probes)).containsExactly(1L, 2L, 3L);
    assertThat(topic(SchemaTopic.NAME)).as("each type announced once").hasSize(2);
  }

  @Test
  void aPublishFromAnotherThreadBetweenPartsKeepsEveryTopicInSeqOrder() throws Exception {
    try (KafkaPublisher publisher = publisher()) {
      Header h = header("host-two-threads", 1_700_000_000_000L);
      Publisher.Cycle cycle = publisher.startCycle();
      cycle.add(List.of(probe(h, 1)));
      Thread other = new Thread(() -> publisher.publish(List.of(probe(h, 2))));
      other.start();
      other.join(WAIT.toMillis());
      assertThat(other.isAlive()).isFalse();
      cycle.publish(List.of(probe(h, 3)));
      assertThat(publisher.flush(WAIT)).isTrue();
    }
    List<SpoolRecord> probes = topic(Topics.PROBE.name());
    assertThat(probes)
        .extracting(r -> Topics.PROBE.valueSerde().decode(r.value()).getSent())
        .containsExactly(1L, 2L, 3L);
    assertThat(probeSeqs(probes)).containsExactly(1L, 2L, 3L);
  }

  @Test
  void noCycleStartsAfterClose() throws Exception {
    KafkaPublisher publisher = publisher();
    publisher.close();
    assertThatThrownBy(publisher::startCycle).isInstanceOf(IllegalStateException.class);
  }

  private void releaseAcks() {
    synchronized (sends) {
      holdAcks = false;
      heldAcks.forEach(Runnable::run);
      heldAcks.clear();
    }
  }

  private List<SpoolRecord> topic(String name) {
    return sends().stream().flatMap(List::stream).filter(r -> r.topic().equals(name)).toList();
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
