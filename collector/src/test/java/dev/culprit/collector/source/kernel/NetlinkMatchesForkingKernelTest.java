package dev.culprit.collector.source.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.WireSample;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.spi.Source;
import dev.culprit.collector.testing.CountingCommandRunner;
import dev.culprit.collector.testing.NetnsShell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a real, quiet pair of namespaces (a tbf on one side, htb with a pfifo leaf on the other, an
 * iptables rule, traffic that has ended), every network source publishes exactly the same record
 * through netlink as through the forking path — and the netlink path forks nothing but the one
 * iptables listing that holds rules, once.
 */
class NetlinkMatchesForkingKernelTest {

  private static final String A = "culprit-t-eq-a";
  private static final String B = "culprit-t-eq-b";
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private final NetnsShell shell = new NetnsShell();

  @BeforeAll
  static void needsTheKernel() {
    VethNamespacePair.assumeUsable();
  }

  @AfterEach
  void cleanUp() {
    shell.deleteNamespaces(A, B);
  }

  /** Every source with a forking path; route reads over netlink only, so has nothing to match. */
  private static final NetworkSourceOptions BOTH_WAYS =
      NetworkSourceOptions.defaults()
          .withEnabled(Set.of("interface", "protocol", "conntrack", "qdisc", "filter", "softnet"));

  @Test
  void everySourcePublishesTheSameRecordsEitherWayAndNetlinkDoesNotFork() throws Exception {
    cleanUp();
    setUp();
    HostPaths paths = HostPaths.defaults();
    ProcNamespaceFinder finder = NetnsShell.finder(paths, "culprit-t-eq-*");
    CountingCommandRunner forks = new CountingCommandRunner(shell.runner());
    try (NetworkSources netlink = NetworkSources.open(paths, forks, BOTH_WAYS);
        NetworkSources forking =
            NetworkSources.open(paths, shell.runner(), BOTH_WAYS.withNetlink(false))) {
      assertThat(netlink.usesNetlink()).as(netlink.readPath()).isTrue();
      assertThat(forking.usesNetlink()).isFalse();

      Map<String, Map<String, WireSample>> viaNetlink = null;
      Map<String, Map<String, WireSample>> viaForks = null;
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (System.nanoTime() < deadline) {
        viaNetlink = collect(finder, netlink.sources());
        viaForks = collect(finder, forking.sources());
        Map<String, Map<String, WireSample>> again = collect(finder, netlink.sources());
        if (again.get(A).equals(viaNetlink.get(A)) && again.get(B).equals(viaNetlink.get(B))) {
          // Only A's iptables rule needs a listing, once (later cycles read its counters over
          // netlink); B has no tables: nothing forked for it.
          assertThat(List.copyOf(forks.calls))
              .extracting(argv -> String.join(" ", argv))
              .containsExactly("nsenter --net=/var/run/netns/" + A + " iptables-nft-save -c");
          break; // quiet: both reads saw the same kernel state
        }
        viaNetlink = null;
      }

      assertThat(viaNetlink).as("namespaces never went quiet").isNotNull();
      for (String ns : List.of(A, B)) {
        for (String source : List.of("interface", "qdisc", "protocol", "conntrack", "filter")) {
          assertThat(viaNetlink.get(ns).get(source))
              .as(ns + " " + source)
              .isNotNull()
              .isEqualTo(viaForks.get(ns).get(source));
        }
      }
      assertThat(viaNetlink.get(A).get("qdisc").toString()).contains("\"tbf\"", "\"drops\"");
      assertThat(viaNetlink.get(B).get("qdisc").toString()).contains("\"htb\"", "\"pfifo\"");
    }
  }

  private void setUp() throws Exception {
    shell.addNamespaces(A, B);
    for (String ns : List.of(A, B)) {
      // No IPv6 link-local addresses: nothing sends on its own once our traffic ends.
      shell.inSh(ns, "sysctl -q -w net.ipv6.conf.default.addr_gen_mode=1");
    }
    shell.veth(A, "cut-eq-a", B, "cut-eq-b");
    shell.sh("ip -n " + A + " addr add 10.250.73.1/24 dev cut-eq-a");
    shell.sh("ip -n " + B + " addr add 10.250.73.2/24 dev cut-eq-b");
    shell.sh("ip -n " + A + " link set cut-eq-a up");
    shell.sh("ip -n " + B + " link set cut-eq-b up mtu 1400");
    shell.inSh(A, "tc qdisc add dev cut-eq-a root handle 10: tbf rate 8kbit burst 1600 limit 1600");
    shell.inSh(B, "tc qdisc add dev cut-eq-b root handle 1: htb default 10");
    shell.inSh(B, "tc class add dev cut-eq-b parent 1: classid 1:10 htb rate 5mbit");
    shell.inSh(B, "tc qdisc add dev cut-eq-b parent 1:10 handle 110: pfifo limit 30");
    shell.inSh(A, "iptables -A INPUT -p tcp --dport 9 -j DROP");
    // Traffic from B to a server in A whose responses overflow A's 8 kbit tbf, then silence.
    Path www = Files.createTempDirectory("culprit-t-eq");
    Files.writeString(www.resolve("index.html"), "x".repeat(20_000));
    Process httpd = NetnsShell.httpd(A, "10.250.73.1:80", www);
    try {
      for (int i = 0; i < 2; i++) {
        try {
          shell.inSh(B, "busybox timeout 2 busybox wget -q -O /dev/null http://10.250.73.1/");
        } catch (Exception expected) {
          // the tbf drops make it fail; its counters are what matters
        }
      }
    } finally {
      NetnsShell.stop(httpd);
      Files.deleteIfExists(www.resolve("index.html"));
      Files.deleteIfExists(www);
    }
  }

  private static Map<String, Map<String, WireSample>> collect(
      ProcNamespaceFinder finder, List<Source> sources) throws Exception {
    Map<String, Map<String, WireSample>> out = new HashMap<>();
    for (Netns netns : finder.find()) {
      if (netns.host()) {
        continue; // the host namespace is never quiet
      }
      Header header = new Header("h", netns.label(), 1L, "c", null);
      Map<String, WireSample> bySource = new HashMap<>();
      for (Source source : sources) {
        for (Sample sample : source.collect(netns, header)) {
          bySource.put(source.name(), sample.value());
        }
      }
      out.put(netns.label(), bySource);
    }
    assertThat(out).containsKeys(A, B);
    return out;
  }
}
