package dev.culprit.collector.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.platform.exec.ReplayingCommandRunner;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.records.ConntrackSample;
import dev.culprit.collector.records.FilterSample;
import dev.culprit.collector.records.InterfaceSample;
import dev.culprit.collector.records.InterfaceStats;
import dev.culprit.collector.records.QdiscSample;
import dev.culprit.collector.records.SoftnetCpu;
import dev.culprit.collector.records.SoftnetSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.source.conntrack.ConntrackSource;
import dev.culprit.collector.source.firewall.FirewallSource;
import dev.culprit.collector.source.iface.InterfaceSource;
import dev.culprit.collector.source.qdisc.QdiscSource;
import dev.culprit.collector.source.softnet.SoftnetSource;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each source end to end on a fixture tree and captured command output. */
class SourcesOnFixturesTest extends OnFixtureNamespace {

  private static final Header HEADER =
      new Header("host-1", "culprit-fx", 1_700_000_000_000L, "c-1", "boot-1");

  @Test
  void interfaceMergesNetDevCountersWithIpAttributes() throws Exception {
    tree.proc(FixtureTree.PID + "/net/dev", "real/ns-b/proc-net-dev.txt");
    runner.onResource(
        inNs("ip", "-j", "-s", "-s", "-d", "address", "show"),
        "/fixtures/real/ns-b/ip-j-s-s-d-address-show.json");

    List<Sample> samples =
        new InterfaceSource(tree.access(runner), NameFilter.of(List.of(), List.of("lo")))
            .collect(ns, HEADER);

    assertThat(samples)
        .singleElement()
        .satisfies(s -> assertThat(s.topic()).isEqualTo(WireTopics.INTERFACE));
    InterfaceSample sample = (InterfaceSample) samples.get(0).value();
    assertThat(sample.getHost()).isEqualTo("host-1");
    assertThat(sample.getNetns()).isEqualTo("culprit-fx");
    assertThat(sample.getSampleTimeMs()).isEqualTo(1_700_000_000_000L);
    assertThat(sample.getCollectorId()).isEqualTo("c-1");
    assertThat(sample.getBootId()).isEqualTo("boot-1");
    assertThat(sample.getSeq()).isZero();
    assertThat(sample.getInterfaces())
        .extracting(InterfaceStats::getName)
        .containsExactly("cufx-b0", "cufx-b1");
    InterfaceStats b0 = sample.getInterfaces().get(0);
    assertThat(b0.getMtu()).isEqualTo(100);
    assertThat(b0.getRxDropped()).isEqualTo(25);
    assertThat(b0.getLinkType()).isEqualTo("veth");
    assertThat(b0.getOperState()).isEqualTo("up");
    assertThat(b0.getAddresses()).contains("10.250.9.2/24");
    assertThat(b0.getRxMissedErrors()).isZero();
    assertThat(b0.getRxCrcErrors()).isZero();
  }

  @Test
  void interfaceKeepsCountersButLeavesAttributesNullWithoutIp() throws Exception {
    tree.proc(FixtureTree.PID + "/net/dev", "real/ns-b/proc-net-dev.txt");
    runner.missing("nsenter");

    InterfaceSample sample =
        (InterfaceSample)
            new InterfaceSource(tree.access(runner), NameFilter.all())
                .collect(ns, HEADER)
                .get(0)
                .value();

    InterfaceStats b0 = sample.getInterfaces().get(1);
    assertThat(b0.getRxDropped()).isEqualTo(25);
    assertThat(b0.getMtu()).isNull();
    assertThat(b0.getRxMissedErrors()).isNull();
  }

  @Test
  void conntrackIsUnavailableWithoutItsStatFile() throws Exception {
    ConntrackSample sample =
        (ConntrackSample)
            new ConntrackSource(tree.access(runner)).collect(ns, HEADER).get(0).value();

    assertThat(sample.getAvailable()).isFalse();
    assertThat(sample.getCount()).isNull();
    assertThat(sample.getStats()).isEmpty();
  }

  @Test
  void conntrackCountsAnotherNamespaceByItsEntriesAndTheHostsMax() throws Exception {
    tree.proc(
            FixtureTree.PID + "/net/stat/nf_conntrack", "real/ns-a/proc-net-stat-nf_conntrack.txt")
        .proc("sys/net/netfilter/nf_conntrack_max", "real/host/nf_conntrack_max.txt")
        .procText("sys/net/netfilter/nf_conntrack_count", "999\n");

    ConntrackSample sample =
        (ConntrackSample)
            new ConntrackSource(tree.access(runner)).collect(ns, HEADER).get(0).value();

    assertThat(sample.getAvailable()).isTrue();
    assertThat(sample.getCount()).isEqualTo(8); // not the reader's own 999
    assertThat(sample.getMax()).isEqualTo(262144);
    assertThat(sample.getBuckets()).isNull();
    assertThat(sample.getStats()).containsEntry("insert_failed", 0L);
  }

  @Test
  void qdiscFallsBackToTextOnceWhenTcHasNoJson() throws Exception {
    runner.failing(
        inNs("tc", "-s", "-j", "qdisc", "show"), "Option \"-j\" is unknown, try \"tc -help\".");
    runner.onResource(inNs("tc", "-s", "qdisc", "show"), "/fixtures/real/ns-b/tc-s-qdisc-show.txt");
    QdiscSource source =
        new QdiscSource(tree.access(runner), NameFilter.of(List.of("cufx-*"), List.of()));

    QdiscSample first = (QdiscSample) source.collect(ns, HEADER).get(0).value();
    source.collect(ns, HEADER);

    assertThat(first.getQdiscs()).extracting(q -> q.getDevice()).containsOnly("cufx-b0", "cufx-b1");
    assertThat(first.getQdiscs().get(1).getDrops()).isEqualTo(47);
    assertThat(runner.calls()).filteredOn(c -> c.contains("-j")).hasSize(1);
  }

  @Test
  void firewallReadsEveryBackEndInUseWithoutCountingRulesTwice() throws Exception {
    tree.procText(FixtureTree.PID + "/net/ip_tables_names", "filter\n")
        .procText(FixtureTree.PID + "/net/ip6_tables_names", "");
    replayNftListings(
            "/fixtures/real/ns-a/iptables-save-c.txt",
            "/fixtures/real/ns-a/ip6tables-save-c.txt",
            "/fixtures/real/ns-a/nft-j-list-ruleset.json")
        .onResource(
            inNs("iptables-legacy-save", "-c"), "/fixtures/real/ns-a/iptables-legacy-save-c.txt");

    FilterSample sample =
        (FilterSample)
            new FirewallSource(tree.access(runner), 1).collect(ns, HEADER).get(0).value();

    assertThat(sample.getBackends())
        .containsExactly("iptables-nft", "iptables-legacy", "ip6tables-nft", "nft");
    assertThat(sample.getRules())
        .filteredOn(r -> r.getBackend().equals("nft"))
        .allMatch(r -> r.getTable().equals("culprit"));
    assertThat(sample.getRules()).hasSize(6 + 1 + 1 + 2);
    assertThat(runner.calls()).noneMatch(c -> c.contains("ip6tables-legacy-save"));
  }

  @Test
  void firewallFallsBackToPlainIptablesSaveAndNamesItsBackEnd() throws Exception {
    // A namespace that is our own: commands run without nsenter.
    Netns own = new Netns("", 7L, ns.nsPath(), FixtureTree.PID, true);
    NetnsAccess access =
        new NetnsAccess(
            tree.paths(),
            new ReplayingCommandRunner()
                .missing("iptables-nft-save")
                .missing("ip6tables-nft-save")
                .missing("ip6tables-save")
                .missing("nft")
                .onResource(
                    List.of("iptables-save", "-c"),
                    "/fixtures/real/ns-a/iptables-legacy-save-c.txt"),
            java.time.Duration.ofSeconds(1),
            7L);

    FilterSample sample =
        (FilterSample) new FirewallSource(access, 1).collect(own, HEADER).get(0).value();

    // "# Generated by iptables-save v1.8.9" without "(nf_tables)": the legacy back end.
    assertThat(sample.getBackends()).containsExactly("iptables-legacy");
    assertThat(sample.getRules())
        .singleElement()
        .satisfies(r -> assertThat(r.getBackend()).isEqualTo("iptables-legacy"));
  }

  @Test
  void firewallWithoutAnyToolIsNoData() {
    runner.missing("nsenter");

    assertThatThrownBy(() -> new FirewallSource(tree.access(runner), 1).collect(ns, HEADER))
        .isInstanceOf(NoDataException.class);
  }

  @Test
  void firewallListsOnlyEveryNthCyclePerNamespace() throws Exception {
    replayNftListings(
        "/fixtures/real/ns-b/iptables-save-c.txt",
        "/fixtures/real/ns-b/ip6tables-save-c.txt",
        "/fixtures/real/ns-b/nft-j-list-ruleset.json");
    FirewallSource source = new FirewallSource(tree.access(runner), 3);

    List<Integer> published = new ArrayList<>();
    for (int cycle = 0; cycle < 6; cycle++) {
      published.add(source.collect(ns, HEADER).size());
    }

    assertThat(published).containsExactly(1, 0, 0, 1, 0, 0);
    // nft lists no iptables-nft table in this namespace: iptables-nft-save is never forked.
    assertThat(runner.calls()).noneMatch(c -> c.contains("iptables-nft-save"));
    assertThat(runner.calls()).hasSize(2);
  }

  @Test
  void softnetPublishesEveryCpuRowOfTheHostWithTheBacklogBound() throws Exception {
    tree.proc("net/softnet_stat", "real/host/proc-net-softnet_stat.txt")
        .proc("sys/net/core/netdev_max_backlog", "real/host/netdev_max_backlog.txt");

    List<Sample> samples = new SoftnetSource(tree.paths()).collect(ns, HEADER.forNetns(""));

    assertThat(samples)
        .singleElement()
        .satisfies(s -> assertThat(s.topic()).isEqualTo(WireTopics.SOFTNET));
    SoftnetSample sample = (SoftnetSample) samples.get(0).value();
    assertThat(sample.getNetns()).isEmpty();
    assertThat(sample.getNetdevMaxBacklog()).isEqualTo(1000L);
    assertThat(sample.getCpus()).extracting(SoftnetCpu::getCpu).containsExactly(0, 1);
    assertThat(sample.getCpus().get(1).getProcessed()).isEqualTo(0xf8feL);
  }

  @Test
  void softnetLeavesAnUnreadableBacklogBoundNullAndIsNoDataWithoutItsFile() throws Exception {
    SoftnetSource source = new SoftnetSource(tree.paths());
    assertThatThrownBy(() -> source.collect(ns, HEADER.forNetns("")))
        .isInstanceOf(NoDataException.class)
        .hasMessageContaining("softnet_stat");

    tree.proc("net/softnet_stat", "real/host/proc-net-softnet_stat.txt");
    SoftnetSample sample = (SoftnetSample) source.collect(ns, HEADER.forNetns("")).get(0).value();
    assertThat(sample.getNetdevMaxBacklog()).isNull();
  }
}
