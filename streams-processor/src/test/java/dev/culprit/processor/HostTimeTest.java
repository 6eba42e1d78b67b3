package dev.culprit.processor;

import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.scenarios.SeedHost;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.RootCause;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

/**
 * A host's windows close by its own samples' time, never by another host's: a host whose samples
 * arrive minutes late (a spool drained after an outage) gets every window judged as if they had
 * come on time; a host ahead of the others closes nothing of theirs; a host that falls silent has
 * its last window judged after {@code hostSilence}.
 */
class HostTimeTest {

  private static final Duration SILENCE = Duration.ofMinutes(6);
  private static final String LATE_HEADER = "culprit-judged-late-ms";

  private static ProcessorConfig config() {
    return ProcessorConfig.defaults("ttd:9092").withHostSilence(SILENCE);
  }

  @Test
  void anotherHostAheadInTimeDoesNotCloseThisHostsWindow() {
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      SeedHost seed = new SeedHost(cycle(0));
      h.pipe(EventTimeTest.array(seed.cycle(cycle(0), SeedHost.quiet())));
      List<SpecificRecord> second = seed.cycle(cycle(1), SeedHost.seed());
      ProtocolSample delayed = EventTimeTest.nginxProtocol(second);
      second.remove(delayed);
      h.pipe(EventTimeTest.array(second));
      // A host whose clock runs four minutes ahead (within the allowed skew) moves stream time.
      SampleFactory ahead = new SampleFactory("ahead-1", cycle(0));
      h.pipe(ahead.at(cycle(1) + 240_000).protocol("", Map.of("Tcp.RetransSegs", 1L)));
      assertThat(h.causes()).as("the seed's window 1 is still open").isEmpty();

      h.pipe(delayed);
      h.pipe(EventTimeTest.array(seed.cycle(closing(1), SeedHost.seed())));

      List<TestRecord<String, RootCause>> judged = h.causeRecords();
      assertThat(judged.stream().map(TestRecord::value).toList())
          .hasSize(4)
          .allSatisfy(c -> assertThat(c.getSymptoms()).containsEntry("TcpExt.TCPSynRetrans", 4L));

      assertThat(EventTimeTest.late(h)).isZero();
    }
  }

  @Test
  void aHostCatchingUpAfterAnOutageGetsEveryWindowJudgedAsOnTimeAndMarkedLate() {
    List<TestRecord<String, RootCause>> onTime = onTime();
    List<TestRecord<String, RootCause>> caughtUp;
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      Fleet fleet = new Fleet();
      // Both send on time, then the seed's collector cannot reach Kafka for five minutes: its
      // spool drains after the steady host's.
      for (int c = 0; c < 5; c++) {
        h.pipe(EventTimeTest.array(fleet.steady(c)));
        h.pipe(EventTimeTest.array(fleet.seed(c)));
      }
      for (int c = 5; c <= 36; c++) {
        h.pipe(EventTimeTest.array(fleet.steady(c)));
      }
      for (int c = 5; c <= 36; c++) {
        h.pipe(EventTimeTest.array(fleet.seed(c)));
      }
      caughtUp = h.causeRecords();
      assertThat(EventTimeTest.late(h)).as("nothing dropped as late").isZero();
    }

    assertThat(onTime).as("the fault's windows give causes").hasSizeGreaterThan(20);
    assertThat(caughtUp.stream().map(TestRecord::value).toList())
        .as("the same events, ids included")
        .isEqualTo(onTime.stream().map(TestRecord::value).toList());
    // These samples are from 2023: by the wall clock every window is judged years after its end,
    // and says so in the header (a replay, whose clock is the records', sets none).
    assertThat(caughtUp).allSatisfy(r -> assertThat(lateMs(r)).isGreaterThan(86_400_000L));
    assertThat(caughtUp)
        .allSatisfy(r -> assertThat(r.timestamp()).isEqualTo(r.value().getWindowStartMs()));
  }

  @Test
  void aSilentHostsLastWindowIsJudgedOnceItsSilenceHasLasted() {
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      SeedHost seed = new SeedHost(cycle(0));
      SampleFactory steady = new SampleFactory("steady-1", cycle(0));
      h.pipe(EventTimeTest.array(seed.cycle(cycle(0), SeedHost.quiet())));
      h.pipe(EventTimeTest.array(seed.cycle(cycle(1), SeedHost.seed())));
      int c = 1;
      for (; cycle(c) < cycle(1) + SILENCE.toMillis() - 20_000; c++) {
        h.pipe(steady.at(cycle(c)).protocol("", Map.of("Tcp.RetransSegs", (long) c)));
      }
      assertThat(h.causes()).as("the seed may still catch up").isEmpty();
      for (int i = 0; i < 4; i++, c++) {
        h.pipe(steady.at(cycle(c)).protocol("", Map.of("Tcp.RetransSegs", (long) c)));
      }
      List<TestRecord<String, RootCause>> judged = h.causeRecords();
      assertThat(judged).hasSize(4);
      assertThat(judged).allSatisfy(r -> assertThat(lateMs(r)).isPositive());
    }
  }

  @Test
  void aTopicTheHostStoppedSendingIsWaitedForOneWindowMore() {
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      SeedHost seed = new SeedHost(cycle(0));
      h.pipe(EventTimeTest.array(seed.cycle(cycle(0), SeedHost.quiet())));
      h.pipe(EventTimeTest.array(seed.cycle(cycle(1), SeedHost.seed())));
      h.pipe(EventTimeTest.array(withoutFilter(seed.cycle(closing(1), times(2)))));
      assertThat(h.causes()).as("window 1 waits for the filter topic").isEmpty();
      // Live, the stopped topic has also been quiet for a window and grace of wall clock.
      h.driver().advanceWallClockTime(Duration.ofSeconds(12));
      h.pipe(EventTimeTest.array(withoutFilter(seed.cycle(closing(2), times(3)))));
      List<TestRecord<String, RootCause>> judged = h.causeRecords();
      assertThat(judged).as("judged one window later with what it has").hasSize(4);
    }
  }

  @Test
  void aTopicStillComingButReadBehindTheHostsOthersIsWaitedFor() {
    List<RootCause> inOrder;
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      SeedHost seed = new SeedHost(cycle(0));
      h.pipe(EventTimeTest.array(seed.cycle(cycle(0), SeedHost.quiet())));
      for (int c = 1; c <= 4; c++) {
        h.pipe(EventTimeTest.array(seed.cycle(cycle(c), times(c))));
      }
      h.pipe(EventTimeTest.array(seed.cycle(closing(4), times(5))));
      inOrder = h.causes();
    }
    assertThat(inOrder).as("causes of windows 1-4 read in order").isNotEmpty();
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      SeedHost seed = new SeedHost(cycle(0));
      h.pipe(EventTimeTest.array(seed.cycle(cycle(0), SeedHost.quiet())));
      // The task reads the other topics' partitions four cycles ahead of the filter topic's (its
      // broker answered later): stream time moves 40 s on within a second of wall clock.
      List<SpecificRecord> filter = new ArrayList<>();
      for (int c = 1; c <= 4; c++) {
        List<SpecificRecord> samples = seed.cycle(cycle(c), times(c));
        h.pipe(EventTimeTest.array(withoutFilter(samples)));
        filter.addAll(samples.stream().filter(r -> r instanceof FilterSample).toList());
      }
      h.pipe(EventTimeTest.array(filter));
      h.pipe(EventTimeTest.array(seed.cycle(closing(4), times(5))));

      assertThat(h.causes()).as("the causes of the in-order read").isEqualTo(inOrder);
      assertThat(EventTimeTest.late(h)).as("samples dropped as late").isZero();
    }
  }

  @Test
  void aHostsFirstWindowsWaitForATopicReadBehindItsOthers() {
    List<RootCause> inOrder;
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      SeedHost seed = new SeedHost(cycle(0));
      for (int c = 0; c <= 4; c++) {
        h.pipe(EventTimeTest.array(seed.cycle(cycle(c), times(c))));
      }
      h.pipe(EventTimeTest.array(seed.cycle(closing(4), times(5))));
      inOrder = h.causes();
    }
    assertThat(inOrder).as("causes of windows 1-4 read in order").isNotEmpty();
    try (TopologyHarness h = TopologyHarness.hostTimeJustStarted(config())) {
      SeedHost seed = new SeedHost(cycle(0));
      // The processor starts on a backlog and the first fetch of the filter topic's partition
      // comes back after the others': the host's first four cycles are read without it.
      List<SpecificRecord> filter = new ArrayList<>();
      for (int c = 0; c <= 4; c++) {
        List<SpecificRecord> samples = seed.cycle(cycle(c), times(c));
        h.pipe(EventTimeTest.array(withoutFilter(samples)));
        filter.addAll(samples.stream().filter(r -> r instanceof FilterSample).toList());
        h.driver().advanceWallClockTime(Duration.ofSeconds(1));
      }
      h.pipe(EventTimeTest.array(filter));
      h.pipe(EventTimeTest.array(seed.cycle(closing(4), times(5))));
      assertThat(h.causes()).as("nothing judged in the task's first 12 s of wall clock").isEmpty();
      h.driver().advanceWallClockTime(Duration.ofSeconds(8));

      assertThat(EventTimeTest.late(h)).as("samples dropped as late").isZero();
      assertThat(h.causes()).as("the causes of the in-order read").isEqualTo(inOrder);
    }
  }

  @Test
  void aSpoolDrainingAfterMinutesOfWallClockWaitsForItsTopicsReadBehind() {
    List<TestRecord<String, RootCause>> onTime = onTime();
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      Fleet fleet = new Fleet();
      for (int c = 0; c < 5; c++) {
        h.pipe(EventTimeTest.array(fleet.steady(c)));
        h.pipe(EventTimeTest.array(fleet.seed(c)));
      }
      // Five minutes of wall clock without the seed (its collector could not reach Kafka), the
      // steady host going on.
      for (int c = 5; c <= 36; c++) {
        h.pipe(EventTimeTest.array(fleet.steady(c)));
        h.driver().advanceWallClockTime(Duration.ofSeconds(10));
      }
      // The spool drains: the task reads the seed's other topics well ahead of its filter topic's
      // (fetched later), all within a second of wall clock.
      List<SpecificRecord> filter = new ArrayList<>();
      for (int c = 5; c <= 36; c++) {
        List<SpecificRecord> samples = fleet.seed(c);
        h.pipe(EventTimeTest.array(withoutFilter(samples)));
        filter.addAll(samples.stream().filter(r -> r instanceof FilterSample).toList());
      }
      h.pipe(EventTimeTest.array(filter));

      assertThat(EventTimeTest.late(h)).as("samples dropped as late").isZero();
      assertThat(h.causeRecords().stream().map(TestRecord::value).toList())
          .as("the causes of the on-time run, ids included")
          .isEqualTo(onTime.stream().map(TestRecord::value).toList());
    }
  }

  /** The causes of {@link Fleet}'s cycles 0-36, every sample read on time. */
  private static List<TestRecord<String, RootCause>> onTime() {
    try (TopologyHarness h = TopologyHarness.hostTime(config())) {
      Fleet fleet = new Fleet();
      for (int c = 0; c <= 36; c++) {
        h.pipe(EventTimeTest.array(fleet.steady(c)));
        h.pipe(EventTimeTest.array(fleet.seed(c)));
      }
      return h.causeRecords();
    }
  }

  /** A steady host and the seed host whose faults start at cycle 10, sampled every 10 s. */
  private static final class Fleet {
    private final SampleFactory steady = new SampleFactory("steady-1", cycle(0));
    private final SeedHost seed = new SeedHost(cycle(0));

    List<SpecificRecord> steady(int c) {
      return List.of(steady.at(cycle(c)).protocol("", Map.of("Tcp.RetransSegs", (long) c)));
    }

    List<SpecificRecord> seed(int c) {
      return seed.cycle(cycle(c), c < 10 ? SeedHost.quiet() : times(c - 9));
    }
  }

  /** The seed's counters {@code k} times over: the faults going on for {@code k} cycles. */
  private static SeedHost.State times(int k) {
    SeedHost.State s = SeedHost.seed();
    return new SeedHost.State(
        s.containerMtu(),
        k * s.containerRxPackets(),
        k * s.containerRxDropped(),
        s.netem(),
        k * s.netemSent(),
        k * s.netemBytes(),
        k * s.netemDrops(),
        s.dropRules(),
        k * s.inputDrops(),
        k * s.outputDrops(),
        k * s.inputAccepted(),
        k * s.outputAccepted(),
        SeedHost.tcp(11L * k, 4L * k, 11L * k, 7L * k, 4L * k));
  }

  private static long lateMs(TestRecord<String, RootCause> r) {
    Header header = r.headers().lastHeader(LATE_HEADER);
    assertThat(header).as("the %s header", LATE_HEADER).isNotNull();
    return Long.parseLong(new String(header.value(), StandardCharsets.US_ASCII));
  }

  private static List<SpecificRecord> withoutFilter(List<SpecificRecord> cycle) {
    List<SpecificRecord> out = new ArrayList<>(cycle);
    out.removeIf(r -> r instanceof FilterSample);
    return out;
  }
}
