package dev.culprit.collector.source.qdisc;

import static dev.culprit.collector.source.qdisc.TcQdiscTextParserTest.find;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.records.QdiscStats;
import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TcQdiscJsonParserTest {

  @Test
  void readsTheDroppingTbfWithRateInBitsPerSecond() throws Exception {
    List<QdiscStats> qdiscs =
        TcQdiscJsonParser.parse("t", Fixtures.text("real/ns-b/tc-s-j-qdisc-show.json"));

    QdiscStats tbf = find(qdiscs, "cufx-b1", "10:");
    assertThat(tbf.getRoot()).isTrue();
    assertThat(tbf.getRateBitsPerSecond()).isEqualTo(8000); // JSON says 1000 bytes/s
    assertThat(tbf.getBurstBytes()).isEqualTo(1600);
    assertThat(tbf.getDrops()).isEqualTo(47);
    assertThat(tbf.getPackets()).isEqualTo(23);
  }

  @Test
  void readsTheHostsPfifoFastPriomap() throws Exception {
    List<QdiscStats> qdiscs =
        TcQdiscJsonParser.parse("t", Fixtures.text("real/host/tc-s-j-qdisc-show.json"));

    QdiscStats eth0 = find(qdiscs, "eth0", "0:");
    assertThat(eth0.getKind()).isEqualTo("pfifo_fast");
    assertThat(eth0.getOptions()).containsEntry("bands", "3").containsEntry("multiqueue", "false");
    assertThat(eth0.getOptions().get("priomap")).startsWith("1 2 2 2");
  }

  /** The text and JSON of one capture must give the same qdiscs and counters. */
  @ParameterizedTest
  @ValueSource(strings = {"host", "ns-a", "ns-b"})
  void agreesWithTheTextParserOnTheSameCapture(String dir) throws Exception {
    List<QdiscStats> json =
        TcQdiscJsonParser.parse("j", Fixtures.text("real/" + dir + "/tc-s-j-qdisc-show.json"));
    List<QdiscStats> text =
        TcQdiscTextParser.parse("t", Fixtures.text("real/" + dir + "/tc-s-qdisc-show.txt"), null);

    assertThat(text).hasSameSizeAs(json);
    for (QdiscStats j : json) {
      QdiscStats t = find(text, j.getDevice(), j.getHandle());
      assertThat(t.getKind()).isEqualTo(j.getKind());
      assertThat(t.getParent()).isEqualTo(j.getParent());
      assertThat(t.getRoot()).isEqualTo(j.getRoot());
      assertThat(t.getDrops()).isEqualTo(j.getDrops());
      assertThat(t.getPackets()).isEqualTo(j.getPackets());
      assertThat(t.getBytes()).isEqualTo(j.getBytes());
      assertThat(t.getLimitPackets()).isEqualTo(j.getLimitPackets());
      assertThat(t.getLimitBytes()).isEqualTo(j.getLimitBytes());
      assertThat(t.getRateBitsPerSecond()).isEqualTo(j.getRateBitsPerSecond());
      assertThat(t.getQlen()).isEqualTo(j.getQlen());
    }
  }

  @Test
  void readsNetemFromIproute2sJsonLayout() throws Exception {
    // No netem in this kernel: the layout follows iproute2's q_netem.c (loss as a fraction).
    String json =
        "[{\"kind\":\"netem\",\"handle\":\"800d:\",\"dev\":\"eth0\",\"root\":true,"
            + "\"options\":{\"limit\":1000,\"loss-random\":{\"loss\":0.3,\"correlation\":0},"
            + "\"delay\":{\"delay\":0.1,\"jitter\":0,\"correlation\":0}},"
            + "\"bytes\":432,\"packets\":8,\"drops\":4,\"overlimits\":0,\"requeues\":0,"
            + "\"backlog\":0,\"qlen\":0}]";

    QdiscStats netem = TcQdiscJsonParser.parse("t", json).get(0);

    assertThat(netem.getLossPercent()).isCloseTo(30.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(netem.getDelayUs()).isEqualTo(100_000);
    assertThat(netem.getLimitPackets()).isEqualTo(1000);
    assertThat(netem.getDrops()).isEqualTo(4);
  }

  @Test
  void rejectsJsonThatIsNotAListOfQdiscs() {
    assertThatThrownBy(() -> TcQdiscJsonParser.parse("tc -j", "{\"kind\":\"tbf\"}"))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> TcQdiscJsonParser.parse("tc -j", "Option \"-j\" is unknown"))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> TcQdiscJsonParser.parse("tc -j", "[{\"kind\":\"tbf\"}]"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("without kind, handle or dev");
  }
}
