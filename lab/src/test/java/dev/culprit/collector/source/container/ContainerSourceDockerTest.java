package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ContainerStats;
import dev.culprit.collector.records.JvmInfo;
import dev.culprit.collector.records.KernelOomSample;
import dev.culprit.collector.source.oom.KernelOomSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.testing.Poll;
import dev.culprit.lab.ContainerFault;
import dev.culprit.lab.FaultKind;
import dev.culprit.lab.container.DockerLab;
import dev.culprit.lab.container.LabWorkload;
import dev.culprit.lab.container.PrivateDockerd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container and kernel sources against a real, private dockerd and real kernel OOM kills: the
 * seed's case (a JVM whose heap ceiling exceeds its limit), a growing non-JVM process, a CPU burner
 * under {@code --cpus 0.1}, and a container-aware JVM that dies of a Java OutOfMemoryError without
 * any kernel kill. Skipped without root, dockerd or busybox-static.
 */
class ContainerSourceDockerTest {

  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final Netns HOST = new Netns("", 0, Path.of("/proc/1/ns/net"), 1, true);

  @TempDir Path dir;

  @Test
  void capturesKillsEngineStateThrottlingAndJvmCeilingsOfRealContainers() throws Exception {
    Optional<String> why = PrivateDockerd.unavailableReason();
    assumeTrue(why.isEmpty(), () -> "skipped: " + why.orElse(""));
    assumeTrue(Files.isExecutable(Path.of("/bin/busybox")), "skipped: needs busybox-static");

    String cgroupParent;
    try (PrivateDockerd dockerd = PrivateDockerd.start(dir.resolve("d"));
        DockerLab lab = new DockerLab(dockerd.host(), dir.resolve("lab"));
        ContainerSource containers =
            new ContainerSource(
                HostPaths.defaults(), ContainerSourceConfig.defaults(dockerd.socket()));
        KernelOomSource kernel = new KernelOomSource(HostPaths.defaults(), Duration.ofSeconds(1))) {
      cgroupParent = dockerd.cgroupParent();
      containers.start();
      kernel.start();
      Poll.untilTrue(
          Duration.ofSeconds(10), "the engine's event stream", containers::isFollowingEngine);

      LabWorkload jvm = lab.inject(ContainerFault.of(FaultKind.OOM_JVM).workload());
      LabWorkload hog = lab.inject(ContainerFault.of(FaultKind.OOM_PROCESS).workload());
      LabWorkload cpu = lab.inject(ContainerFault.of(FaultKind.CPU_THROTTLE).workload());
      LabWorkload heapError = lab.inject(ContainerFault.of(FaultKind.JVM_HEAP_ERROR).workload());

      SampleLog log = new SampleLog();
      PollingCollector.run(
          DEADLINE,
          "kills, exits and throttling of the lab containers",
          header -> {
            log.add(containers.collect(HOST, header));
            log.add(kernel.collect(HOST, header));
            return log.killsIn(jvm.containerId()).findAny().isPresent()
                && log.killsIn(hog.containerId()).findAny().isPresent()
                && log.triggered(jvm.containerId(), "die").findAny().isPresent()
                && log.triggered(hog.containerId(), "die").findAny().isPresent()
                && log.triggered(heapError.containerId(), "die").findAny().isPresent()
                && log.stats(cpu.containerId())
                    .anyMatch(
                        s ->
                            s.getCpuThrottledPeriods() != null && s.getCpuThrottledPeriods() >= 10);
          });

      // The seed's case: a JVM whose heap ceiling (2 GiB) is far above its 256 MiB limit.
      JvmInfo seen =
          log.stats(jvm.containerId())
              .flatMap(s -> s.getJvms().stream())
              .filter(j -> "hsperfdata".equals(j.getHeapSource()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the JVM's heap ceiling was never read"));
      assertThat(seen.getMaxHeapBytes()).isEqualTo(2L << 30);
      assertThat(seen.getFlags()).contains("-Xmx2g");
      assertThat(seen.getVersion()).isEqualTo(System.getProperty("java.version"));
      assertThat(seen.getNsPid()).isEqualTo(1);
      ContainerStats running =
          log.stats(jvm.containerId())
              .filter(s -> s.getMemoryLimitBytes() != null)
              .findFirst()
              .orElseThrow();
      assertThat(running.getMemoryLimitBytes()).isEqualTo(256L << 20);
      assertThat(running.getName()).isEqualTo(jvm.name());
      assertThat(running.getRuntime()).isEqualTo("docker");
      assertThat(running.getCgroupPath())
          .isEqualTo(dockerd.cgroupParent() + "/" + jvm.containerId());
      assertThat(running.getImage()).isEqualTo("culprit-busybox:lab");
      assertThat(running.getEngineMemoryLimitBytes()).isEqualTo(256L << 20);

      KernelOomSample kill = log.killsIn(jvm.containerId()).findFirst().orElseThrow();
      assertThat(kill.getVictimName()).isEqualTo("java");
      assertThat(kill.getConstraint()).isEqualTo("CONSTRAINT_MEMCG");
      assertThat(kill.getMemLimitKb()).isEqualTo(256L * 1024);
      assertThat(kill.getMemcg()).isEqualTo(dockerd.cgroupParent() + "/" + jvm.containerId());
      assertThat(kill.getKillTimeMs())
          .isCloseTo(
              System.currentTimeMillis(), org.assertj.core.data.Offset.offset(DEADLINE.toMillis()));

      ContainerStats jvmDied = log.triggered(jvm.containerId(), "die").findFirst().orElseThrow();
      assertThat(jvmDied.getOomKilled()).isTrue();
      assertThat(jvmDied.getExitCode()).isEqualTo(137);
      assertThat(jvmDied.getJvms()).as("last JVMs seen, kept after death").isNotEmpty();
      assertThat(log.triggered(jvm.containerId(), "oom").count())
          .as("dockerd's oom event, de-duplicated")
          .isBetween(0L, 1L);

      KernelOomSample hogKill = log.killsIn(hog.containerId()).findFirst().orElseThrow();
      assertThat(hogKill.getVictimName()).isEqualTo("tail");
      ContainerStats hogDied = log.triggered(hog.containerId(), "die").findFirst().orElseThrow();
      assertThat(hogDied.getOomKilled()).isTrue();
      assertThat(hogDied.getExitCode()).isEqualTo(137);
      assertThat(log.stats(hog.containerId()).filter(s -> s.getMemoryUsageBytes() != null).count())
          .as("usage sampled while it grew")
          .isGreaterThanOrEqualTo(2);

      ContainerStats throttled =
          log.stats(cpu.containerId())
              .filter(s -> s.getCpuQuotaUs() != null)
              .reduce((a, b) -> b)
              .orElseThrow();
      assertThat(throttled.getCpuQuotaUs()).isEqualTo(10_000L);
      assertThat(throttled.getCpuPeriodUs()).isEqualTo(100_000L);
      assertThat(throttled.getEngineNanoCpus()).isEqualTo(100_000_000L);
      assertThat(throttled.getCpuThrottledNs()).isPositive();
      assertThat(throttled.getCpuThrottledPeriods()).isLessThanOrEqualTo(throttled.getCpuPeriods());

      ContainerStats heapErrorDied =
          log.triggered(heapError.containerId(), "die").findFirst().orElseThrow();
      assertThat(heapErrorDied.getExitCode()).isEqualTo(1);
      assertThat(heapErrorDied.getOomKilled()).isFalse();
      assertThat(log.killsIn(heapError.containerId()))
          .as("a Java OutOfMemoryError is no kernel kill")
          .isEmpty();
      assertThat(
              log.stats(heapError.containerId())
                  .flatMap(s -> s.getJvms().stream())
                  .filter(j -> "hsperfdata".equals(j.getHeapSource()))
                  .findFirst()
                  .map(JvmInfo::getMaxHeapBytes))
          .as("container-aware default: about half of 256 MiB")
          .hasValueSatisfying(h -> assertThat(h).isLessThan(200L << 20));

      // culprit lab clean: every lab container goes, whoever started it.
      assertThat(DockerLab.cleanUp(dockerd.host())).isEqualTo(4);
      assertThat(DockerLab.cleanUp(dockerd.host())).isZero();
    }
    // Pass or fail, the daemon's containers and cgroups are gone.
    String top = cgroupParent.substring(0, cgroupParent.indexOf('/', 1));
    assertThat(Path.of("/sys/fs/cgroup/memory" + top)).doesNotExist();
    assertThat(Path.of("/sys/fs/cgroup/cpu" + top)).doesNotExist();
  }
}
