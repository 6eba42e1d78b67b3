package dev.culprit.processor;

import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/**
 * Windows follow sample time, not arrival: a sample that arrives late but within grace joins its
 * own window; one whose window its host has already judged is dropped and counted; each window is
 * judged once. (HostTimeTest: whose time closes a window.)
 */
class EventTimeTest {

  @Test
  void aSampleArrivingOutOfOrderWithinGraceJoinsItsOwnWindow() {
    try (TopologyHarness h = new TopologyHarness()) {
      ProtocolSample delayed = pipeSeedHoldingBackNginxProtocol(h);
      h.advanceTo(cycle(2) + 500); // past window 1's end, within its 2 s grace
      assertThat(h.causes()).as("window 1 is still open").isEmpty();
      h.pipe(delayed);
      h.advanceTo(closing(1));
      List<RootCause> causes = h.causes();
      assertThat(causes).hasSize(4);
      assertThat(causes)
          .allSatisfy(
              c -> {
                assertThat(c.getWindowStartMs()).isEqualTo(1_700_000_010_000L);
                assertThat(c.getSymptoms()).containsEntry("TcpExt.TCPSynRetrans", 4L);
              });
      assertThat(late(h)).as("late within grace is not dropped").isZero();
    }
  }

  @Test
  void aSampleOfAWindowItsHostHasJudgedIsDroppedAndCounted() {
    try (TopologyHarness h = new TopologyHarness()) {
      SeedHost seed = new SeedHost(cycle(0));
      ProtocolSample delayed = pipeSeedHoldingBackNginxProtocol(h, seed);
      // The host's next cycle, every topic past window 1's end and grace: window 1 closes
      // without the sample held back (a collector's topic is ordered, so it cannot come after).
      h.pipe(array(seed.cycle(closing(1), SeedHost.seed())));
      List<RootCause> judged = h.causes();
      assertThat(judged).hasSize(4).allSatisfy(c -> assertThat(c.getSymptoms()).isEmpty());

      h.pipe(delayed);
      h.advanceTo(closing(3));

      assertThat(h.metrics().late()).as("culprit's own count, per kind").containsValue(1L);
      assertThat(late(h)).isEqualTo(1);
      assertThat(h.causes()).as("window 1 is never judged again").isEmpty();
    }
  }

  @Test
  void aWindowIsJudgedOnceWhenItClosesNotOnEverySample() {
    try (TopologyHarness h = new TopologyHarness()) {
      SeedHost seed = new SeedHost(cycle(0));
      h.pipe(array(seed.cycle(cycle(0), SeedHost.quiet())));
      h.pipe(array(seed.cycle(cycle(1), SeedHost.seed())));
      assertThat(h.causes()).isEmpty();
      h.advanceTo(closing(1));
      assertThat(h.causes()).hasSize(4);
      h.advanceTo(closing(4));
      assertThat(h.causes()).isEmpty();
    }
  }

  /**
   * Pipes the seed's quiet cycle 0 and faulty cycle 1 without cycle 1's protocol sample of nginx,
   * which it returns for the test to deliver late.
   */
  private static ProtocolSample pipeSeedHoldingBackNginxProtocol(TopologyHarness h) {
    return pipeSeedHoldingBackNginxProtocol(h, new SeedHost(cycle(0)));
  }

  private static ProtocolSample pipeSeedHoldingBackNginxProtocol(TopologyHarness h, SeedHost seed) {
    h.pipe(array(seed.cycle(cycle(0), SeedHost.quiet())));
    List<SpecificRecord> second = seed.cycle(cycle(1), SeedHost.seed());
    ProtocolSample delayed = nginxProtocol(second);
    second.remove(delayed);
    h.pipe(array(second));
    return delayed;
  }

  static ProtocolSample nginxProtocol(List<SpecificRecord> cycle) {
    return cycle.stream()
        .filter(r -> r instanceof ProtocolSample p && p.getNetns().equals(SeedHost.NGINX))
        .map(ProtocolSample.class::cast)
        .findFirst()
        .orElseThrow();
  }

  /** Samples counted as late, all kinds. */
  static long late(TopologyHarness h) {
    return h.metrics().late().values().stream().mapToLong(Long::longValue).sum();
  }

  static SpecificRecord[] array(List<SpecificRecord> records) {
    return new ArrayList<>(records).toArray(SpecificRecord[]::new);
  }
}
