package dev.culprit.collector.source.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class SnmpParserTest {

  private static Map<String, Long> pairs(String... fixtures) throws ParseException {
    Map<String, Long> counters = new TreeMap<>();
    for (String fixture : fixtures) {
      SnmpParser.parsePairs(fixture, Fixtures.text(fixture), counters);
    }
    return counters;
  }

  @Test
  void readsEveryGroupOfTheRealHost() throws Exception {
    Map<String, Long> c = pairs("real/host/proc-net-snmp.txt", "real/host/proc-net-netstat.txt");

    assertThat(c)
        .containsKeys(
            "Ip.InReceives",
            "Tcp.RetransSegs",
            "Udp.RcvbufErrors",
            "TcpExt.ListenOverflows",
            "TcpExt.TCPSynRetrans",
            "IpExt.InOctets",
            "IcmpMsg.InType3");
    assertThat(c.get("Tcp.MaxConn")).isEqualTo(-1);
    assertThat(c.get("Tcp.RtoMax")).isEqualTo(120000);
  }

  @Test
  void givesTheSeedsNetstatSValues() throws Exception {
    Map<String, Long> c =
        pairs("seed/proc-net-snmp-from-netstat-s.txt", "seed/proc-net-netstat-from-netstat-s.txt");

    // "31 total packets received", "11 failed connection attempts", "4 segments retransmitted",
    // "11 resets received for embryonic SYN_RECV sockets", "TCPTimeouts: 7", "TCPSynRetrans: 4"
    assertThat(c)
        .containsEntry("Ip.InReceives", 31L)
        .containsEntry("Ip.InDelivers", 25L)
        .containsEntry("Ip.OutRequests", 15L)
        .containsEntry("Tcp.AttemptFails", 11L)
        .containsEntry("Tcp.InSegs", 25L)
        .containsEntry("Tcp.OutSegs", 21L)
        .containsEntry("Tcp.RetransSegs", 4L)
        .containsEntry("TcpExt.EmbryonicRsts", 11L)
        .containsEntry("TcpExt.TCPTimeouts", 7L)
        .containsEntry("TcpExt.TCPSynRetrans", 4L);
    assertThat(c).doesNotContainKey("Ip.OutTransmits"); // that older kernel lacks it: absent, not 0
  }

  @Test
  void keepsColumnsAndGroupsOfANewerKernel() throws Exception {
    Map<String, Long> c = pairs("hostile/proc-net-snmp-newer-kernel.txt");

    assertThat(c).containsEntry("Ip.FutureCounter", 42L).containsEntry("FutureGroup.Beta", 2L);
    assertThat(c).containsEntry("Tcp.OutRsts", 14L);
  }

  @Test
  void rejectsOshisBadExtLinesNamingFileAndLine() {
    assertThatThrownBy(() -> pairs("hostile/proc-net-netstat-badext.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("proc-net-netstat-badext.txt:4")
        .hasMessageContaining("BadExt has 2 names but 1 values");
  }

  @Test
  void rejectsAHeaderWithoutItsValueLine() {
    assertThatThrownBy(() -> pairs("hostile/proc-net-snmp-dangling-header.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining(":3")
        .hasMessageContaining("Udp header without a value line");
  }

  @Test
  void rejectsANonNumber() {
    assertThatThrownBy(() -> pairs("hostile/proc-net-netstat-not-a-number.txt"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining(":2")
        .hasMessageContaining("'zero'");
  }

  @Test
  void rejectsAValueLineOfAnotherGroup() {
    assertThatThrownBy(() -> SnmpParser.parsePairs("t", "Tcp: A B\nUdp: 1 2\n", new TreeMap<>()))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("t:2");
  }

  @Test
  void readsSnmp6IntoGroups() throws Exception {
    Map<String, Long> c = new TreeMap<>();
    SnmpParser.parseSnmp6("snmp6", Fixtures.text("real/host/proc-net-snmp6.txt"), c);

    assertThat(c)
        .containsKeys("Ip6.InReceives", "Icmp6.InMsgs", "Udp6.InDatagrams", "UdpLite6.InDatagrams");
    assertThat(c.keySet()).allMatch(k -> !k.startsWith("Snmp6."));
  }

  @Test
  void acceptsAnEmptyFileAsNoCounters() throws Exception {
    assertThat(pairs("hostile/empty.txt")).isEmpty();
  }
}
