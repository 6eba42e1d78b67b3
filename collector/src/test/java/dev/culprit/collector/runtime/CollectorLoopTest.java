package dev.culprit.collector.runtime;

import static dev.culprit.collector.runtime.TestSources.HOST;
import static dev.culprit.collector.runtime.TestSources.finder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.spi.Source.Scope;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The loop on the real clock, with short intervals. */
class CollectorLoopTest {

  private static final long INTERVAL_MS = 200;

  @Test
  void runsCyclesOnWallClockMultiplesOfTheIntervalUntilClosed() throws Exception {
    RecordingPublisher publisher = new RecordingPublisher();
    var probe = new TestSources.Counting("probe", Scope.PER_NETNS);
    CollectorConfig config =
        CollectorConfig.builder().hostId("host-1").interval(Duration.ofMillis(INTERVAL_MS)).build();
    try (Collector collector = new Collector(config, List.of(probe), finder(HOST), publisher)) {
      collector.start();

      List<List<Sample>> cycles = publisher.awaitCycles(3, Duration.ofSeconds(20));

      assertThat(cycles).hasSizeGreaterThanOrEqualTo(3);
      List<Long> times =
          cycles.stream().map(c -> CollectorTest.health(c).getSampleTimeMs()).toList();
      assertThat(times).allSatisfy(t -> assertThat(t % INTERVAL_MS).isZero());
      assertThat(times).isSorted().doesNotHaveDuplicates();
    }
    assertThat(publisher.closed()).isTrue();
  }

  @Test
  void closesPromptlyWhileASourceHangsInTheMiddleOfACycle() throws Exception {
    RecordingPublisher publisher = new RecordingPublisher();
    var hanging = new TestSources.Hanging("stuck", "");
    // A long cycle whose first tick is near: the clock is set just before a multiple of 10 s.
    Duration interval = Duration.ofSeconds(10);
    long now = System.currentTimeMillis();
    long untilTick = interval.toMillis() - Math.floorMod(now, interval.toMillis());
    Clock nearTick = Clock.offset(Clock.systemUTC(), Duration.ofMillis(untilTick - 100));
    CollectorConfig config = CollectorConfig.builder().hostId("host-1").interval(interval).build();
    Collector collector =
        new Collector(config, List.of(hanging), finder(HOST), publisher, nearTick);
    try {
      collector.start();
      assertThat(hanging.entered.await(20, TimeUnit.SECONDS)).isTrue();

      // The source timeout is 7.5 s; close must not wait for it.
      assertTimeoutPreemptively(Duration.ofSeconds(3), collector::close);

      assertThat(publisher.cycles()).as("the interrupted cycle is not published").isEmpty();
      assertThat(publisher.closed()).isTrue();
    } finally {
      hanging.release.countDown();
      collector.close();
    }
  }
}
