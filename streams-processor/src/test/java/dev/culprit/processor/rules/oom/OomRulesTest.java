package dev.culprit.processor.rules.oom;

import static dev.culprit.processor.oom.OomFixtures.HOST;
import static dev.culprit.processor.oom.OomFixtures.KILL_MS;
import static dev.culprit.processor.oom.OomFixtures.MIB;
import static dev.culprit.processor.oom.OomFixtures.TOMCAT_ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.oom.OomFixtures;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.JvmInfo;
import dev.culprit.schemas.KernelOomSample;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OomRulesTest {

  private static final OomThresholds T = OomThresholds.defaults();

  @Test
  void blamesTheSeedsTwoGigabyteHeapInA512MiBContainer() {
    ContainerStats tomcat = OomFixtures.seedTomcat(300 * MIB);
    RootCause c =
        explainTomcat(
            OomFixtures.seedKill().build(),
            OomFixtures.periodic(KILL_MS - 5000, tomcat),
            OomFixtures.died(KILL_MS + 120, OomFixtures.exited(tomcat, 137, true)));

    assertThat(c.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
    assertThat(c.getLayer()).isEqualTo(Layer.MEMORY);
    assertThat(c.getHost()).isEqualTo(HOST);
    assertThat(c.getLocation()).isEqualTo("tomcat");
    assertThat(c.getNetns()).isEqualTo("tomcat");
    assertThat(c.getContainer()).isEqualTo(TOMCAT_ID);
    assertThat(c.getSummary())
        .startsWith("MaxHeapSize 1.9 GiB exceeds the 512 MiB limit of container tomcat")
        .contains("sized from the host's RAM")
        .contains("the kernel killed java (pid 27281) at 512 MiB");
    assertThat(c.getRemediation())
        .startsWith("# set -Xmx384m or -XX:MaxRAMPercentage=75")
        .contains("8u191");
    assertThat(c.getEvidence())
        .containsEntry("limitBytes", 512 * MIB)
        .containsEntry("usageAtKillBytes", 512 * MIB)
        .containsEntry("maxHeapBytes", 2092957696L)
        .containsEntry("heapSource", "default-host-ram")
        .containsEntry("victimPid", 27281L)
        .containsEntry("exitCode", 137L)
        .containsEntry("engineOomKilled", true)
        .containsEntry("kernelFailcnt", 77L)
        .doesNotContainKey("engineNote");
    assertThat(c.getConfidence()).isGreaterThanOrEqualTo(0.9);
    assertThat(c.getWindowEndMs()).isEqualTo(KILL_MS + 1);
  }

  @Test
  void blamesAHeapThatLeavesNoRoomForNonHeapMemory() {
    ContainerStats app =
        app(500 * MIB, OomFixtures.jvm(27281, 480 * MIB, "cmdline-xmx", "-Xmx480m"));

    RootCause c = explain(OomFixtures.seedKill().build(), app).orElseThrow();

    assertThat(c.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
    assertThat(c.getSummary())
        .startsWith(
            "MaxHeapSize 480 MiB leaves only 32 MiB of the 512 MiB limit for non-heap memory")
        .contains("set by -Xmx480m");
  }

  @Test
  void blamesNonHeapGrowthWhenTheHeapFits() {
    ContainerStats app =
        app(500 * MIB, OomFixtures.jvm(27281, 256 * MIB, "hsperfdata", "-XX:MaxRAMPercentage=50"));
    KernelOomSample kill =
        OomFixtures.seedKill()
            .setAnonRssKb(500 * 1024L)
            .setFileRssKb(12 * 1024L)
            .setShmemRssKb(0L)
            .build();

    RootCause c = explain(kill, app).orElseThrow();

    assertThat(c.getCause()).isEqualTo(Cause.JVM_NON_HEAP_GROWTH);
    assertThat(c.getSummary())
        .contains("reached the 512 MiB limit with a heap ceiling of only 256 MiB")
        .contains("at least 256 MiB (50 %) of its 512 MiB was outside the heap");
    assertThat(c.getEvidence()).containsEntry("nonHeapBytesAtLeast", 256 * MIB);
    assertThat(c.getRemediation())
        .contains("-XX:MaxMetaspaceSize")
        .contains("docker update --memory 768m");
  }

  @Test
  void reportsANonJvmProcessThatGrewWithItsGrowth() {
    RootCause c = OomRules.explain(OomFixtures.grewToItsLimit("hog", "tail"), T).orElseThrow();

    assertThat(c.getCause()).isEqualTo(Cause.PROCESS_MEMORY_GROWTH);
    assertThat(c.getSummary())
        .isEqualTo(
            "The memory of container hog grew to the 64 MiB limit: usage climbed from 8 MiB to 64"
                + " MiB in 5.0 s (11.2 MiB/s), then the kernel killed tail (pid 2964).");
    assertThat(c.getEvidence())
        .containsEntry("growthBytes", 56 * MIB)
        .containsEntry("growthFromMs", KILL_MS - 5000)
        .containsEntry("samplesBeforeKill", 6L)
        .containsEntry("victimRssBytes", (64640L + 1264L) * 1024);
    assertThat(c.getWindowStartMs()).isEqualTo(KILL_MS - 5000);
    assertThat(c.getRemediation())
        .contains("Find why tail grows")
        .contains("docker update --memory 128m");
  }

  @Test
  void doesNotBlameTheJvmWhenAnotherProcessWasKilled() {
    ContainerStats app = app(500 * MIB, OomFixtures.jvm(100, 2048 * MIB, "cmdline-xmx", "-Xmx2g"));
    KernelOomSample kill = OomFixtures.seedKill().setVictimName("sh").setVictimPid(200).build();

    RootCause c = explain(kill, app).orElseThrow();

    assertThat(c.getCause()).isEqualTo(Cause.PROCESS_MEMORY_GROWTH);
    assertThat(c.getEvidence()).doesNotContainKey("maxHeapBytes");
  }

  @Test
  void blamesTheHostForAGlobalKill() {
    KernelOomSample kill =
        OomFixtures.seedKill()
            .setConstraint("CONSTRAINT_NONE")
            .setMemcg(null)
            .setMemUsageKb(null)
            .setMemLimitKb(null)
            .setAnonRssKb(8_000_000L)
            .setFileRssKb(4L)
            .setShmemRssKb(0L)
            .build();
    ContainerStats unlimited =
        OomFixtures.docker(TOMCAT_ID, "tomcat", 512 * MIB, 300 * MIB)
            .setMemoryLimitBytes(null)
            .build();

    RootCause c = explain(kill, unlimited).orElseThrow();

    assertThat(c.getCause()).isEqualTo(Cause.HOST_MEMORY_EXHAUSTED);
    assertThat(c.getSummary())
        .startsWith(
            "The host ran out of memory: the kernel killed java (pid 27281) in container tomcat, 7.6 GiB resident");
  }

  @Test
  void notesAChildKillWhenTheEngineSaysOomKilledWithExitCodeZero() {
    ContainerStats sh = OomFixtures.docker(TOMCAT_ID, "child", 64 * MIB, 60 * MIB).build();
    KernelOomSample kill = OomFixtures.childKill();
    RootCause c =
        explainTomcat(
            kill,
            OomFixtures.periodic(KILL_MS - 1000, sh),
            OomFixtures.died(KILL_MS + 2000, OomFixtures.exited(sh, 0, true)));

    assertThat(c.getEvidence().get("engineNote").toString())
        .contains("OOMKilled with exit code 0")
        .contains("sh (pid 3586) was a child process");
    assertThat(c.getSummary()).contains("Note: the engine says OOMKilled with exit code 0");
  }

  @Test
  void notesWhenTheEngineDeniesAKernelKill() {
    ContainerStats podman =
        OomFixtures.docker(TOMCAT_ID, "oom1", 64 * MIB, 60 * MIB).setRuntime("podman").build();
    RootCause c =
        explainTomcat(
            OomFixtures.seedKill().setVictimName("sh").setMemLimitKb(65536L).build(),
            OomFixtures.periodic(KILL_MS - 1000, podman),
            OomFixtures.died(KILL_MS + 100, OomFixtures.exited(podman, 137, false)));

    assertThat(c.getEvidence()).containsEntry("engineOomKilled", false);
    assertThat(c.getEvidence().get("engineNote").toString()).contains("OOMKilled=false");
  }

  @Test
  void judgesAKillOnlyTheEngineReportedFromTheContainersJvm() {
    ContainerStats tomcat = OomFixtures.seedTomcat(300 * MIB);
    RootCause c =
        explainTomcat(
            null,
            OomFixtures.periodic(KILL_MS - 5000, tomcat),
            OomFixtures.died(KILL_MS, OomFixtures.exited(tomcat, 137, true)));

    assertThat(c.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
    assertThat(c.getSummary()).contains("the engine reports it OOM-killed");
    assertThat(c.getConfidence()).isLessThan(0.9);
  }

  @Test
  void givesTheSameEventIdToTheSameKillAndADifferentOneToAnother() {
    ContainerStats tomcat = OomFixtures.docker(TOMCAT_ID, "tomcat", 512 * MIB, 300 * MIB).build();
    RootCause a = explain(OomFixtures.seedKill().build(), tomcat).orElseThrow();
    RootCause b = explain(OomFixtures.seedKill().build(), tomcat).orElseThrow();
    RootCause other =
        explain(OomFixtures.seedKill().setKmsgSeq(9999).build(), tomcat).orElseThrow();

    assertThat(a.getEventId()).isEqualTo(b.getEventId()).isNotEqualTo(other.getEventId());
  }

  @Test
  void saysAJvmKilledBeforeItsFirstSampleHasAnUnknownHeapAndHowToCheckIt() {
    // The seed's kill, but culprit never saw the container alive: only the kernel's record.
    KernelOomSample kill = OomFixtures.seedKill().build();

    RootCause c = explainTomcat(kill);

    assertThat(c.getCause()).isEqualTo(Cause.PROCESS_MEMORY_GROWTH);
    assertThat(c.getSummary())
        .contains("before culprit first sampled it")
        .doesNotContain("between two samples")
        .contains("heap ceiling could not be read (it was killed before culprit sampled it)");
    assertThat(c.getRemediation()).contains("-XX:+PrintFlagsFinal").contains("set -Xmx below it");
    assertThat(c.getEvidence()).containsEntry("samplesBeforeKill", 0L);
  }

  @Test
  void saysNothingWithoutAnyLimitOrUsage() {
    KernelOomSample bare = OomFixtures.seedKill().setMemLimitKb(null).setMemUsageKb(null).build();
    assertThat(OomRules.explain(new KillContext(HOST, TOMCAT_ID, bare, KILL_MS, List.of()), T))
        .isEmpty();
  }

  @Test
  void aDyingJvmsDegradedLastSampleDoesNotReplaceTheXmxItsEarlierSamplesRead() {
    // The seed's story under Docker: java -Xmx1g as PID 1 of a 256 MiB container. At the kill the
    // process was exiting, its cmdline read empty and the last samples fell back to the default.
    JvmInfo xmx = jvmStarted(1, 1L << 30, "cmdline-xmx", 777L, "-Xmx1g");
    JvmInfo degraded = jvmStarted(1, 126 * MIB, "default-container", 777L);
    ContainerStats alive =
        OomFixtures.docker(TOMCAT_ID, "heap", 256 * MIB, 200 * MIB).setJvms(List.of(xmx)).build();
    ContainerStats dying =
        ContainerStats.newBuilder(alive)
            .setJvms(List.of(degraded))
            .setMemoryUsageBytes(256 * MIB)
            .build();
    KernelOomSample kill =
        OomFixtures.seedKill()
            .setVictimPid(1)
            .setMemLimitKb(256 * 1024L)
            .setMemUsageKb(256 * 1024L)
            .setAnonRssKb(250 * 1024L)
            .build();

    RootCause c =
        explainTomcat(
            kill,
            OomFixtures.periodic(KILL_MS - 2000, alive),
            OomFixtures.periodic(KILL_MS - 10, dying),
            OomFixtures.died(KILL_MS + 120, OomFixtures.exited(dying, 137, true)));

    assertThat(c.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
    assertThat(c.getSummary()).startsWith("MaxHeapSize 1 GiB exceeds the 256 MiB limit");
    assertThat(c.getRemediation()).startsWith("# set -Xmx192m");
    assertThat(c.getEvidence())
        .containsEntry("maxHeapBytes", 1L << 30)
        .containsEntry("heapSource", "cmdline-xmx")
        .containsEntry("heapSampleTimeMs", KILL_MS - 2000)
        .containsEntry("heapSampleTrigger", "periodic");
  }

  @Test
  void aBetterHeapSourceInALaterSampleOfTheSameJvmIsUsed() {
    ContainerStats early = app(100 * MIB, jvmStarted(27281, 128 * MIB, "default-container", 5L));
    ContainerStats later =
        running(early, jvmStarted(27281, 600 * MIB, "hsperfdata", 5L, "-Xmx600m"));
    RootCause c =
        explainTomcat(
            OomFixtures.seedKill().build(),
            OomFixtures.periodic(KILL_MS - 3000, early),
            OomFixtures.periodic(KILL_MS - 2000, later));

    assertThat(c.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
    assertThat(c.getEvidence())
        .containsEntry("heapSource", "hsperfdata")
        .containsEntry("heapSampleTimeMs", KILL_MS - 2000);
  }

  @Test
  void aFormerProcessWithTheSamePidLendsItsHeapCeilingToNoOne() {
    // pid 27281 was a JVM with -Xmx2g that exited; a new JVM got the pid (another start time).
    ContainerStats former = app(100 * MIB, jvmStarted(27281, 2L << 30, "hsperfdata", 5L, "-Xmx2g"));
    ContainerStats current =
        running(former, jvmStarted(27281, 128 * MIB, "cmdline-xmx", 900L, "-Xmx128m"));
    KernelOomSample kill =
        OomFixtures.seedKill().setAnonRssKb(500 * 1024L).setFileRssKb(0L).setShmemRssKb(0L).build();
    RootCause c =
        explainTomcat(
            kill,
            OomFixtures.periodic(KILL_MS - 3000, former),
            OomFixtures.periodic(KILL_MS - 1000, current));

    assertThat(c.getCause()).isEqualTo(Cause.JVM_NON_HEAP_GROWTH);
    assertThat(c.getEvidence()).containsEntry("maxHeapBytes", 128 * MIB);
  }

  private static JvmInfo jvmStarted(
      int pid, long maxHeap, String source, Long startTicks, String... flags) {
    return JvmInfo.newBuilder(OomFixtures.jvm(pid, maxHeap, source, flags))
        .setStartTimeTicks(startTicks)
        .build();
  }

  /** Explains a kill in the tomcat container at {@code KILL_MS}, from what culprit observed. */
  private static RootCause explainTomcat(KernelOomSample kill, Observation... observed) {
    return OomRules.explain(new KillContext(HOST, TOMCAT_ID, kill, KILL_MS, List.of(observed)), T)
        .orElseThrow();
  }

  private static Optional<RootCause> explain(KernelOomSample kill, ContainerStats before) {
    return OomRules.explain(OomFixtures.killAfter(kill, before), T);
  }

  /** Container app (512 MiB limit, {@code usage} used) running {@code jvm}. */
  private static ContainerStats app(long usage, JvmInfo jvm) {
    return OomFixtures.docker(TOMCAT_ID, "app", 512 * MIB, usage).setJvms(List.of(jvm)).build();
  }

  /** {@code container} as sampled later, running {@code jvm}. */
  private static ContainerStats running(ContainerStats container, JvmInfo jvm) {
    return ContainerStats.newBuilder(container).setJvms(List.of(jvm)).build();
  }
}
