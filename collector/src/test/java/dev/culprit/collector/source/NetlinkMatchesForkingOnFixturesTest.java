package dev.culprit.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.exec.ReplayingCommandRunner;
import dev.culprit.collector.platform.netlink.DumpRequest;
import dev.culprit.collector.platform.netlink.ReplayedNetnsHandles;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.records.InterfaceSample;
import dev.culprit.collector.records.InterfaceStats;
import dev.culprit.collector.records.QdiscSample;
import dev.culprit.collector.records.QdiscStats;
import dev.culprit.collector.source.iface.InterfaceSource;
import dev.culprit.collector.source.qdisc.QdiscSource;
import dev.culprit.collector.spi.Header;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The interface and qdisc sources publish the same records whether they read a namespace through
 * netlink or by forking {@code ip}/{@code tc}: both run on one quiet capture of this kernel ({@code
 * fixtures/netlink}), where every file holds exactly the same counters.
 */
class NetlinkMatchesForkingOnFixturesTest extends OnFixtureNamespace {

  private static final Header HEADER = new Header("h", "ns", 1L, "c", null);

  @BeforeEach
  void psched() throws Exception {
    tree.proc("net/psched", "netlink/psched.txt");
  }

  @ParameterizedTest
  @ValueSource(strings = {"host", "ns-a", "ns-b"})
  void interfaceRecordsAreEqual(String capture) throws Exception {
    String folder = "/fixtures/netlink/" + capture;
    tree.proc(FixtureTree.PID + "/net/dev", "netlink/" + capture + "/proc-net-dev.txt");
    runner.onResource(
        inNs("ip", "-j", "-s", "-s", "-d", "address", "show"),
        folder + "/ip-j-s-s-d-address-show.json");
    ReplayedNetnsHandles handles = new ReplayedNetnsHandles(folder);

    List<InterfaceStats> forked = interfaces(tree.access(runner));
    List<InterfaceStats> netlink = interfaces(withHandles(handles));

    assertThat(netlink).isNotEmpty().isEqualTo(forked);
    assertThat(handles.requests()).containsExactly(DumpRequest.LINKS, DumpRequest.ADDRESSES);
    assertThat(runner.calls()).hasSize(1); // only the forking path ran a command
  }

  @ParameterizedTest
  @ValueSource(strings = {"host", "ns-a", "ns-b"})
  void qdiscRecordsAreEqual(String capture) throws Exception {
    String folder = "/fixtures/netlink/" + capture;
    runner.onResource(inNs("tc", "-s", "-j", "qdisc", "show"), folder + "/tc-s-j-qdisc-show.json");

    List<QdiscStats> forked = qdiscs(tree.access(runner));
    List<QdiscStats> netlink = qdiscs(withHandles(new ReplayedNetnsHandles(folder)));

    assertThat(netlink).isNotEmpty().isEqualTo(forked);
  }

  @org.junit.jupiter.api.Test
  void theDroppingTbfReadsTheSameThroughNetlink() throws Exception {
    List<QdiscStats> netlink =
        qdiscs(withHandles(new ReplayedNetnsHandles("/fixtures/netlink/ns-b")));

    QdiscStats tbf =
        netlink.stream().filter(q -> q.getDevice().equals("cunl-b1")).findFirst().orElseThrow();
    assertThat(tbf.getKind()).isEqualTo("tbf");
    assertThat(tbf.getHandle()).isEqualTo("10:");
    assertThat(tbf.getRateBitsPerSecond()).isEqualTo(8000);
    assertThat(tbf.getBurstBytes()).isEqualTo(1600);
    assertThat(tbf.getDrops()).isEqualTo(59);
    assertThat(tbf.getOptions()).containsEntry("lat", "0");
  }

  private NetnsAccess withHandles(ReplayedNetnsHandles handles) {
    // A runner that knows no command: the netlink path must not fork.
    return new NetnsAccess(
        tree.paths(), new ReplayingCommandRunner(), Duration.ofSeconds(1), -1, handles);
  }

  private List<InterfaceStats> interfaces(NetnsAccess access) throws Exception {
    return ((InterfaceSample)
            new InterfaceSource(access, NameFilter.all()).collect(ns, HEADER).get(0).value())
        .getInterfaces();
  }

  private List<QdiscStats> qdiscs(NetnsAccess access) throws Exception {
    return ((QdiscSample)
            new QdiscSource(access, NameFilter.all()).collect(ns, HEADER).get(0).value())
        .getQdiscs();
  }
}
