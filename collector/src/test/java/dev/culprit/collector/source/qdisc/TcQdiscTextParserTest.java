package dev.culprit.collector.source.qdisc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.records.QdiscStats;
import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcQdiscTextParserTest {

  static QdiscStats find(List<QdiscStats> qdiscs, String device, String handle) {
    return qdiscs.stream()
        .filter(q -> q.getDevice().equals(device) && q.getHandle().equals(handle))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no qdisc " + handle + " on " + device));
  }

  @Test
  void readsTheSeedsNetemLossQdisc() throws Exception {
    List<QdiscStats> qdiscs =
        TcQdiscTextParser.parse("seed", Fixtures.text("seed/tc-s-qdisc-show-dev-eth0.txt"), "eth0");

    assertThat(qdiscs).hasSize(1);
    QdiscStats netem = qdiscs.get(0);
    assertThat(netem.getDevice()).isEqualTo("eth0");
    assertThat(netem.getKind()).isEqualTo("netem");
    assertThat(netem.getHandle()).isEqualTo("800d:");
    assertThat(netem.getRoot()).isTrue();
    assertThat(netem.getParent()).isNull();
    assertThat(netem.getLossPercent()).isEqualTo(30.0);
    assertThat(netem.getLimitPackets()).isEqualTo(1000);
    assertThat(netem.getDelayUs()).isNull();
    assertThat(netem.getOptions()).containsEntry("loss", "30%").containsEntry("limit", "1000");
    assertThat(netem.getBytes()).isEqualTo(432);
    assertThat(netem.getPackets()).isEqualTo(8);
    assertThat(netem.getDrops()).isEqualTo(4);
    assertThat(netem.getOverlimits()).isZero();
    assertThat(netem.getRequeues()).isZero();
    assertThat(netem.getBacklogBytes()).isZero();
    assertThat(netem.getBacklogPackets()).isZero();
  }

  @Test
  void readsTheDroppingTbfOfARealNamespace() throws Exception {
    List<QdiscStats> qdiscs =
        TcQdiscTextParser.parse("t", Fixtures.text("real/ns-b/tc-s-qdisc-show.txt"), null);

    QdiscStats tbf = find(qdiscs, "cufx-b1", "10:");
    assertThat(tbf.getKind()).isEqualTo("tbf");
    assertThat(tbf.getRateBitsPerSecond()).isEqualTo(8000);
    assertThat(tbf.getBurstBytes()).isEqualTo(1600);
    assertThat(tbf.getDrops()).isEqualTo(47);
    assertThat(find(qdiscs, "cufx-b0", "0:").getKind()).isEqualTo("noqueue");
  }

  @Test
  void readsRootAndChildQdiscsOfHtbAndMq() throws Exception {
    List<QdiscStats> qdiscs =
        TcQdiscTextParser.parse("t", Fixtures.text("real/ns-a/tc-s-qdisc-show.txt"), null);

    QdiscStats htb = find(qdiscs, "cufx-a0", "1:");
    assertThat(htb.getRoot()).isTrue();
    assertThat(htb.getOptions()).containsEntry("default", "0x20").containsEntry("r2q", "10");
    QdiscStats bfifo = find(qdiscs, "cufx-a0", "120:");
    assertThat(bfifo.getParent()).isEqualTo("1:20");
    assertThat(bfifo.getRoot()).isFalse();
    assertThat(bfifo.getLimitBytes()).isEqualTo(3000);
    assertThat(find(qdiscs, "cufx-a0", "110:").getLimitPackets()).isEqualTo(50);
    assertThat(find(qdiscs, "cufx-a1", "1:").getKind()).isEqualTo("mq");
    QdiscStats fast = find(qdiscs, "cufx-a1", "0:");
    assertThat(fast.getParent()).isEqualTo("1:2");
    assertThat(fast.getOptions()).containsEntry("priomap", "1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1");
  }

  @Test
  void readsNetemDelayAndKiloByteBacklog() throws Exception {
    String text =
        "qdisc netem 1: dev eth1 root refcnt 2 limit 500 delay 100ms  10ms loss 0.5%\n"
            + " Sent 3000 bytes 2 pkt (dropped 0, overlimits 0 requeues 1)\n"
            + " backlog 2Kb 3p requeues 1\n";

    QdiscStats netem = TcQdiscTextParser.parse("t", text, null).get(0);

    assertThat(netem.getDelayUs()).isEqualTo(100_000);
    assertThat(netem.getLossPercent()).isEqualTo(0.5);
    assertThat(netem.getBacklogBytes()).isEqualTo(2048);
    assertThat(netem.getQlen()).isEqualTo(3);
    assertThat(netem.getRequeues()).isEqualTo(1);
  }

  @Test
  void rejectsAQdiscWithoutDeviceWhenNoneIsGiven() {
    assertThatThrownBy(
            () ->
                TcQdiscTextParser.parse(
                    "tc", Fixtures.text("seed/tc-s-qdisc-show-dev-eth0.txt"), null))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("tc:1");
  }

  @Test
  void rejectsStatisticsBeforeAnyQdisc() {
    assertThatThrownBy(() -> TcQdiscTextParser.parse("tc", " Sent 1 bytes 1 pkt\n", "eth0"))
        .isInstanceOf(ParseException.class);
  }

  @Test
  void leavesCountersAbsentWhenTheStatisticsLinesAreMissing() throws Exception {
    QdiscStats q =
        TcQdiscTextParser.parse("t", "qdisc pfifo 1: dev x root limit 5p\n", null).get(0);

    assertThat(q.getDrops()).isNull();
    assertThat(q.getLimitPackets()).isEqualTo(5);
  }
}
