package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ContainerStats;
import dev.culprit.collector.source.oom.KernelOomSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.lab.ContainerFault;
import dev.culprit.lab.FaultKind;
import dev.culprit.lab.container.CgroupLab;
import dev.culprit.lab.container.LabWorkload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kubernetes node without Kubernetes: real cgroups in the kubelet's layouts (cgroupfs and systemd
 * drivers) under a {@code culprit-k8s-*} directory of our own, real processes in them, and the
 * kubelet's log directory tree in a temp dir. The container source names the pod, its namespace and
 * the container of a real OOM kill and a real CPU throttle. Needs root and a writable cgroup
 * hierarchy; run under {@code flock /tmp/culprit-kernel.lock}.
 */
class PodCgroupSourceTest {

  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  private static final Netns HOST = new Netns("", 0, Path.of("/proc/1/ns/net"), 1, true);

  @TempDir Path dir;

  private final String top = "culprit-k8s-" + UUID.randomUUID().toString().substring(0, 6);
  private final String uid = UUID.randomUUID().toString();
  private final String containerId = randomId();

  @BeforeEach
  void needsRootAndCgroups() {
    assumeTrue("root".equals(System.getProperty("user.name")), "skipped: needs root");
    assumeTrue(
        Files.isRegularFile(CGROUP_ROOT.resolve("cgroup.controllers"))
            || (Files.isWritable(CGROUP_ROOT.resolve("memory"))
                && Files.isWritable(CGROUP_ROOT.resolve("cpu"))),
        "skipped: no writable memory and cpu cgroup hierarchies");
  }

  @Test
  void namesThePodNamespaceAndContainerOfARealOomKillInACgroupfsDriverPod() throws Exception {
    Path pods = kubeletLogs("shop", "cart-7d9f", "tomcat");
    String path = top + "/kubepods/burstable/pod" + uid + "/" + containerId;
    try (CgroupLab lab = new CgroupLab(CGROUP_ROOT, dir);
        ContainerSource containers = source(pods);
        KernelOomSource kernel = new KernelOomSource(HostPaths.defaults(), Duration.ofSeconds(1))) {
      kernel.start();
      LabWorkload grower = lab.injectAt(ContainerFault.of(FaultKind.OOM_PROCESS).workload(), path);
      SampleLog log = new SampleLog();

      PollingCollector.run(
          Duration.ofSeconds(60),
          "the kill in the pod",
          header -> {
            log.add(containers.collect(HOST, header));
            log.add(kernel.collect(HOST, header));
            return log.stats(containerId)
                    .anyMatch(s -> s.getOomKillCount() != null && s.getOomKillCount() > 0)
                || log.killsIn(containerId).findAny().isPresent()
                    && log.stats(containerId).findAny().isPresent();
          });

      ContainerStats stats = log.stats(containerId).findFirst().orElseThrow();
      assertThat(stats.getRuntime()).isEqualTo("cri");
      assertThat(stats.getCgroupPath()).isEqualTo(grower.cgroupPath());
      assertThat(stats.getPodUid()).isEqualTo(uid);
      assertThat(stats.getPodNamespace()).isEqualTo("shop");
      assertThat(stats.getPodName()).isEqualTo("cart-7d9f");
      assertThat(stats.getContainerName()).isEqualTo("tomcat");
      assertThat(stats.getMemoryLimitBytes()).isEqualTo(64L << 20);
    }
    assertThat(CGROUP_ROOT.resolve("memory").resolve(top)).doesNotExist();
    assertThat(CGROUP_ROOT.resolve(top)).doesNotExist();
  }

  @Test
  void namesThePodOfARealCpuThrottleInASystemdDriverPod() throws Exception {
    Path pods = kubeletLogs("batch", "report-28d1x", "worker");
    String escaped = uid.replace('-', '_');
    String path =
        top
            + "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
            + escaped
            + ".slice/cri-containerd-"
            + containerId
            + ".scope";
    try (CgroupLab lab = new CgroupLab(CGROUP_ROOT, dir);
        ContainerSource containers = source(pods)) {
      lab.injectAt(ContainerFault.of(FaultKind.CPU_THROTTLE).workload(), path);
      SampleLog log = new SampleLog();

      PollingCollector.run(
          Duration.ofSeconds(30),
          "throttled periods in the pod",
          header -> {
            log.add(containers.collect(HOST, header));
            return log.stats(containerId)
                .anyMatch(
                    s -> s.getCpuThrottledPeriods() != null && s.getCpuThrottledPeriods() > 3);
          });

      ContainerStats stats =
          log.stats(containerId)
              .filter(s -> s.getCpuThrottledPeriods() != null && s.getCpuThrottledPeriods() > 3)
              .findFirst()
              .orElseThrow();
      assertThat(stats.getRuntime()).isEqualTo("containerd");
      assertThat(stats.getCpuQuotaUs()).isEqualTo(10_000L);
      assertThat(stats.getPodUid()).isEqualTo(uid);
      assertThat(stats.getPodNamespace()).isEqualTo("batch");
      assertThat(stats.getPodName()).isEqualTo("report-28d1x");
      assertThat(stats.getContainerName()).isEqualTo("worker");
    }
    assertThat(CGROUP_ROOT.resolve("cpu").resolve(top)).doesNotExist();
    assertThat(CGROUP_ROOT.resolve(top)).doesNotExist();
  }

  private ContainerSource source(Path pods) {
    return new ContainerSource(
        HostPaths.defaults(), ContainerSourceConfig.defaults(null).withPodLogDir(pods));
  }

  /** /var/log/pods/NAMESPACE_POD_UID/CONTAINER/0.log, as the kubelet writes it. */
  private Path kubeletLogs(String namespace, String pod, String container) throws Exception {
    Path pods = dir.resolve("var/log/pods");
    Path logs = pods.resolve(namespace + "_" + pod + "_" + uid).resolve(container);
    Files.createDirectories(logs);
    Files.writeString(logs.resolve("0.log"), "");
    return pods;
  }

  private static String randomId() {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
