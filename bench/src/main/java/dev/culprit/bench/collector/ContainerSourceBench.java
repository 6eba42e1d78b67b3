package dev.culprit.bench.collector;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ContainerSample;
import dev.culprit.collector.source.container.ContainerSource;
import dev.culprit.collector.source.container.ContainerSourceConfig;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.lab.container.DockerLab;
import dev.culprit.lab.container.PrivateDockerd;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cost of one container-source cycle on a host with N containers (default 50, a tenth of them
 * JVMs), as CPU and wall time per cycle, against a baseline in the same run: reading, raw, the
 * cgroup files the source reads ({@code Files.readAllBytes} of every memory, cpu and cpuacct file
 * of every container). Starts a private dockerd; needs root, dockerd and busybox-static.
 *
 * <pre>
 * sudo bench/run ContainerSourceBench [containers] [cycles]
 * sudo bench/run ContainerSourceBench 0 [cycles] /culprit-bench-cg/docker
 * </pre>
 *
 * <p>With a cgroup parent as third argument it starts no dockerd and measures the cgroups already
 * under that parent (those bench/agent-at-node-scale.sh makes: one process each, no JVMs), the
 * container source without the engine against the raw reads of the same files.
 */
public final class ContainerSourceBench {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final List<String> FILES =
      List.of(
          "memory.limit_in_bytes",
          "memory.usage_in_bytes",
          "memory.max_usage_in_bytes",
          "memory.failcnt",
          "memory.oom_control",
          "memory.stat",
          "memory.memsw.limit_in_bytes",
          "cgroup.procs");

  /** {@link #FILES}, then cpu.cfs_quota_us, cpu.cfs_period_us, cpu.stat and cpuacct.usage. */
  private static final int FILES_PER_CGROUP = 12;

  private ContainerSourceBench() {}

  public static void main(String[] args) throws Exception {
    int containers = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int cycles = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    if (args.length > 2) {
      cgroupsOnly(args[2], cycles);
      return;
    }
    PrivateDockerd.unavailableReason()
        .ifPresent(
            why -> {
              throw new IllegalStateException("cannot run: " + why);
            });
    Path dir = Files.createTempDirectory("culprit-bench");
    try (PrivateDockerd dockerd = PrivateDockerd.start(dir.resolve("d"))) {
      DockerLab lab = new DockerLab(dockerd.host(), dir.resolve("lab"));
      int jvms = Math.max(1, containers / 10);
      for (int i = 0; i < containers; i++) {
        lab.idle(i < jvms);
      }
      HostPaths paths = HostPaths.defaults();
      List<Path> raw = rawFiles(paths.cgroupRoot(), dockerd.cgroupParent());
      Netns host = new Netns("", 0, Path.of("/proc/1/ns/net"), 1, true);
      Header header = new Header("bench", "", 0L, "bench", null);
      try (ContainerSource withEngine =
              new ContainerSource(paths, ContainerSourceConfig.defaults(dockerd.socket()));
          ContainerSource cgroupsOnly =
              new ContainerSource(paths, ContainerSourceConfig.defaults(null))) {
        int seen = withEngine.collect(host, header).size();
        cgroupsOnly.collect(host, header);
        System.out.printf(
            "%d containers (%d JVMs), %d raw files per baseline cycle, %d samples per cycle%n",
            containers, Math.max(1, containers / 10), raw.size(), seen);
        Cost baseline = measure(cycles, () -> readRaw(raw));
        Cost cgroups = measure(cycles, () -> cgroupsOnly.collect(host, header));
        Cost engine = measure(cycles, () -> withEngine.collect(host, header));
        print("raw-files", baseline, baseline);
        print("cgroups+jvms", cgroups, baseline);
        print("with-engine", engine, baseline);
      }
    } finally {
      try (Stream<Path> tree = Files.walk(dir)) {
        tree.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** The cgroups under {@code parent} as they are, no engine: the source against raw reads. */
  private static void cgroupsOnly(String parent, int cycles) throws Exception {
    HostPaths paths = HostPaths.defaults();
    List<Path> raw = rawFiles(paths.cgroupRoot(), parent);
    Netns host = new Netns("", 0, Path.of("/proc/1/ns/net"), 1, true);
    Header header = new Header("bench", "", 0L, "bench", null);
    try (ContainerSource source =
        new ContainerSource(paths, ContainerSourceConfig.defaults(null))) {
      ContainerSample sample = (ContainerSample) source.collect(host, header).get(0).value();
      System.out.printf(
          "%d cgroups under %s, %d raw files per baseline cycle, %d containers per sample%n",
          raw.size() / FILES_PER_CGROUP, parent, raw.size(), sample.getContainers().size());
      Cost baseline = measure(cycles, () -> readRaw(raw));
      Cost cgroups = measure(cycles, () -> source.collect(host, header));
      Cost again = measure(cycles, () -> readRaw(raw));
      print("raw-files", baseline, baseline);
      print("cgroups+jvms", cgroups, baseline);
      print("raw-files", again, baseline);
    }
  }

  private static void print(String name, Cost c, Cost baseline) {
    System.out.printf(
        "%-14s %10.1f us cpu/cycle %10.1f us wall/cycle  (%.2fx cpu, %.2fx wall)%n",
        name,
        c.cpuMicros,
        c.wallMicros,
        c.cpuMicros / baseline.cpuMicros,
        c.wallMicros / baseline.wallMicros);
  }

  private static List<Path> rawFiles(Path cgroupRoot, String parent) throws Exception {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(cgroupRoot.resolve("memory" + parent))) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        for (String f : FILES) {
          files.add(d.resolve(f));
        }
        Path cpu = cgroupRoot.resolve("cpu" + parent).resolve(d.getFileName());
        files.add(cpu.resolve("cpu.cfs_quota_us"));
        files.add(cpu.resolve("cpu.cfs_period_us"));
        files.add(cpu.resolve("cpu.stat"));
        files.add(
            cgroupRoot
                .resolve("cpuacct" + parent)
                .resolve(d.getFileName())
                .resolve("cpuacct.usage"));
      }
    }
    return files;
  }

  private static void readRaw(List<Path> files) throws Exception {
    for (Path f : files) {
      Files.readAllBytes(f);
    }
  }

  interface Body {
    void run() throws Exception;
  }

  record Cost(double cpuMicros, double wallMicros) {}

  private static Cost measure(int cycles, Body body) throws Exception {
    for (int i = 0; i < Math.max(5, cycles / 10); i++) {
      body.run();
    }
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    long wall0 = System.nanoTime();
    for (int i = 0; i < cycles; i++) {
      body.run();
    }
    return new Cost(
        (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e3 / cycles,
        (System.nanoTime() - wall0) / 1e3 / cycles);
  }
}
