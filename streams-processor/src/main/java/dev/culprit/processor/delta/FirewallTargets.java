package dev.culprit.processor.delta;

/** What a firewall rule's target does with a packet, in iptables or nft spelling (any case). */
public final class FirewallTargets {

  private FirewallTargets() {}

  /** ACCEPT, DROP or REJECT: the rule decides the packet's fate. */
  public static boolean isDeciding(String target) {
    return target != null && (target.equalsIgnoreCase("ACCEPT") || isDropping(target));
  }

  /** DROP or REJECT: the packet is lost. */
  public static boolean isDropping(String target) {
    return target != null && (target.equalsIgnoreCase("DROP") || target.equalsIgnoreCase("REJECT"));
  }
}
