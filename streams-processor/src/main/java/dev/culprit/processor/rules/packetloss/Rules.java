package dev.culprit.processor.rules.packetloss;

import java.util.List;
import java.util.function.Function;

/** The registry of rules. Adding a rule: its class, its tests, two scenarios and one line here. */
public final class Rules {

  /** Every packet-loss rule, built from the thresholds. */
  public static final List<Function<PacketLossThresholds, PacketLossRule>> PACKET_LOSS =
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
          SoftnetBacklogDropRule::new);

  private Rules() {}

  /** The packet-loss rules for these thresholds, in registry order. */
  public static List<PacketLossRule> packetLoss(PacketLossThresholds thresholds) {
    return PACKET_LOSS.stream().map(f -> f.apply(thresholds)).toList();
  }
}
