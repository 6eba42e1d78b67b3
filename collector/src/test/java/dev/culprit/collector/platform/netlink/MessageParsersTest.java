package dev.culprit.collector.platform.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Link, address, qdisc and nf_tables message parsers on this kernel's real dumps. */
class MessageParsersTest {

  private static final String A = "/fixtures/netlink/ns-a";
  private static final String B = "/fixtures/netlink/ns-b";

  /**
   * Walks the {@code request} dump of {@code capture} with the handler that collects into a list.
   */
  private static <T> List<T> parse(
      String capture, DumpRequest request, Function<List<T>, NlMessages.Handler> collectInto)
      throws NetlinkException {
    List<T> out = new ArrayList<>();
    NlMessages.walk(ReplayedNetnsHandles.bytes(capture, request), -1, collectInto.apply(out));
    return out;
  }

  @Test
  void readsLinksWithTheirVethPeerKindMtuAndAllStats64Counters() throws Exception {
    List<NlLink> links = parse(B, DumpRequest.LINKS, LinkMessages::collectInto);

    assertThat(links).extracting(NlLink::name).containsExactly("lo", "cunl-b0", "cunl-b1");
    NlLink lo = links.get(0);
    assertThat(lo.arphrdType()).isEqualTo(772);
    assertThat(lo.kind()).isNull();
    assertThat(lo.link()).isNull(); // iflink == ifindex: the kernel leaves IFLA_LINK out
    NlLink b1 = links.get(2);
    assertThat(b1.kind()).isEqualTo("veth");
    assertThat(b1.link()).isNotNull().isNotEqualTo(b1.ifindex());
    assertThat(b1.mtu()).isEqualTo(1500);
    assertThat(b1.operState()).isEqualTo(6); // IF_OPER_UP
    // 6.18 sends all 25 counters, rx_otherhost_dropped last; B sent 10530 bytes over cunl-b1
    assertThat(b1.stats()).hasSize(25);
    assertThat(b1.stats()[LinkStats.TX_BYTES]).isEqualTo(10530);
    assertThat(b1.stats()[LinkStats.RX_PACKETS]).isEqualTo(19);
  }

  @Test
  void aDumpSkippingStatsStillNamesEveryLinkInFewerBytes() throws Exception {
    List<NlLink> links = new ArrayList<>();
    ByteBuffer names = ReplayedNetnsHandles.bytes(A, DumpRequest.LINK_NAMES);
    int size = names.remaining();
    NlMessages.walk(names, -1, LinkMessages.collectInto(links));

    assertThat(links).extracting(NlLink::name).containsExactly("lo", "cunl-a0", "cunl-a1");
    assertThat(size).isLessThan(ReplayedNetnsHandles.bytes(A, DumpRequest.LINKS).remaining());
  }

  @Test
  void readsIpv4FromIfaLocalAndIpv6FromIfaAddress() throws Exception {
    List<NlAddress> addresses = parse(A, DumpRequest.ADDRESSES, AddressMessages::collectInto);

    assertThat(addresses)
        .extracting(a -> a.family() + "/" + a.address().length + "/" + a.prefixLength())
        .containsExactly("2/4/8", "2/4/24", "2/4/24", "10/16/128", "10/16/64");
  }

  @Test
  void readsQdiscKindsHandlesParentsAndStats2Counters() throws Exception {
    List<NlQdisc> qdiscs = parse(B, DumpRequest.QDISCS, QdiscMessages::collectInto);

    assertThat(qdiscs).extracting(NlQdisc::kind).containsExactly("noqueue", "tbf", "tbf");
    NlQdisc dropping = qdiscs.get(2);
    assertThat(dropping.handle()).isEqualTo(0x10_0000L);
    assertThat(dropping.parent()).isEqualTo(NlQdisc.TC_H_ROOT);
    assertThat(dropping.options()).isNotNull();
    assertThat(dropping.stats().drops()).isEqualTo(59);
    assertThat(dropping.stats().overlimits()).isEqualTo(47);
    assertThat(dropping.stats().bytes()).isEqualTo(10530);
    assertThat(dropping.stats().packets()).isEqualTo(18);
  }

  @Test
  void fallsBackToTheOldTcStatsStructWithoutStats2() throws Exception {
    // tcmsg + TCA_KIND "pfifo" + TCA_STATS struct tc_stats (as kernels before 2.6.x sent)
    ByteBuffer p = ByteBuffer.allocate(20 + 12 + 40).order(ByteOrder.LITTLE_ENDIAN);
    p.put(new byte[4]).putInt(3).putInt(0x10000).putInt(0xffffffff).putInt(1);
    p.putShort((short) 10)
        .putShort((short) Rtnl.TCA_KIND)
        .put("pfifo\0".getBytes())
        .put(new byte[2]);
    p.putShort((short) 40).putShort((short) Rtnl.TCA_STATS);
    p.putLong(1000).putInt(10).putInt(3).putInt(2).putInt(0).putInt(0).putInt(1).putInt(60);
    p.flip();

    NlQdisc q = QdiscMessages.parse(p);

    assertThat(q.stats()).isEqualTo(new NlQdisc.Stats(1000L, 10L, 3L, 2L, null, 60L, 1L));
  }

  @Test
  void rejectsAQdiscWithoutKind() {
    ByteBuffer p = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);

    assertThatThrownBy(() -> QdiscMessages.parse(p))
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("without TCA_KIND");
  }

  @Test
  void listsNftablesTablesWithTheirFamilies() throws Exception {
    assertThat(NfTables.tables(ReplayedNetnsHandles.bytes(A, DumpRequest.NFT_TABLES)))
        .containsExactly(new NfTables.Table("inet", "culprit"), new NfTables.Table("ip", "filter"));
    assertThat(NfTables.tables(ReplayedNetnsHandles.bytes(B, DumpRequest.NFT_TABLES))).isEmpty();
  }

  @Test
  void hexFixturesRoundTrip() {
    byte[] raw = new ReplayedNetnsHandles(A).capture(DumpRequest.QDISCS);

    assertThat(NlHex.parse(NlHex.format(raw))).isEqualTo(raw);
  }
}
