package dev.culprit.processor.oom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.lab.ContainerFault;
import dev.culprit.lab.FaultKind;
import dev.culprit.lab.container.CgroupLab;
import dev.culprit.lab.container.DockerLab;
import dev.culprit.lab.container.LabWorkload;
import dev.culprit.lab.container.PrivateDockerd;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's container case end to end, on real components only: a private dockerd runs the lab's
 * faults, the real collector sources read the cgroups, the engine and the kernel log, the records
 * go through an embedded broker, and the processor names each cause on {@code
 * culprit.rootcause.oom}, including the seed's own JVM as PID 1 known only by its command line.
 * Plus the heap case in a plain memory cgroup without any engine. Skipped without root, dockerd or
 * busybox-static.
 */
class OomEndToEndTest {

  /**
   * Start-up, the workloads' 3 s delay, the climb, and the kernel's 0.5-9 s lag before the kill.
   */
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void namesEachContainerFaultOfTheSeedThroughTheWholePipeline() throws Exception {
    Optional<String> why = PrivateDockerd.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "skipped: needs busybox-static");

    try (PrivateDockerd dockerd = PrivateDockerd.start(dir.resolve("d"));
        DockerLab docker = new DockerLab(dockerd.host(), dir.resolve("lab"));
        CgroupLab cgroups = new CgroupLab(Path.of("/sys/fs/cgroup"), dir.resolve("cglab"));
        LivePipeline pipeline = new LivePipeline(dir.resolve("p"), dockerd.socket())) {
      LabWorkload jvm = docker.inject(ContainerFault.of(FaultKind.OOM_JVM).workload());
      LabWorkload seedJvm = docker.inject(ContainerFault.of(FaultKind.OOM_JVM_CMDLINE).workload());
      LabWorkload hog = docker.inject(ContainerFault.of(FaultKind.OOM_PROCESS).workload());
      LabWorkload cpu = docker.inject(ContainerFault.of(FaultKind.CPU_THROTTLE).workload());
      LabWorkload heapError = docker.inject(ContainerFault.of(FaultKind.JVM_HEAP_ERROR).workload());
      LabWorkload plainJvm = cgroups.inject(ContainerFault.of(FaultKind.OOM_JVM).workload());

      RootCause heap =
          pipeline.await(
              WAIT,
              "JVM_HEAP_EXCEEDS_LIMIT for " + jvm.name(),
              c -> is(c, Cause.JVM_HEAP_EXCEEDS_LIMIT, jvm));
      assertThat(heap.getLocation()).isEqualTo(jvm.name());
      assertThat(heap.getContainer()).isEqualTo(jvm.containerId());
      assertThat(heap.getSummary())
          .startsWith("MaxHeapSize 2 GiB exceeds the 256 MiB limit of container " + jvm.name())
          .contains("the kernel killed java");
      assertThat(heap.getRemediation()).startsWith("# set -Xmx192m or -XX:MaxRAMPercentage=75");
      assertThat(heap.getEvidence())
          .containsEntry("limitBytes", 256L << 20)
          .containsEntry("maxHeapBytes", 2L << 30)
          .containsEntry("heapSource", "hsperfdata")
          .containsEntry("victimName", "java")
          .containsEntry("exitCode", 137L)
          .containsEntry("engineOomKilled", true);

      // The seed's story: java -Xmx1g as PID 1, ceiling known from the command line only, which
      // the dying JVM shows empty; its last samples must not turn the cause into non-heap growth.
      RootCause seed =
          pipeline.await(
              WAIT,
              "an OOM cause for " + seedJvm.name(),
              c ->
                  Objects.equals(c.getContainer(), seedJvm.containerId())
                      && (c.getCause() == Cause.JVM_HEAP_EXCEEDS_LIMIT
                          || c.getCause() == Cause.JVM_NON_HEAP_GROWTH
                          || c.getCause() == Cause.PROCESS_MEMORY_GROWTH));
      assertThat(seed.getCause()).isEqualTo(Cause.JVM_HEAP_EXCEEDS_LIMIT);
      assertThat(seed.getSummary())
          .startsWith("MaxHeapSize 1 GiB exceeds the 256 MiB limit of container " + seedJvm.name())
          .contains("set by -Xmx1g");
      assertThat(seed.getRemediation()).startsWith("# set -Xmx192m or -XX:MaxRAMPercentage=75");
      assertThat(seed.getEvidence())
          .containsEntry("maxHeapBytes", 1L << 30)
          .containsEntry("heapSource", "cmdline-xmx")
          .containsEntry("jvmPid", seed.getEvidence().get("victimPid"))
          .containsEntry("exitCode", 137L)
          .containsEntry("engineOomKilled", true)
          .containsKey("heapSampleTimeMs");

      RootCause growth =
          pipeline.await(
              WAIT,
              "PROCESS_MEMORY_GROWTH for " + hog.name(),
              c -> is(c, Cause.PROCESS_MEMORY_GROWTH, hog));
      assertThat(growth.getEvidence())
          .containsEntry("victimName", "tail")
          .containsEntry("limitBytes", 64L << 20);
      assertThat((Long) growth.getEvidence().get("growthBytes"))
          .as("grew while sampled")
          .isPositive();

      // The first windows overlap the JVMs' start-up on a shared machine, when the busy loop may
      // not even get its quota; the steady state must show in some window.
      RootCause throttled =
          pipeline.await(
              WAIT,
              "CPU_THROTTLED for " + cpu.name() + " with most periods throttled",
              c ->
                  is(c, Cause.CPU_THROTTLED, cpu)
                      && (Double) c.getEvidence().get("throttledShare") > 0.5);
      assertThat(throttled.getEvidence())
          .containsEntry("cpuQuotaUs", 10_000L)
          .containsEntry("cpus", 0.1);
      assertThat((Double) throttled.getEvidence().get("throttledShare")).isGreaterThan(0.5);
      assertThat(throttled.getRemediation()).contains("docker update --cpus").contains(cpu.name());

      RootCause plain =
          pipeline.await(
              WAIT,
              "JVM_HEAP_EXCEEDS_LIMIT for cgroup " + plainJvm.cgroupPath(),
              c ->
                  c.getCause() == Cause.JVM_HEAP_EXCEEDS_LIMIT
                      && plainJvm.cgroupPath().equals(c.getLocation()));
      assertThat(plain.getSummary())
          .startsWith(
              "MaxHeapSize 2 GiB exceeds the 256 MiB limit of cgroup " + plainJvm.cgroupPath());

      // The container-aware JVM died of a Java OutOfMemoryError (exit 1): no kernel kill. Wait
      // until
      // stream time is well past its exit (a throttling window 15 s later), then nothing names it.
      Long exit = awaitExit(docker, heapError);
      assertThat(exit).isEqualTo(1);
      long exitedAt = System.currentTimeMillis();
      pipeline.await(
          WAIT,
          "a throttling window well after the Java OutOfMemoryError",
          c -> is(c, Cause.CPU_THROTTLED, cpu) && c.getWindowStartMs() > exitedAt + 15_000);
      assertThat(pipeline.seen())
          .as("no OOM cause for the container that died of a Java OutOfMemoryError")
          .noneMatch(c -> Objects.equals(c.getContainer(), heapError.containerId()));
      assertThat(pipeline.seen())
          .as("one cause per kill")
          .filteredOn(c -> is(c, Cause.JVM_HEAP_EXCEEDS_LIMIT, jvm))
          .hasSize(1);
    }
  }

  private static boolean is(RootCause c, Cause cause, LabWorkload w) {
    return c.getCause() == cause && Objects.equals(c.getContainer(), w.containerId());
  }

  private static Long awaitExit(DockerLab docker, LabWorkload w) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Integer code = docker.exitCode(w);
      if (code != null) {
        return code.longValue();
      }
      Thread.sleep(500);
    }
    throw new AssertionError(w.name() + " did not exit within " + WAIT);
  }
}
