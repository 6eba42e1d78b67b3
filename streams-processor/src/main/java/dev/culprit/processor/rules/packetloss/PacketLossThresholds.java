package dev.culprit.processor.rules.packetloss;

/**
 * The judgement calls of the packet-loss rules, in one place so they are visible and tunable.
 *
 * @param firewallSelectiveMinShare a DROP/REJECT rule with selective matches (addresses, ports,
 *     states) or a DROP chain policy is a cause only when it drops at least this share (0..1) of
 *     the packets its chain decided on in the window: a default-deny firewall dropping a trickle of
 *     scans is working as intended. An unconditional or random-drop rule is always a cause.
 * @param qdiscMinDropShare a qdisc without a configured loss is a cause only when its drops are at
 *     least this share (0..1) of the packets it handled (sent + dropped): an AQM qdisc shedding a
 *     few packets under a burst is doing its job.
 * @param backlogMinDropShare a CPU's input-backlog drops ({@code softnet_stat} dropped) are a cause
 *     only when they are at least this share (0..1) of the packets handed to that CPU (processed +
 *     dropped), the qdisc's notion of a real loss: a backlog briefly full under a burst is the
 *     bound doing its job.
 * @param conntrackNearFull count / max at or above which the conntrack table counts as full
 * @param conntrackMinFillWithDrops with drop/early_drop/insert_failed rising, the table must be at
 *     least this full (count / max) to blame it: those counters also rise from insertion races on
 *     an almost empty table, which a bigger table would not fix
 */
public record PacketLossThresholds(
    double firewallSelectiveMinShare,
    double qdiscMinDropShare,
    double backlogMinDropShare,
    double conntrackNearFull,
    double conntrackMinFillWithDrops) {

  public PacketLossThresholds {
    requireShare("firewallSelectiveMinShare", firewallSelectiveMinShare);
    requireShare("qdiscMinDropShare", qdiscMinDropShare);
    requireShare("backlogMinDropShare", backlogMinDropShare);
    requireShare("conntrackNearFull", conntrackNearFull);
    requireShare("conntrackMinFillWithDrops", conntrackMinFillWithDrops);
    if (conntrackMinFillWithDrops > conntrackNearFull) {
      throw new IllegalArgumentException(
          "conntrackMinFillWithDrops must not exceed conntrackNearFull");
    }
  }

  /**
   * 5 % of a chain, 1 % of a qdisc or a CPU's backlog, conntrack full at 90 %, blamed for drops
   * from 50 %.
   */
  public static PacketLossThresholds defaults() {
    return new PacketLossThresholds(0.05, 0.01, 0.01, 0.9, 0.5);
  }

  private static void requireShare(String name, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be within 0..1, got " + value);
    }
  }
}
