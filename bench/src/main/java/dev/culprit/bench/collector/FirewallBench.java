package dev.culprit.bench.collector;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Cost of the filter source for one namespace with rules (the lab's random drop in INPUT and
 * OUTPUT, a jump into a user chain, a native nftables table), as CPU per call — this thread's plus
 * the forked listings' — in the same run: counters over netlink (the listing forked only when the
 * ruleset changes, so never here after the first call) against forking every listing every call.
 * Needs root; makes and removes the namespace {@code culprit-bench-fw}.
 *
 * <pre>
 * bench/run FirewallBench [calls=300]
 * </pre>
 */
public final class FirewallBench {

  private static final String NS = "culprit-bench-fw";
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final CommandRunner RUN = new ProcessCommandRunner();

  private FirewallBench() {}

  public static void main(String[] args) throws Exception {
    int calls = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    try {
      setUp();
      HostPaths paths = HostPaths.defaults();
      Netns netns =
          new ProcNamespaceFinder(
                  paths, NameFilter.of(List.of(NS), List.of()), pid -> Optional.empty())
              .find().stream().filter(n -> n.label().equals(NS)).findFirst().orElseThrow();
      NetworkSourceOptions filter = NetworkSourceOptions.defaults().withEnabled(Set.of("filter"));
      Header header = new Header("bench", NS, 0L, "bench", null);
      try (NetworkSources netlink = NetworkSources.open(paths, RUN, filter);
          NetworkSources forking = NetworkSources.open(paths, RUN, filter.withNetlink(false))) {
        System.out.printf(
            "netns %s, %d calls each; netlink read path: %s%n", NS, calls, netlink.readPath());
        for (int round = 0; round < 2; round++) {
          for (NetworkSources sources : List.of(netlink, forking)) {
            Source source = sources.sources().get(0);
            CallCost c = CallCost.measure(calls, () -> source.collect(netns, header));
            System.out.printf(
                "%-22s %8.1f us cpu/call (incl. children) %8.1f us wall/call%n",
                sources == netlink ? "netlink counters" : "fork every listing",
                c.cpuMicros(),
                c.wallMicros());
          }
        }
      }
    } finally {
      try {
        RUN.run(List.of("ip", "netns", "del", NS), TIMEOUT);
      } catch (Exception absent) {
        // already gone
      }
    }
  }

  private static void setUp() throws Exception {
    try {
      RUN.run(List.of("ip", "netns", "del", NS), TIMEOUT);
    } catch (Exception absent) {
      // no leftover
    }
    RUN.run(List.of("ip", "netns", "add", NS), TIMEOUT);
    for (String c :
        List.of(
            "iptables -N CULPRIT-CHAIN",
            "iptables -A INPUT -m statistic --mode random --probability 0.3 -j DROP",
            "iptables -A OUTPUT -m statistic --mode random --probability 0.3 -j DROP",
            "iptables -A INPUT -p tcp --dport 80 -j CULPRIT-CHAIN",
            "iptables -A CULPRIT-CHAIN -s 10.0.0.0/8 -j ACCEPT",
            "iptables -A CULPRIT-CHAIN -j RETURN",
            "nft add table inet culprit",
            "nft add chain inet culprit input { type filter hook input priority 10 ; }",
            "nft add rule inet culprit input tcp dport 9999 counter drop")) {
      List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", NS));
      argv.addAll(List.of(c.split(" ")));
      RUN.run(argv, TIMEOUT);
    }
  }
}
