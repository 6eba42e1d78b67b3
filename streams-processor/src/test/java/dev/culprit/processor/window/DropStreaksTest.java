package dev.culprit.processor.window;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DropStreaksTest {

  private static final long SIZE = 5_000;

  @Test
  void aDropInTheWindowRightBeforeContinuesItsRunAndOneMissingStartsOver() {
    DropStreaks first = DropStreaks.none(0);
    assertThat(first.since("web", "rp_filter")).isEqualTo(0);

    DropStreaks second = DropStreaks.continuing(SIZE, SIZE, first.toBytes());
    assertThat(second.since("web", "rp_filter")).isEqualTo(0);
    assertThat(second.since("web", "other")).isEqualTo(SIZE);

    // The third window saw no rp_filter drop, so the fourth starts a new run.
    DropStreaks third = DropStreaks.continuing(2 * SIZE, SIZE, second.toBytes());
    third.since("web", "other");
    DropStreaks fourth = DropStreaks.continuing(3 * SIZE, SIZE, third.toBytes());
    assertThat(fourth.since("web", "rp_filter")).isEqualTo(3 * SIZE);
    assertThat(fourth.since("web", "other")).isEqualTo(SIZE);
  }

  @Test
  void aMissingWindowEndsEveryRun() {
    DropStreaks first = DropStreaks.none(0);
    first.since("web", "rp_filter");

    DropStreaks afterGap = DropStreaks.continuing(2 * SIZE, SIZE, first.toBytes());

    assertThat(afterGap.since("web", "rp_filter")).isEqualTo(2 * SIZE);
  }

  @Test
  void askingTwiceInAWindowGivesTheSameStartAndNamespacesAreApart() {
    DropStreaks first = DropStreaks.none(0);
    first.since("web", "rp_filter");
    DropStreaks second = DropStreaks.continuing(SIZE, SIZE, first.toBytes());

    assertThat(second.since("web", "rp_filter")).isEqualTo(0);
    assertThat(second.since("web", "rp_filter")).isEqualTo(0);
    assertThat(second.since("db", "rp_filter")).isEqualTo(SIZE);
  }
}
