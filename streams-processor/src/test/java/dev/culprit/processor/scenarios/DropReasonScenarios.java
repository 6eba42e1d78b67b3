package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.reason;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.WebHost.HOST;
import static dev.culprit.processor.scenarios.WebHost.POD;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.DropReasonCount;
import dev.culprit.schemas.FirewallRule;
import java.util.List;
import java.util.Map;

/**
 * The kernel's own drop reasons ({@code --drop-reasons}) quoted in the causes they may explain.
 * Each scenario is {@code firewall-iptables-nft-random-drop-without-policy-counters} (the lab's
 * random DROP as iptables-nft reports it) with the host's drop-reason samples added: where
 * NETFILTER_DROP rose, the event quotes it; where only other reasons rose, the event is that
 * scenario's byte for byte; and the reasons alone never make an event.
 */
final class DropReasonScenarios {

  private DropReasonScenarios() {}

  static List<Scenario> all() {
    return List.of(
        firewall(
            "kernel-drop-reasons-quoted-in-a-firewall-drop",
            "the firewall's random DROP with the host's drop reasons: 900 drops, 380 of them read,"
                + " 360 NETFILTER_DROP: the event quotes about 853 NETFILTER_DROP, host-wide",
            c ->
                new DropReasonCount[] {
                  reason("NETFILTER_DROP", 100 + c * 360, 250 + c * 853),
                  reason("NO_SOCKET", 10 + c * 20, 25 + c * 47)
                },
            1_000 + 900,
            400 + 380,
            true),
        firewall(
            "kernel-drop-reasons-of-other-causes-leave-a-firewall-drop-as-it-was",
            "the same DROP while the kernel reported only QDISC_DROP rising (NETFILTER_DROP flat):"
                + " the event is the one without drop reasons, byte for byte",
            c ->
                new DropReasonCount[] {
                  reason("NETFILTER_DROP", 100, 250), reason("QDISC_DROP", c * 40, c * 40)
                },
            1_000 + 40,
            400 + 40,
            true),
        firewall(
            "kernel-drop-reasons-alone-are-no-cause",
            "NETFILTER_DROP rises on the host while no namespace's counters show a drop (the"
                + " firewall rule's counter is flat): no event, the reasons only corroborate",
            c -> new DropReasonCount[] {reason("NETFILTER_DROP", c * 300, c * 300)},
            300,
            300,
            false));
  }

  @FunctionalInterface
  private interface Reasons {
    DropReasonCount[] at(int cycle);
  }

  private static Scenario firewall(
      String name, String why, Reasons reasons, long drops1, long sampled1, boolean dropping) {
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (TopologyHarness h, SampleFactory f, int c) -> {
          h.pipe(f.protocol(POD, Map.of("Ip.InReceives", 5_000L + c * 300)));
          FirewallRule rule =
              FirewallRule.newBuilder(
                      rule(
                          "INPUT",
                          1,
                          "DROP",
                          "-A INPUT -m statistic --mode random --probability 0.30000000004 -j DROP",
                          dropping ? c * 90L : 0L,
                          0))
                  .setBackend("iptables-nft")
                  .setFamily("ipv4")
                  .setTable("filter")
                  .setStatisticMode("random")
                  .setStatisticProbability(0.3)
                  .build();
          ChainPolicy policy =
              ChainPolicy.newBuilder(policy("INPUT", "ACCEPT", 0, 0))
                  .setBackend("iptables-nft")
                  .setFamily("ipv4")
                  .setTable("filter")
                  .setPackets(null)
                  .setBytes(null)
                  .build();
          h.pipe(f.filter(POD, List.of(rule), List.of(policy)));
          h.pipe(f.dropReasons(c == 0 ? 1_000 : drops1, c == 0 ? 400 : sampled1, reasons.at(c)));
        });
  }
}
