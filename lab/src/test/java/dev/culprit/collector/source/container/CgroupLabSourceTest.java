package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ContainerStats;
import dev.culprit.collector.records.JvmInfo;
import dev.culprit.collector.records.KernelOomSample;
import dev.culprit.collector.source.oom.KernelOomSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.lab.ContainerFault;
import dev.culprit.lab.FaultKind;
import dev.culprit.lab.container.CgroupLab;
import dev.culprit.lab.container.LabWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's heap case without any container engine: a JVM with a 2 GiB heap ceiling in a plain 256
 * MiB memory cgroup is killed by the kernel, and the sources see the cgroup, the JVM's ceiling and
 * the kill. Skipped without root and a writable cgroup hierarchy.
 */
class CgroupLabSourceTest {

  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final Netns HOST = new Netns("", 0, Path.of("/proc/1/ns/net"), 1, true);

  @TempDir Path dir;

  @Test
  void seesAPlainCgroupsJvmCeilingAndItsKernelKill() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root");
    boolean v1 = Files.isWritable(CGROUP_ROOT.resolve("memory"));
    boolean v2 = Files.isRegularFile(CGROUP_ROOT.resolve("cgroup.controllers"));
    assumeTrue(v1 || v2, "skipped: no writable memory cgroup hierarchy");
    String name;
    try (CgroupLab lab = new CgroupLab(CGROUP_ROOT, dir);
        ContainerSource containers =
            new ContainerSource(HostPaths.defaults(), ContainerSourceConfig.defaults(null));
        KernelOomSource kernel = new KernelOomSource(HostPaths.defaults(), Duration.ofSeconds(1))) {
      kernel.start();
      LabWorkload jvm = lab.inject(ContainerFault.of(FaultKind.OOM_JVM).workload());
      name = jvm.name();
      SampleLog log = new SampleLog();

      PollingCollector.run(
          Duration.ofSeconds(60),
          "the JVM's kill",
          header -> {
            log.add(containers.collect(HOST, header));
            log.add(kernel.collect(HOST, header));
            return log.killsIn(jvm.cgroupPath()).findAny().isPresent();
          });

      Process process = lab.processes().get(0);
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as("SIGKILL").isEqualTo(137);
      ContainerStats cgroup =
          log.stats(jvm.cgroupPath())
              .filter(
                  s -> s.getJvms().stream().anyMatch(j -> "hsperfdata".equals(j.getHeapSource())))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the JVM's performance data was never read"));
      assertThat(cgroup.getRuntime()).isEqualTo("cgroup");
      assertThat(cgroup.getName()).isNull();
      assertThat(cgroup.getMemoryLimitBytes()).isEqualTo(256L << 20);
      JvmInfo info = cgroup.getJvms().get(0);
      assertThat(info.getMaxHeapBytes()).isEqualTo(2L << 30);
      // Before the JVM wrote its performance data, its flags gave the same ceiling.
      assertThat(log.stats(jvm.cgroupPath()).flatMap(s -> s.getJvms().stream()))
          .allSatisfy(j -> assertThat(j.getMaxHeapBytes()).isEqualTo(2L << 30));
      KernelOomSample kill = log.killsIn(jvm.cgroupPath()).findFirst().orElseThrow();
      assertThat(kill.getVictimName()).isEqualTo("java");
      assertThat(kill.getVictimPid()).isEqualTo(info.getPid());
      assertThat(kill.getContainerId()).as("a plain cgroup names no container").isNull();
      assertThat(kill.getMemLimitKb()).isEqualTo(256L * 1024);
    }
    assertThat(CGROUP_ROOT.resolve("memory").resolve(name)).doesNotExist();
  }

  @Test
  void cleansUpLabCgroupsWhoseLabObjectIsGone() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root");
    assumeTrue(
        Files.isWritable(CGROUP_ROOT.resolve("cpu"))
            || Files.isRegularFile(CGROUP_ROOT.resolve("cgroup.controllers")),
        "skipped: no writable cpu cgroup hierarchy");
    try (CgroupLab lab = new CgroupLab(CGROUP_ROOT, dir)) {
      LabWorkload burner = lab.inject(ContainerFault.of(FaultKind.CPU_THROTTLE).workload());
      Process process = lab.processes().get(0);
      assertThat(process.isAlive()).isTrue();

      assertThat(CgroupLab.cleanUp(CGROUP_ROOT, List.of(FaultKind.CPU_THROTTLE.cliName())))
          .isGreaterThanOrEqualTo(1);

      assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("killed").isTrue();
      boolean v2 = Files.isRegularFile(CGROUP_ROOT.resolve("cgroup.controllers"));
      Path group =
          v2
              ? CGROUP_ROOT.resolve(burner.name())
              : CGROUP_ROOT.resolve("cpu").resolve(burner.name());
      assertThat(group).doesNotExist();
    }
  }
}
