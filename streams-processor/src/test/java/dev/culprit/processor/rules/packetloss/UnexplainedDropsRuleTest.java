package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;
import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.window.HostWindow;
import dev.culprit.processor.window.Windows;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rule on delta-shaped windows: counters here are already the window's increases. */
class UnexplainedDropsRuleTest {

  private final SampleFactory f = new SampleFactory("h", 1_000);
  private final UnexplainedDropsRule rule =
      new UnexplainedDropsRule(Rules.specific(PacketLossThresholds.defaults()));

  private List<RootCause> judge(String netns, HostWindow window) {
    return rule.evaluate(window.netns(netns).orElseThrow());
  }

  /** The rule on namespace web of a window holding only web's protocol counter increases. */
  private List<RootCause> judgeWeb(Map<String, Long> increases) {
    return judge("web", Windows.of("h", f.protocol("web", increases)));
  }

  @Test
  void listenDropsBeyondOverflowsAreNamedWhereCountedWithTheRuleThatLookedAndAdviceOnly() {
    RootCause cause =
        judgeWeb(
                Map.of(
                    "TcpExt.ListenDrops", 50L,
                    "TcpExt.ListenOverflows", 0L,
                    "Ip.InReceives", 2_000L,
                    "TcpExt.TCPSynRetrans", 7L))
            .get(0);

    assertThat(cause.getCause()).isEqualTo(Cause.UNEXPLAINED_DROPS);
    assertThat(cause.getLayer()).isEqualTo(Layer.TRANSPORT);
    assertThat(cause.getLocation()).isEqualTo("TCP listeners");
    assertThat(cause.getEvidence())
        .containsEntry("droppedPackets", 50L)
        .containsEntry("TcpExt.ListenDrops", 50L)
        .containsKey("ruledOut.LISTEN_OVERFLOW");
    assertThat(cause.getSymptoms()).containsEntry("TcpExt.TCPSynRetrans", 7L);
    assertThat(cause.getFix().getArgv()).isEmpty();
    assertThat(cause.getRemediation()).startsWith("# look next at nstat");
  }

  @Test
  void aTrickleBelowOnePercentOrTenPacketsIsNotReal() {
    Map<String, Long> share = Map.of("Ip.InDiscards", 50L, "Ip.InReceives", 100_000L);
    Map<String, Long> few = Map.of("Ip.InDiscards", 9L, "Ip.InReceives", 100L);

    assertThat(judgeWeb(share)).isEmpty();
    assertThat(judgeWeb(few)).isEmpty();
  }

  @Test
  void aNamespaceWhereASpecificRuleNamedACauseStaysSilent() {
    assertThat(
            judgeWeb(
                Map.of(
                    "TcpExt.ListenDrops", 50L,
                    "TcpExt.ListenOverflows", 45L,
                    "Ip.InDiscards", 300L,
                    "Ip.InReceives", 2_000L)))
        .isEmpty();
  }

  @Test
  void aVethWhosePeerAnotherNamespaceBlamesForAnMtuMismatchIsExplained() {
    HostWindow w =
        Windows.of(
            "h",
            f.interfaces(
                "",
                loopback().build(),
                iface("veth1")
                    .setIfindex(9)
                    .setPeerIfindex(3)
                    .setLinkType("veth")
                    .setTxDropped(300L)
                    .setTxPackets(500L)
                    .build()),
            f.interfaces(
                "pod",
                iface("eth0")
                    .setIfindex(3)
                    .setPeerIfindex(9)
                    .setLinkType("veth")
                    .setMtu(100)
                    .setRxDropped(300L)
                    .setRxPackets(200L)
                    .build()));

    assertThat(judge("", w)).isEmpty();
    assertThat(new MtuMismatchRule().evaluate(w.netns("pod").orElseThrow())).isNotEmpty();
  }

  @Test
  void unroutedPacketsTakenOutOfTheListenDropsAreNamedInTheEvidence() {
    // Below ROUTE_UNREACHABLE's bar, so no specific cause silences the rule.
    RootCause cause =
        judgeWeb(
                Map.of(
                    "TcpExt.ListenDrops", 50L,
                    "TcpExt.ListenOverflows", 0L,
                    "Ip.OutNoRoutes", 8L,
                    "Ip.InReceives", 1_000L))
            .get(0);
    assertThat(cause.getEvidence())
        .containsEntry("droppedPackets", 42L)
        .containsEntry("listenDropsTakenOutAsNoRoute", 8L)
        .containsEntry("Ip.OutNoRoutes", 8L);
  }

  @Test
  void ipv6NoRoutesOfAnIpv4OnlyNamespaceDoNotHideListenDrops() {
    HostWindow window =
        Windows.of(
            "h",
            f.protocol(
                "web",
                Map.of(
                    "TcpExt.ListenDrops", 50L,
                    "Ip6.OutNoRoutes", 50L,
                    "Ip.InReceives", 2_000L)),
            f.routes("web", true, List.of(), List.of()),
            f.interfaces(
                "web",
                loopback().build(),
                iface("eth0")
                    .setIfindex(2)
                    .setAddresses(new java.util.ArrayList<>(List.of("10.0.0.2/24")))
                    .build()));

    RootCause cause = judge("web", window).get(0);
    assertThat(cause.getEvidence())
        .containsEntry("droppedPackets", 50L)
        .doesNotContainKey("listenDropsTakenOutAsNoRoute");
  }
}
