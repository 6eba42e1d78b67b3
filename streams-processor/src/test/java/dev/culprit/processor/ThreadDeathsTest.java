package dev.culprit.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ThreadDeathsTest {

  private static final long MINUTE = Duration.ofMinutes(1).toNanos();

  @Test
  void theThirdDeathWithinFiveMinutesIsTooMany() {
    ThreadDeaths deaths = new ThreadDeaths(3, Duration.ofMinutes(5));
    assertThat(deaths.tooMany(0)).isFalse();
    assertThat(deaths.tooMany(MINUTE)).isFalse();
    assertThat(deaths.tooMany(2 * MINUTE)).isTrue();
  }

  @Test
  void deathsFurtherApartThanTheWindowAreReplacedForever() {
    ThreadDeaths deaths = new ThreadDeaths(3, Duration.ofMinutes(5));
    for (int i = 0; i < 10; i++) {
      assertThat(deaths.tooMany(i * 3 * MINUTE)).as("death %d, 3 min after the last", i).isFalse();
    }
  }
}
