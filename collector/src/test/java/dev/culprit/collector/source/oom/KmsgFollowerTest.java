package dev.culprit.collector.source.oom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.culprit.collector.testing.Fixtures;
import dev.culprit.collector.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KmsgFollowerTest {

  private static final long SH_KILL_US = 683661570L;
  private static final long JAVA_KILL_US = 705882241L;
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  @Test
  void reportsOnlyKillsWithinTheLookBackWhenItStarts() throws Exception {
    Path log = twoKills();
    // The shell kill is 22 s older than the JVM kill: outside a 10 s look-back.
    KernelClock clock = KernelClock.fixed(JAVA_KILL_US + 1_000_000, 1_700_000_000_000L);
    try (KmsgFollower follower = new KmsgFollower(log, Duration.ofSeconds(10), clock, 16)) {
      follower.start();
      Poll.untilTrue(WAIT, "end of the log", () -> !follower.isRunning());

      List<OomReport> kills = follower.drain();
      assertThat(kills).extracting(OomReport::victimPid).containsExactly(32361);
      assertThat(follower.drain()).as("drained").isEmpty();
      assertThat(follower.failure()).isNull();
      assertThat(follower.lastSeq()).isEqualTo(1368);
    }
  }

  @Test
  void dropsTheOldestKillsPastItsCapacityAndCountsThem() throws Exception {
    Path log = twoKills();
    KernelClock clock = KernelClock.fixed(JAVA_KILL_US, 0);
    try (KmsgFollower follower = new KmsgFollower(log, Duration.ofDays(1), clock, 1)) {
      follower.start();
      Poll.untilTrue(WAIT, "end of the log", () -> !follower.isRunning());

      assertThat(follower.drain())
          .extracting(OomReport::kernelTimeUs)
          .containsExactly(JAVA_KILL_US);
      assertThat(follower.droppedKills()).isEqualTo(1);
    }
  }

  @Test
  void skipsMalformedRecordsAndKeepsReading() throws Exception {
    Path log = dir.resolve("kmsg");
    Files.writeString(
        log, "garbage without prefix\n" + Fixtures.text("kmsg/docker_oom_sh_64m.kmsg.txt"));
    try (KmsgFollower follower =
        new KmsgFollower(log, Duration.ofDays(1), KernelClock.fixed(SH_KILL_US, 0), 4)) {
      follower.start();
      Poll.untilTrue(WAIT, "end of the log", () -> !follower.isRunning());

      assertThat(follower.drain()).extracting(OomReport::victimName).containsExactly("sh");
      assertThat(follower.malformedRecords()).isEqualTo(1);
    }
  }

  @Test
  void followsTheRealKernelLogAndStopsPromptlyOnClose() throws Exception {
    Path kmsg = Path.of("/dev/kmsg");
    assumeThat(Files.isReadable(kmsg)).as("needs a readable /dev/kmsg (root on Linux)").isTrue();
    KmsgFollower follower =
        new KmsgFollower(kmsg, Duration.ofSeconds(1), KernelClock.system(Path.of("/proc")), 16);
    follower.start();
    // The ring buffer is never empty after boot; reading it proves the records parse.
    Poll.untilTrue(WAIT, "the first kernel log record", () -> follower.lastSeq() >= 0);
    assertThat(follower.malformedRecords()).isZero();

    long start = System.nanoTime();
    follower.close();
    assertThat(follower.isRunning()).as("reader blocked in read(2) was woken by close").isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    assertThat(follower.failure()).isNull();
  }

  private Path twoKills() throws Exception {
    Path log = dir.resolve("kmsg");
    Files.writeString(
        log,
        Fixtures.text("kmsg/docker_oom_sh_64m.kmsg.txt")
            + Fixtures.text("kmsg/docker_java_hostheap_512m.kmsg.txt"));
    return log;
  }
}
