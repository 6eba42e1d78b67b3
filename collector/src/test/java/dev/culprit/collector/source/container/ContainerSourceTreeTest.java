package dev.culprit.collector.source.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ContainerSample;
import dev.culprit.collector.records.ContainerStats;
import dev.culprit.collector.records.JvmInfo;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The container source over a cgroup v2 tree and a /proc built in a temp dir: a Docker container
 * (systemd driver) running a JVM whose real performance-data file sits in its /tmp, a limited
 * systemd service, and an unlimited one left out. No engine socket: cgroup facts only.
 */
class ContainerSourceTreeTest {

  private static final String ID =
      "6449ea4654b4d929b64d15e3e3e96778026907918df96df1c6bb8809e8303826";
  private static final Netns HOST = new Netns("", 0, Path.of("/proc/1/ns/net"), 1, true);
  private static final Header HEADER = new Header("host-a", "", 1_000L, "c-1", "boot-1");

  @TempDir Path dir;

  @Test
  void reportsContainersAndLimitedCgroupsWithTheirJvmsWithoutAnEngine() throws Exception {
    // The fixture JVM was created at 1795855052973 ms; booted 9 s (900 ticks) before.
    ContainerSample sample = collect(1_795_855_043L);

    assertThat(sample.getTrigger()).isNull();
    assertThat(sample.getSampleTimeMs()).isEqualTo(1_000L);
    assertThat(sample.getContainers())
        .extracting(ContainerStats::getId)
        .containsExactlyInAnyOrder(ID, "/system.slice/app.service");
    ContainerStats docker =
        sample.getContainers().stream().filter(c -> c.getId().equals(ID)).findFirst().orElseThrow();
    assertThat(docker.getRuntime()).isEqualTo("docker");
    assertThat(docker.getCgroupVersion()).isEqualTo(2);
    assertThat(docker.getMemoryLimitBytes()).isEqualTo(268435456L);
    assertThat(docker.getMemoryFailcnt()).isEqualTo(3L);
    assertThat(docker.getCpuQuotaUs()).isNull();
    assertThat(docker.getName()).as("no engine").isNull();
    assertThat(docker.getPids()).containsExactly(4242);
    JvmInfo jvm = docker.getJvms().get(0);
    assertThat(jvm.getPid()).isEqualTo(4242);
    assertThat(jvm.getNsPid()).isEqualTo(1);
    assertThat(jvm.getHeapSource()).isEqualTo("hsperfdata");
    assertThat(jvm.getMaxHeapBytes()).isEqualTo(314572800L);
    assertThat(jvm.getRssBytes()).isEqualTo(204800L * 1024);
    ContainerStats service =
        sample.getContainers().stream()
            .filter(c -> c.getId().startsWith("/"))
            .findFirst()
            .orElseThrow();
    assertThat(service.getRuntime()).isEqualTo("systemd");
    assertThat(service.getMemoryLimitBytes()).isEqualTo(1L << 30);
  }

  @Test
  void ignoresAPerformanceDataFileLeftByAnEarlierJvmWithTheSamePid() throws Exception {
    // Booted hours before the file was created: the file belongs to another, killed JVM.
    ContainerSample sample = collect(1_795_840_000L);

    JvmInfo jvm =
        sample.getContainers().stream()
            .filter(c -> c.getId().equals(ID))
            .findFirst()
            .orElseThrow()
            .getJvms()
            .get(0);
    assertThat(jvm.getHeapSource()).isEqualTo("cmdline-xmx");
    assertThat(jvm.getMaxHeapBytes()).isEqualTo(300L << 20);
  }

  @Test
  void labelsAContainersPidsForTheNamespaceFinderButNotAPlainServiceCgroup() throws Exception {
    collect(1_795_855_043L);
    assertThat(lastLabels.apply(4242)).contains("docker-" + ID.substring(0, 12));
    assertThat(lastLabels.apply(4243)).isEmpty();
  }

  private java.util.function.IntFunction<java.util.Optional<String>> lastLabels;

  private ContainerSample collect(long btimeSeconds) throws Exception {
    Path cgroups = dir.resolve("cgroup");
    Path proc = dir.resolve("proc");
    String scope = "system.slice/docker-" + ID + ".scope";
    new CgroupTree(cgroups)
        .file("cgroup.controllers", "cpu memory pids")
        .file(scope + "/memory.max", "268435456")
        .file(scope + "/memory.current", "200000000")
        .file(scope + "/memory.events", "low 0\nhigh 0\nmax 3\noom 0\noom_kill 0")
        .file(scope + "/memory.stat", "anon 190000000\nfile 4096")
        .file(scope + "/cpu.max", "max 100000")
        .file(
            scope + "/cpu.stat", "usage_usec 5000\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0")
        .file(scope + "/cgroup.procs", "4242\n")
        .file("system.slice/app.service/memory.max", "1073741824")
        .file("system.slice/app.service/memory.current", "1000")
        .file("system.slice/cron.service/memory.max", "max")
        .file("system.slice/cron.service/cpu.max", "max 100000");
    new CgroupTree(proc)
        .file("meminfo", "MemTotal:       24683872 kB\n")
        .file("stat", "cpu 1 2 3\nbtime " + btimeSeconds + "\n")
        .file("4242/comm", "java")
        .file("4242/status", "Name:\tjava\nNSpid:\t4242\t1\nVmRSS:\t  204800 kB\n")
        .file("4242/stat", "4242 (java) S 1 4242 4242 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 900 0 0");
    Files.write(
        proc.resolve("4242/cmdline"), "java\0-Xmx300m\0Main\0".getBytes(StandardCharsets.UTF_8));
    Path perf = proc.resolve("4242/root/tmp/hsperfdata_root/1");
    Files.createDirectories(perf.getParent());
    Files.write(perf, Fixtures.bytes("hsperfdata/jdk17-serial-xmx300m.hsperfdata"));
    HostPaths paths = new HostPaths(proc, dir, dir, cgroups, dir.resolve("kmsg"));

    List<Sample> samples;
    try (ContainerSource source =
        new ContainerSource(paths, ContainerSourceConfig.defaults(null))) {
      samples = source.collect(HOST, HEADER);
      lastLabels = source::labelForPid;
    }
    assertThat(samples)
        .singleElement()
        .satisfies(s -> assertThat(s.topic()).isEqualTo(WireTopics.CONTAINER));
    return (ContainerSample) samples.get(0).value();
  }

  @Test
  void reportsNoDataWithoutAnyCgroupController() {
    HostPaths paths = new HostPaths(dir, dir, dir, dir.resolve("none"), dir.resolve("kmsg"));
    try (ContainerSource source =
        new ContainerSource(paths, ContainerSourceConfig.defaults(null))) {
      assertThatThrownBy(() -> source.collect(HOST, HEADER)).isInstanceOf(NoDataException.class);
    }
  }
}
