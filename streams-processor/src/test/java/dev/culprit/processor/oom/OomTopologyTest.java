package dev.culprit.processor.oom;

import static dev.culprit.processor.oom.OomFixtures.KILL_MS;
import static dev.culprit.processor.oom.OomFixtures.MIB;
import static dev.culprit.processor.oom.OomFixtures.TOMCAT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.KernelOomSample;
import dev.culprit.schemas.RootCause;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OOM join through the whole topology: when each kill is reported, and only once. */
class OomTopologyTest {

  private static final String HOG_ID =
      "1043cb870907fe525148a8686f98e46f2a76557e163ab3428ffcec724b8f6b4a";

  private static ContainerStats tomcat() {
    return OomFixtures.seedTomcat(400 * MIB);
  }

  private static KernelOomSample kill(long sampleTimeMs) {
    return OomFixtures.seedKill().setSampleTimeMs(sampleTimeMs).build();
  }

  @Test
  void reportsTheSeedsKillAsSoonAsTheKernelRecordAndTheExitStateArrived() {
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 3000, tomcat()).periodic(KILL_MS - 1000, tomcat());
      s.triggered(KILL_MS + 80, "oom", tomcat());
      s.triggered(KILL_MS + 120, "die", OomFixtures.exited(tomcat(), 137, true));
      assertThat(s.causes()).as("no kernel record yet").isEmpty();

      s.pipe(kill(KILL_MS + 900));

      List<RootCause> causes = s.causes();
      assertThat(causes)
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
                assertThat(c.getLocation()).isEqualTo("tomcat");
                assertThat(c.getEvidence())
                    .containsEntry("exitCode", 137L)
                    .containsEntry("maxHeapBytes", 2092957696L);
              });
      s.periodic(KILL_MS + 30_000);
      assertThat(s.causes()).as("reported once").isEmpty();
    }
  }

  @Test
  void waitsForTheExitStateWhenTheKernelRecordComesFirst() {
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 1000, tomcat());
      s.pipe(kill(KILL_MS + 300));
      assertThat(s.causes()).isEmpty();

      s.triggered(KILL_MS + 400, "die", OomFixtures.exited(tomcat(), 137, true));

      assertThat(s.causes())
          .singleElement()
          .satisfies(c -> assertThat(c.getEvidence()).containsEntry("exitCode", 137L));
    }
  }

  @Test
  void waitsForTheExitStateWhenTheLastSampleLostTheEnginesView() {
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 2000, tomcat());
      // Taken as the container died: the cgroup still read, the engine lookup failed.
      s.periodic(
          KILL_MS - 100, ContainerStats.newBuilder(tomcat()).setName(null).setState(null).build());
      s.pipe(kill(KILL_MS + 300));
      assertThat(s.causes()).as("an engine was seen: its exit state will come").isEmpty();

      s.triggered(KILL_MS + 400, "die", OomFixtures.exited(tomcat(), 137, true));

      assertThat(s.causes())
          .singleElement()
          .satisfies(c -> assertThat(c.getEvidence()).containsEntry("exitCode", 137L));
    }
  }

  @Test
  void reportsAChildKillAtTheDeadlineWhileTheContainerRunsOn() {
    ContainerStats sh = OomFixtures.docker(TOMCAT_ID, "child", 64 * MIB, 60 * MIB).build();
    KernelOomSample childKill = OomFixtures.childKill();
    ContainerStats stillRunning = ContainerStats.newBuilder(sh).setOomKilled(true).build();
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 1000, sh);
      s.pipe(childKill);
      s.periodic(KILL_MS + 5000, stillRunning);
      assertThat(s.causes()).as("before the deadline").isEmpty();

      s.periodic(KILL_MS + 11_000, stillRunning);

      assertThat(s.causes())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getCause()).isEqualTo(Cause.PROCESS_MEMORY_GROWTH);
                assertThat(c.getEvidence().get("engineNote").toString()).contains("still running");
              });
    }
  }

  @Test
  void reportsAPlainCgroupKillAtOnceSinceNoEngineWillSayMore() {
    ContainerStats lab =
        OomFixtures.cgroup("/culprit-oom-jvm-1a2b3c", 256 * MIB, 200 * MIB)
            .setJvms(List.of(OomFixtures.jvm(4242, 2L << 30, "hsperfdata", "-Xmx2g")))
            .build();
    KernelOomSample k =
        OomFixtures.seedKill()
            .setContainerId(null)
            .setMemcg("/culprit-oom-jvm-1a2b3c")
            .setTaskMemcg("/culprit-oom-jvm-1a2b3c")
            .setVictimPid(4242)
            .setMemLimitKb(262144L)
            .setMemUsageKb(262144L)
            .build();
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 1000, lab);
      s.pipe(k);

      assertThat(s.causes())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
                assertThat(c.getLocation()).isEqualTo("/culprit-oom-jvm-1a2b3c");
                assertThat(c.getContainer()).isEqualTo("/culprit-oom-jvm-1a2b3c");
                assertThat(c.getSummary())
                    .startsWith(
                        "MaxHeapSize 2 GiB exceeds the 256 MiB limit of cgroup /culprit-oom-jvm-1a2b3c");
                assertThat(c.getRemediation())
                    .startsWith("# set -Xmx192m or -XX:MaxRAMPercentage=75");
              });
    }
  }

  @Test
  void reportsARedeliveredKernelRecordOnce() {
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 1000, tomcat());
      s.triggered(KILL_MS + 120, "die", OomFixtures.exited(tomcat(), 137, true));
      s.pipe(kill(KILL_MS + 900)).pipe(kill(KILL_MS + 950));
      s.periodic(KILL_MS + 30_000);

      assertThat(s.causes()).hasSize(1);
    }
  }

  @Test
  void reportsAKillOnlyTheEngineSawAfterWaitingForTheKernel() {
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 1000, tomcat());
      s.triggered(KILL_MS, "die", OomFixtures.exited(tomcat(), 137, true));
      s.periodic(KILL_MS + 5000);
      assertThat(s.causes()).isEmpty();

      s.periodic(KILL_MS + 10_500);

      assertThat(s.causes())
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
                assertThat(c.getEvidence()).doesNotContainKey("victimPid");
                assertThat(c.getSummary()).contains("the engine reports it OOM-killed");
              });
    }
  }

  @Test
  void staysSilentWhenAJvmDiesOfAJavaOutOfMemoryError() {
    ContainerStats heapError =
        OomFixtures.docker(HOG_ID, "java-default", 256 * MIB, 200 * MIB)
            .setJvms(List.of(OomFixtures.jvm(5000, 132120576L, "hsperfdata")))
            .build();
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 1000, heapError);
      s.triggered(KILL_MS, "die", OomFixtures.exited(heapError, 1, false));
      s.periodic(KILL_MS + 30_000);

      assertThat(s.causes()).isEmpty();
    }
  }

  @Test
  void reportsCpuThrottlingPerWindowAndNotForAHealthyContainer() {
    long t0 = 1_795_849_460_000L; // a window boundary (10 s windows)
    try (OomStream s = new OomStream()) {
      for (int i = 0; i <= 30; i++) {
        long t = t0 + i * 1000L;
        s.periodic(
            t, cpu(TOMCAT_ID, "burner", i * 10L, i * 9L), cpu(HOG_ID, "idle", i * 10L, i / 10));
      }

      List<RootCause> causes = s.causes();
      // Windows [t0+10 s, t0+20 s) and [t0+20 s, t0+30 s) closed with a baseline before them.
      assertThat(causes)
          .hasSize(2)
          .allSatisfy(
              c -> {
                assertThat(c.getCause()).isEqualTo(Cause.CPU_THROTTLED);
                assertThat(c.getLocation()).isEqualTo("burner");
                assertThat(c.getEvidence()).containsEntry("throttledShare", 0.9);
              });
      assertThat(causes)
          .extracting(RootCause::getWindowStartMs)
          .containsExactly(t0 + 10_000, t0 + 20_000);
    }
  }

  @Test
  void givesTheSameEventsOnReplay() {
    List<RootCause> first;
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 1000, tomcat())
          .triggered(KILL_MS + 120, "die", OomFixtures.exited(tomcat(), 137, true));
      s.pipe(kill(KILL_MS + 900));
      first = s.causes();
    }
    try (OomStream s = new OomStream()) {
      s.periodic(KILL_MS - 1000, tomcat())
          .triggered(KILL_MS + 120, "die", OomFixtures.exited(tomcat(), 137, true));
      s.pipe(kill(KILL_MS + 900));
      assertThat(s.causes())
          .extracting(RootCause::getEventId)
          .isEqualTo(first.stream().map(RootCause::getEventId).toList());
    }
  }

  private static ContainerStats cpu(String id, String name, long periods, long throttled) {
    return OomFixtures.docker(id, name, 64 * MIB, 10 * MIB)
        .setCpuQuotaUs(10_000L)
        .setCpuPeriodUs(100_000L)
        .setCpuPeriods(periods)
        .setCpuThrottledPeriods(throttled)
        .setCpuThrottledNs(throttled * 90_000_000L)
        .setCpuUsageNs(periods * 10_000_000L)
        .build();
  }
}
