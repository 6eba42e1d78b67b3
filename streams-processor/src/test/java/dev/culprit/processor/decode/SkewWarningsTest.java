package dev.culprit.processor.decode;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SkewWarningsTest {

  @Test
  void aSkewedHostIsLoggedAtMostOncePerMinute() {
    Duration ahead = Duration.ofDays(1);
    long t = 1_000_000_000L;
    assertThat(SkewWarnings.warn("culprit-skew-a", "t", ahead, t)).isTrue();
    assertThat(SkewWarnings.warn("culprit-skew-a", "t", ahead, t + 59_000)).isFalse();
    assertThat(SkewWarnings.warn("culprit-skew-b", "t", ahead, t + 59_000))
        .as("another host")
        .isTrue();
    assertThat(SkewWarnings.warn("culprit-skew-a", "t", ahead, t + 60_000)).isTrue();
  }
}
