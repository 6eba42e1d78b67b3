package dev.culprit.collector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CycleScheduleTest {

  @Test
  void theNextTickIsTheNextMultipleOfTheIntervalStrictlyAfterNow() {
    assertThat(CycleSchedule.nextTick(12_345, 5_000)).isEqualTo(15_000);
    assertThat(CycleSchedule.nextTick(15_000, 5_000)).isEqualTo(20_000);
    assertThat(CycleSchedule.nextTick(0, 5_000)).isEqualTo(5_000);
  }

  @Test
  void hostsWithDifferentStartTimesShareTheirTicks() {
    long a = CycleSchedule.nextTick(1_700_000_001_234L, 5_000);
    long b = CycleSchedule.nextTick(1_700_000_003_999L, 5_000);

    assertThat(a).isEqualTo(b).isEqualTo(1_700_000_005_000L);
  }

  @Test
  void countsTheTicksAnOverlongCycleSkipped() {
    assertThat(CycleSchedule.missedTicks(10_000, 15_000, 5_000)).isZero();
    assertThat(CycleSchedule.missedTicks(10_000, 25_000, 5_000)).isEqualTo(2);
  }
}
