package dev.culprit.processor.rules.packetloss;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/** The registry of rules. Adding a rule: its class, its tests, two scenarios and one line here. */
public final class Rules {

  /** The rules that name a cause from counters specific to it, built from the thresholds. */
  private static final List<Function<PacketLossThresholds, PacketLossRule>> SPECIFIC =
      List.of(
          FirewallDropRule::new,
          QdiscLossRule::new,
          t -> new MtuMismatchRule(),
          t -> new NicRingOverflowRule(),
          t -> new NicRxErrorsRule(),
          ConntrackTableFullRule::new,
          t -> new ListenOverflowRule(),
          t -> new SocketBufferOverflowRule(),
          t -> new ReversePathFilterRule(),
          SoftnetBacklogDropRule::new,
          t -> new RouteUnreachableRule(),
          t -> new NeighbourUnresolvedRule());

  /** Every packet-loss rule: the specific ones, then what none of them explains. */
  public static final List<Function<PacketLossThresholds, PacketLossRule>> PACKET_LOSS =
      Stream.concat(
              SPECIFIC.stream(),
              Stream.<Function<PacketLossThresholds, PacketLossRule>>of(
                  t -> new UnexplainedDropsRule(specific(t))))
          .toList();

  private Rules() {}

  /** The specific rules for these thresholds, in registry order. */
  static List<PacketLossRule> specific(PacketLossThresholds thresholds) {
    return SPECIFIC.stream().map(f -> f.apply(thresholds)).toList();
  }

  /** The packet-loss rules for these thresholds, in registry order. */
  public static List<PacketLossRule> packetLoss(PacketLossThresholds thresholds) {
    return PACKET_LOSS.stream().map(f -> f.apply(thresholds)).toList();
  }
}
