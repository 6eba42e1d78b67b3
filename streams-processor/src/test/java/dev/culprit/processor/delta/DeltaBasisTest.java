package dev.culprit.processor.delta;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.decode.SampleHeader;
import org.junit.jupiter.api.Test;

class DeltaBasisTest {

  private static final long GAP = 60_000;

  private static SampleHeader h(long time, String collector, String boot, long seq) {
    return new SampleHeader("h", "", time, collector, boot, seq);
  }

  @Test
  void comparesOnlyWithThePreviousSampleOfTheSameCollectorAndBoot() {
    SampleHeader then = h(10_000, "c1", "b1", 5);
    assertThat(DeltaProcessor.judge(null, then, GAP)).isEqualTo(DeltaBasis.FIRST);
    assertThat(DeltaProcessor.judge(then, h(20_000, "c1", "b1", 6), GAP))
        .isEqualTo(DeltaBasis.CONTINUED);
    assertThat(DeltaProcessor.judge(then, h(20_000, "c2", "b1", 1), GAP))
        .isEqualTo(DeltaBasis.NEW_COLLECTOR);
    assertThat(DeltaProcessor.judge(then, h(20_000, "c2", "b2", 1), GAP))
        .isEqualTo(DeltaBasis.NEW_BOOT);
    assertThat(DeltaProcessor.judge(then, h(80_001, "c1", "b1", 6), GAP)).isEqualTo(DeltaBasis.GAP);
  }

  @Test
  void anOlderOrRepeatedSampleIsStale() {
    SampleHeader then = h(10_000, "c1", "b1", 5);
    assertThat(DeltaProcessor.judge(then, h(10_000, "c1", "b1", 5), GAP))
        .isEqualTo(DeltaBasis.STALE);
    assertThat(DeltaProcessor.judge(then, h(9_000, "c2", "b1", 1), GAP))
        .as("older than the baseline, whoever sent it")
        .isEqualTo(DeltaBasis.STALE);
  }

  @Test
  void anUnknownBootIdFallsBackOnTheCollectorId() {
    SampleHeader then = h(10_000, "c1", null, 5);
    assertThat(DeltaProcessor.judge(then, h(20_000, "c1", "b1", 6), GAP))
        .isEqualTo(DeltaBasis.CONTINUED);
  }
}
