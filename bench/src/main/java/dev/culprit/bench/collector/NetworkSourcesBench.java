package dev.culprit.bench.collector;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cost of each network source for the host namespace, as CPU per call (this thread's, plus the
 * children's for sources that fork), against a baseline in the same run: reading the very files the
 * file-based sources read, raw, with {@code Files.readAllBytes}.
 *
 * <pre>
 * bench/run NetworkSourcesBench [calls=2000] [warmup=200] [netlink=true]
 * </pre>
 *
 * <p>The third argument turns netlink off (the forking ip/tc path) to compare the two.
 */
public final class NetworkSourcesBench {

  private NetworkSourcesBench() {}

  public static void main(String[] args) throws Exception {
    int fileIterations = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int forkIterations = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    boolean netlink = args.length <= 2 || Boolean.parseBoolean(args[2]);
    HostPaths paths = HostPaths.defaults();
    Netns host = new ProcNamespaceFinder(paths).find().get(0);
    List<Source> sources =
        NetworkSources.create(
            paths,
            new ProcessCommandRunner(),
            NetworkSourceOptions.defaults().withNetlink(netlink));
    Header header = new Header("bench", "", 0L, "bench", null);
    List<Path> rawFiles = rawFiles(paths);

    System.out.printf(
        "host netns inode %d, pid %s; %d raw files per baseline call%n",
        host.inode(), host.pid(), rawFiles.size());
    CallCost baseline = CallCost.measure(fileIterations, () -> readRaw(rawFiles));
    System.out.printf(
        "%-10s %10.1f us cpu/call %10.1f us wall/call  (1.00x)%n",
        "raw-files", baseline.cpuMicros(), baseline.wallMicros());
    double fileSourcesCpu = 0;
    for (Source source : sources) {
      boolean forks = source.name().equals("filter") || (!netlink && source.name().equals("qdisc"));
      int n = forks ? forkIterations : fileIterations;
      CallCost c = CallCost.measure(n, () -> source.collect(host, header));
      if (!forks) {
        fileSourcesCpu += c.cpuMicros();
      }
      System.out.printf(
          "%-10s %10.1f us cpu/call %10.1f us wall/call  (%.2fx raw)%s%n",
          source.name(),
          c.cpuMicros(),
          c.wallMicros(),
          c.cpuMicros() / baseline.cpuMicros(),
          forks ? "  incl. children's cpu" : "");
    }
    System.out.printf("interface+protocol+conntrack: %.1f us cpu per host cycle%n", fileSourcesCpu);
    System.out.printf("max RSS so far: %s%n", vmHwm());
  }

  /** The files interface, protocol and conntrack read in the host namespace each cycle. */
  private static List<Path> rawFiles(HostPaths paths) throws IOException {
    List<Path> files = new ArrayList<>();
    Path net = paths.procRoot().resolve("self/net");
    for (String f : List.of("dev", "snmp", "netstat", "snmp6", "stat/nf_conntrack")) {
      files.add(net.resolve(f));
    }
    files.add(paths.procRoot().resolve("sys/net/netfilter/nf_conntrack_count"));
    files.add(paths.procRoot().resolve("sys/net/netfilter/nf_conntrack_max"));
    files.add(paths.procRoot().resolve("sys/net/netfilter/nf_conntrack_buckets"));
    try (var devices = Files.list(paths.sysRoot().resolve("class/net"))) {
      for (Path dev : devices.toList()) {
        for (String f :
            List.of(
                "ifindex",
                "iflink",
                "mtu",
                "operstate",
                "type",
                "uevent",
                "statistics/rx_missed_errors",
                "statistics/rx_over_errors",
                "statistics/rx_length_errors",
                "statistics/rx_crc_errors")) {
          files.add(dev.resolve(f));
        }
      }
    }
    files.removeIf(f -> !Files.exists(f));
    return files;
  }

  private static Object readRaw(List<Path> files) throws IOException {
    long total = 0;
    for (Path f : files) {
      total += Files.readAllBytes(f).length;
    }
    return total;
  }

  private static String vmHwm() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return line.substring(6).strip();
      }
    }
    return "?";
  }
}
