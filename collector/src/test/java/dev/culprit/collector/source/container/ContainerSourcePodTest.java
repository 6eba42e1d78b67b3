package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ContainerSample;
import dev.culprit.collector.records.ContainerStats;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container source on a Kubernetes node laid out in a temp dir: a kubelet cgroup v2 tree
 * (systemd driver, containerd) and the kubelet's log directories name the pod and container without
 * any Kubernetes API.
 */
class ContainerSourcePodTest {

  private static final String ID = "a1".repeat(32);
  private static final String UID = "0b1e7d2a-9c3f-4e55-8a61-2d7f3c9b1a04";
  private static final Netns HOST = new Netns("", 0, Path.of("/proc/1/ns/net"), 1, true);
  private static final Header HEADER = new Header("node-1", "", 1_000L, "c-1", "boot-1");

  @TempDir Path dir;

  @Test
  void namesThePodItsNamespaceAndTheContainerOfAKubeletCgroup() throws Exception {
    ContainerStats c = collectWithLogs(true);

    assertThat(c.getRuntime()).isEqualTo("containerd");
    assertThat(c.getPodUid()).isEqualTo(UID);
    assertThat(c.getPodNamespace()).isEqualTo("shop");
    assertThat(c.getPodName()).isEqualTo("cart-7d9f");
    assertThat(c.getContainerName()).isEqualTo("tomcat");
    assertThat(c.getMemoryLimitBytes()).isEqualTo(268435456L);
  }

  @Test
  void keepsThePodUidButNoNamesWhenTheLogDirectoryIsAbsent() throws Exception {
    ContainerStats c = collectWithLogs(false);

    assertThat(c.getPodUid()).isEqualTo(UID);
    assertThat(c.getPodName()).isNull();
    assertThat(c.getContainerName()).isNull();
  }

  private ContainerStats collectWithLogs(boolean logs) throws Exception {
    Path cgroups = dir.resolve("cgroup");
    String pod =
        "kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
            + UID.replace('-', '_')
            + ".slice";
    String scope = pod + "/cri-containerd-" + ID + ".scope";
    new CgroupTree(cgroups)
        .file("cgroup.controllers", "cpu memory pids")
        .file(pod + "/memory.max", "max")
        .file(scope + "/memory.max", "268435456")
        .file(scope + "/memory.current", "1000")
        .file(scope + "/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0")
        .file(scope + "/memory.stat", "anon 1000\nfile 0")
        .file(scope + "/cpu.max", "max 100000")
        .file(scope + "/cpu.stat", "usage_usec 1\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0")
        .file(scope + "/cgroup.procs", "");
    Path pods = dir.resolve("var/log/pods");
    if (logs) {
      Files.createDirectories(pods.resolve("shop_cart-7d9f_" + UID + "/tomcat"));
    }
    Path proc = dir.resolve("proc");
    new CgroupTree(proc).file("meminfo", "MemTotal:       24683872 kB\n").file("stat", "btime 1\n");
    HostPaths paths = new HostPaths(proc, dir, dir, cgroups, dir.resolve("kmsg"));
    try (ContainerSource source =
        new ContainerSource(paths, ContainerSourceConfig.defaults(null).withPodLogDir(pods))) {
      ContainerSample sample = (ContainerSample) source.collect(HOST, HEADER).get(0).value();
      return sample.getContainers().stream()
          .filter(s -> s.getId().equals(ID))
          .findFirst()
          .orElseThrow();
    }
  }
}
