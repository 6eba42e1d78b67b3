package dev.culprit.collector.source.kernel;

import static dev.culprit.collector.source.kernel.VethNamespacePair.A;
import static dev.culprit.collector.source.kernel.VethNamespacePair.ADDR_A;
import static dev.culprit.collector.source.kernel.VethNamespacePair.B;
import static dev.culprit.collector.source.kernel.VethNamespacePair.VETH_A;
import static dev.culprit.collector.source.kernel.VethNamespacePair.VETH_B;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.netns.ProcNamespaceFinder;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.records.ConntrackSample;
import dev.culprit.collector.records.FilterSample;
import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.records.InterfaceSample;
import dev.culprit.collector.records.InterfaceStats;
import dev.culprit.collector.records.ProtocolSample;
import dev.culprit.collector.records.QdiscSample;
import dev.culprit.collector.records.QdiscStats;
import dev.culprit.collector.records.WireSample;
import dev.culprit.collector.source.NetworkSourceOptions;
import dev.culprit.collector.source.NetworkSources;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.spi.Source;
import dev.culprit.collector.testing.NetnsShell;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real sources against real kernel faults: namespace A serves HTTP behind a 30 % random-drop
 * iptables rule and a tbf qdisc too small for its responses, with MTU 1280; namespace B (no process
 * of its own, so read through nsenter) is the healthy client.
 */
class NetworkSourcesKernelTest {

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @BeforeAll
  static void needsTheKernel() {
    VethNamespacePair.assumeUsable();
  }

  @Test
  void seesRuleCountersAndQdiscDropsRiseOnlyInTheFaultyNamespace() throws Exception {
    try (VethNamespacePair lab = new VethNamespacePair()) {
      lab.up(1280);
      lab.in(
          A,
          "iptables",
          "-A",
          "INPUT",
          "-m",
          "statistic",
          "--mode",
          "random",
          "--probability",
          "0.3",
          "-j",
          "DROP");
      lab.in(
          A, "tc", "qdisc", "add", "dev", VETH_A, "root", "handle", "10:", "tbf", "rate", "8kbit",
          "burst", "1600", "limit", "1600");
      lab.httpd(A, ADDR_A);

      HostPaths paths = HostPaths.defaults();
      List<Source> sources =
          NetworkSources.create(paths, new ProcessCommandRunner(), NetworkSourceOptions.defaults());
      ProcNamespaceFinder finder = NetnsShell.finder(paths, "culprit-t-*");

      Map<String, Map<String, WireSample>> before = collect(finder, sources);
      Map<String, Map<String, WireSample>> after = before;
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (System.nanoTime() < deadline) {
        lab.get(B, ADDR_A);
        after = collect(finder, sources);
        if (dropRule(after.get(A)).getPackets() > dropRule(before.get(A)).getPackets()
            && tbf(after.get(A)).getDrops() > tbf(before.get(A)).getDrops()) {
          break;
        }
      }

      // Firewall: A's random-drop rule counts, seen with its probability; B has no rules at all.
      FirewallRule rule = dropRule(after.get(A));
      assertThat(rule.getPackets()).isGreaterThan(dropRule(before.get(A)).getPackets());
      assertThat(rule.getStatisticProbability()).isEqualTo(0.3);
      assertThat(rule.getTarget()).isEqualTo("DROP");
      assertThat(((FilterSample) after.get(B).get("filter")).getRules()).isEmpty();

      // Qdisc: A's tbf drops; B's veth has no dropping qdisc.
      assertThat(tbf(after.get(A)).getDrops()).isGreaterThan(tbf(before.get(A)).getDrops());
      assertThat(tbf(after.get(A)).getRateBitsPerSecond()).isEqualTo(8000);
      for (QdiscStats q : ((QdiscSample) after.get(B).get("qdisc")).getQdiscs()) {
        assertThat(q.getDrops()).as(q.toString()).isZero();
      }

      // Interfaces: each side's MTU, the veth peers point at each other, B received A's packets.
      InterfaceStats a = device(after.get(A), VETH_A);
      InterfaceStats b = device(after.get(B), VETH_B);
      assertThat(a.getMtu()).isEqualTo(1280);
      assertThat(b.getMtu()).isEqualTo(1500);
      assertThat(a.getPeerIfindex()).isEqualTo(b.getIfindex());
      assertThat(b.getPeerIfindex()).isEqualTo(a.getIfindex());
      assertThat(a.getLinkType()).isEqualTo("veth");
      assertThat(a.getAddresses()).contains(ADDR_A + "/24");
      assertThat(b.getRxPackets()).isGreaterThan(device(before.get(B), VETH_B).getRxPackets());
      assertThat(a.getRxMissedErrors()).isNotNull();

      // Protocol: A accepted connections, B opened them; both read their own namespace.
      Map<String, Long> pa = ((ProtocolSample) after.get(A).get("protocol")).getCounters();
      Map<String, Long> pb = ((ProtocolSample) after.get(B).get("protocol")).getCounters();
      assertThat(pa.get("Tcp.PassiveOpens")).isPositive();
      assertThat(pa.get("Tcp.ActiveOpens")).isZero();
      assertThat(pb.get("Tcp.ActiveOpens")).isPositive();
      assertThat(pb.get("Tcp.PassiveOpens")).isZero();

      // Conntrack: loaded here; max is the host's global value in every namespace.
      ConntrackSample ca = (ConntrackSample) after.get(A).get("conntrack");
      ConntrackSample host = (ConntrackSample) after.get("").get("conntrack");
      assertThat(ca.getAvailable()).isTrue();
      assertThat(ca.getMax()).isEqualTo(host.getMax());
      assertThat(ca.getStats()).containsKey("entries");
    }
  }

  /** netns label → source name → record, for the host and both lab namespaces. */
  private static Map<String, Map<String, WireSample>> collect(
      ProcNamespaceFinder finder, List<Source> sources) throws Exception {
    Map<String, Map<String, WireSample>> out = new HashMap<>();
    for (Netns netns : finder.find()) {
      Header header =
          new Header("test-host", netns.label(), System.currentTimeMillis(), "c1", null);
      Map<String, WireSample> bySource = new HashMap<>();
      for (Source source : sources) {
        for (Sample sample : source.collect(netns, header)) {
          bySource.put(source.name(), sample.value());
        }
      }
      out.put(netns.label(), bySource);
    }
    assertThat(out).containsKeys("", A, B);
    return out;
  }

  private static FirewallRule dropRule(Map<String, WireSample> ns) {
    return ((FilterSample) ns.get("filter"))
        .getRules().stream()
            .filter(r -> r.getTable().equals("filter") && r.getChain().equals("INPUT"))
            .filter(r -> r.getPosition() == 1)
            .findFirst()
            .orElseThrow();
  }

  private static QdiscStats tbf(Map<String, WireSample> ns) {
    return ((QdiscSample) ns.get("qdisc"))
        .getQdiscs().stream().filter(q -> q.getKind().equals("tbf")).findFirst().orElseThrow();
  }

  private static InterfaceStats device(Map<String, WireSample> ns, String name) {
    return ((InterfaceSample) ns.get("interface"))
        .getInterfaces().stream().filter(i -> i.getName().equals(name)).findFirst().orElseThrow();
  }
}
