package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.lab.oracle.IpLinkJson;
import dev.culprit.lab.oracle.IptablesListing;
import dev.culprit.lab.oracle.ProcConntrackStat;
import dev.culprit.lab.oracle.ProcNetDev;
import dev.culprit.lab.oracle.ProcNetSnmp;
import dev.culprit.lab.oracle.ProcNetTcp;
import dev.culprit.lab.oracle.TcQdiscJson;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The lab's own readers of kernel files and tool outputs, on real captures and broken input. */
class KernelOutputParsersTest {

  @Test
  void readsTheServerInterfaceCountersFromProcNetDev() {
    var web = ProcNetDev.device(Fixtures.read("proc-net-dev.txt"), "cu-web").orElseThrow();
    assertThat(web.rxBytes()).isEqualTo(108456);
    assertThat(web.rxPackets()).isEqualTo(392);
    assertThat(web.rxDropped()).isEqualTo(13);
    assertThat(web.txPackets()).isEqualTo(329);
    assertThat(web.txDropped()).isZero();
    assertThat(ProcNetDev.parse(Fixtures.read("proc-net-dev.txt")))
        .containsOnlyKeys("lo", "cu-web");
  }

  @Test
  void rejectsAProcNetDevLineWithTooFewCounters() {
    String truncated =
        "Inter-|   Receive\n face |bytes    packets\n cu-web:  108456     392    0   13\n";
    assertThatThrownBy(() -> ProcNetDev.parse(truncated))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("line 3")
        .hasMessageContaining("expected 16");
  }

  @Test
  void readsListenOverflowsFromProcNetNetstat() {
    Map<String, Long> netstat = ProcNetSnmp.parse(Fixtures.read("proc-net-netstat.txt"));
    assertThat(netstat).containsEntry("TcpExt.ListenOverflows", 2L);
    assertThat(netstat).containsEntry("TcpExt.ListenDrops", 2L);
    assertThat(netstat).containsKey("IpExt.InOctets");
  }

  @Test
  void readsTcpCountersFromProcNetSnmp() {
    Map<String, Long> snmp = ProcNetSnmp.parse(Fixtures.read("proc-net-snmp.txt"));
    assertThat(snmp).containsKeys("Ip.InReceives", "Tcp.RetransSegs", "Udp.InDatagrams");
  }

  @Test
  void rejectsSnmpLinesWhoseNamesAndValuesDoNotPair() {
    assertThatThrownBy(() -> ProcNetSnmp.parse("TcpExt: A B\nTcpExt: 1\n"))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("lines 1-2");
  }

  @Test
  void sumsConntrackStatOverCpusButNotTheSharedEntriesColumn() {
    Map<String, Long> stat =
        ProcConntrackStat.parse(Fixtures.read("proc-net-stat-nf_conntrack.txt"));
    assertThat(stat).containsEntry("entries", 0x32L); // every CPU line repeats the table size
    assertThat(stat).containsEntry("drop", 8L + 2L);
    assertThat(stat).containsEntry("early_drop", 0L);
    assertThat(stat).containsKey("search_restart");
  }

  @Test
  void rejectsAConntrackStatLineWithMissingColumns() {
    assertThatThrownBy(() -> ProcConntrackStat.parse("entries drop\n00000001\n"))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("1 values for 2 names");
  }

  @Test
  void findsTheStuckListenerAndItsFullAcceptQueueInProcNetTcp() {
    String tcp = Fixtures.read("proc-net-tcp.txt");
    assertThat(ProcNetTcp.listening(tcp, 8081)).isTrue();
    assertThat(ProcNetTcp.acceptQueue(tcp, 8081)).isEqualTo(2);
    assertThat(ProcNetTcp.listening(tcp, 80)).isFalse(); // httpd listens dual-stack, in tcp6
    assertThat(ProcNetTcp.listening(Fixtures.read("proc-net-tcp6.txt"), 80)).isTrue();
  }

  @Test
  void doesNotTakeAnEstablishedConnectionForAListener() {
    String established =
        "  sl  local_address rem_address   st tx_queue rx_queue\n"
            + "   1: 0A00FD0A:1F91 6600FD0A:BB34 01 00000000:00000000 00:00000000\n";
    assertThat(ProcNetTcp.listening(established, 8081)).isFalse();
  }

  @Test
  void findsTheLabRuleByItsCommentWithExactCounters() {
    var rule =
        IptablesListing.ruleWithComment(
                Fixtures.read("iptables-nvxL-INPUT.txt"), FirewallDropFault.COMMENT)
            .orElseThrow();
    assertThat(rule).isEqualTo(new IptablesListing.Rule(1, 14, 976));
    assertThat(IptablesListing.ruleWithComment(Fixtures.read("iptables-nvxL-INPUT.txt"), "other"))
        .isEmpty();
  }

  @Test
  void readsTheRootTbfAndItsDrops() {
    var qdisc = TcQdiscJson.root(Fixtures.read("tc-s-j-qdisc-tbf.json")).orElseThrow();
    assertThat(qdisc).isEqualTo(new TcQdiscJson.Qdisc("tbf", "8001:", 151, 140, 320));
  }

  @Test
  void findsNoRootQdiscInAnEmptyListingAndRejectsNonJson() {
    assertThat(TcQdiscJson.root("[]")).isEmpty();
    assertThatThrownBy(() -> TcQdiscJson.root("qdisc noqueue 0: root"))
        .isInstanceOf(LabException.class)
        .hasMessageContaining("not JSON");
  }

  @Test
  void listsDevicesWithBridgeMasterAndAddresses() {
    var lan = IpLinkJson.parse(Fixtures.read("ip-j-addr-lan.json"));
    assertThat(lan).extracting(IpLinkJson.Link::name).contains("cu-br0", "cu-web-br", "cu-c2-br");
    assertThat(lan)
        .filteredOn(l -> l.name().equals("cu-web-br"))
        .singleElement()
        .satisfies(l -> assertThat(l.master()).isEqualTo("cu-br0"));
    var web = IpLinkJson.parse(Fixtures.read("ip-j-addr-web.json"));
    assertThat(web)
        .filteredOn(l -> l.name().equals("cu-web"))
        .singleElement()
        .satisfies(
            l -> {
              assertThat(l.addresses()).containsExactly("10.253.0.10/24");
              assertThat(l.mtu()).isEqualTo(100); // captured with the mtu fault active
            });
  }

  @Test
  void namesNamespacesWithAndWithoutNsid() {
    assertThat(NetnsList.parse(Fixtures.read("ip-netns-list.txt")))
        .containsExactly(
            "culprit-web", "culprit-client-1", "culprit-lan", "culprit-quiet", "culprit-client-2");
    assertThat(NetnsList.parse("culprit-web (id: 1)\n\nother (id: 0)\n"))
        .containsExactly("culprit-web", "other");
  }

  @Test
  void readsStartTimeFromProcPidStatAndTreatsZombiesAsGone() {
    assertThat(ProcPidStat.parseLiveStartTicks(Fixtures.read("proc-pid-stat.txt")))
        .hasValue(214699);
    String zombie = "123 (odd ) name) Z 1 123 123 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0";
    assertThat(ProcPidStat.parseLiveStartTicks(zombie)).isEmpty();
    String spaces = "123 (odd ) name) S 1 123 123 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 555 0 0";
    assertThat(ProcPidStat.parseLiveStartTicks(spaces)).hasValue(555);
    assertThatThrownBy(() -> ProcPidStat.parseLiveStartTicks("123 (x) S 1 2"))
        .isInstanceOf(LabException.class);
  }
}
