package dev.culprit.collector.source.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.exec.CommandRunner.CommandException;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.FilterSample;
import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Source;
import dev.culprit.collector.testing.CountingCommandRunner;
import dev.culprit.collector.testing.KernelTests;
import dev.culprit.collector.testing.NetnsShell;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On real rules in a real namespace — an iptables-nft random drop, a jump into a user chain with an
 * nth statistic match, a native nftables table with counters — the filter source that reads
 * counters over netlink publishes exactly what the forking one publishes, while traffic moves the
 * counters and while rules are added, deleted and reordered between cycles; and it forks only on
 * the cycles after the ruleset changed.
 */
class FirewallNetlinkMatchesForkingKernelTest {

  private static final String NS = "culprit-t-fwc";
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private final NetnsShell shell = new NetnsShell();

  @BeforeAll
  static void needsTheKernel() {
    KernelTests.assumeRootWith("ip", "iptables-nft", "nft", "nsenter", "busybox");
  }

  @AfterEach
  void cleanUp() {
    shell.deleteNamespaces(NS);
  }

  @Test
  void netlinkCountersMatchTheForkedListingsAsTrafficFlowsAndRulesChange() throws Exception {
    cleanUp();
    shell.addNamespaces(NS);
    in("ip link set lo up");
    in("iptables-nft -N CULPRIT-CHAIN");
    in("iptables-nft -A INPUT -m statistic --mode random --probability 0.2 -j DROP");
    in("iptables-nft -A INPUT -p icmp -j CULPRIT-CHAIN");
    in("iptables-nft -A CULPRIT-CHAIN -m statistic --mode nth --every 4 --packet 0 -j RETURN");
    in("iptables-nft -A CULPRIT-CHAIN -j ACCEPT");
    in("iptables-nft -A OUTPUT -p icmp -j ACCEPT");
    in("nft add table inet culprit");
    in("nft add chain inet culprit input { type filter hook input priority 10 ; }");
    in("nft add rule inet culprit input icmp type echo-request counter accept");
    in("nft add rule inet culprit input counter");

    HostPaths paths = HostPaths.defaults();
    Netns netns = NetnsShell.find(paths, NS);
    CountingCommandRunner forks = new CountingCommandRunner(shell.runner());
    NetworkSourceOptions filterOnly =
        NetworkSourceOptions.defaults().withEnabled(java.util.Set.of("filter"));
    try (NetworkSources netlink = NetworkSources.open(paths, forks, filterOnly);
        NetworkSources forking =
            NetworkSources.open(paths, shell.runner(), filterOnly.withNetlink(false))) {
      assertThat(netlink.usesNetlink()).as(netlink.readPath()).isTrue();
      Source viaNetlink = netlink.sources().get(0);
      Source viaForks = forking.sources().get(0);

      // 1. counters moving under traffic: the first cycle lists, the next ones do not fork
      ping(20);
      FilterSample first = same(viaNetlink, viaForks, netns);
      assertThat(packets(first, "INPUT", 2)).isPositive();
      assertThat(first.getRules()).extracting(FirewallRule::getBackend).contains("nft");
      forks.calls.clear();
      ping(20);
      FilterSample moved = same(viaNetlink, viaForks, netns);
      assertThat(packets(moved, "INPUT", 2)).isGreaterThan(packets(first, "INPUT", 2));
      assertThat(forks.calls).as("no fork while the ruleset stays").isEmpty();

      // 2. rules added, deleted and reordered between cycles: listed again, still the same
      in("iptables-nft -I INPUT 1 -p udp --dport 9 -j DROP");
      in("iptables-nft -D INPUT -m statistic --mode random --probability 0.2 -j DROP");
      in("iptables-nft -A INPUT -m statistic --mode random --probability 0.5 -j DROP");
      in("nft insert rule inet culprit input udp dport 7 counter drop");
      ping(10);
      FilterSample changed = same(viaNetlink, viaForks, netns);
      assertThat(changed.getRules())
          .filteredOn(r -> r.getChain().equals("INPUT") && r.getTable().equals("filter"))
          .extracting(FirewallRule::getStatisticProbability)
          .containsExactly(null, null, 0.5);
      assertThat(forks.calls).as("the changed ruleset is listed once").isNotEmpty();
      forks.calls.clear();
      ping(10);
      same(viaNetlink, viaForks, netns);
      assertThat(forks.calls).isEmpty();
    } finally {
      cleanUp();
    }
  }

  /**
   * The netlink record, once it equals the forking path's taken right after it (both read the same
   * counters once the pings are over; a late packet only makes us read again).
   */
  private FilterSample same(Source viaNetlink, Source viaForks, Netns netns) throws Exception {
    Header header = new Header("h", netns.label(), 1L, "c", null);
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    FilterSample a = null;
    FilterSample b = null;
    while (System.nanoTime() < deadline) {
      a = (FilterSample) viaNetlink.collect(netns, header).get(0).value();
      b = (FilterSample) viaForks.collect(netns, header).get(0).value();
      if (a.equals(b)) {
        return a;
      }
    }
    assertThat(a).isEqualTo(b);
    return a;
  }

  private static long packets(FilterSample sample, String chain, int position) {
    return sample.getRules().stream()
        .filter(r -> r.getTable().equals("filter") && r.getChain().equals(chain))
        .filter(r -> r.getPosition() == position)
        .findFirst()
        .orElseThrow()
        .getPackets();
  }

  private void ping(int count) throws Exception {
    try {
      in("busybox ping -c " + count + " -i 0.02 -W 1 127.0.0.1");
    } catch (CommandException lost) {
      // the random drops make ping exit non-zero; the counters are what matters
    }
  }

  private String in(String command) throws Exception {
    return shell.inSh(NS, command);
  }
}
