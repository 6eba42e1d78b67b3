package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PercentilesTest {

  private static List<Duration> seconds(long... values) {
    return java.util.Arrays.stream(values).mapToObj(Duration::ofSeconds).toList();
  }

  @Test
  void takesTheNearestRankOfFiveRuns() {
    List<Duration> runs = seconds(9, 7, 11, 6, 30);
    assertThat(Percentiles.of(runs, 50)).isEqualTo(Duration.ofSeconds(9));
    assertThat(Percentiles.of(runs, 95)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aSingleRunIsEveryPercentile() {
    assertThat(Percentiles.of(seconds(4), 50)).isEqualTo(Duration.ofSeconds(4));
    assertThat(Percentiles.of(seconds(4), 95)).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void refusesNoSamplesOrANonsensePercentile() {
    assertThatThrownBy(() -> Percentiles.of(List.of(), 50)).hasMessageContaining("no samples");
    assertThatThrownBy(() -> Percentiles.of(seconds(1), 0)).hasMessageContaining("percentile");
  }
}
