package dev.culprit.collector.platform.netlink;

/**
 * One RTM_NEWQDISC message.
 *
 * @param ifindex the device
 * @param handle {@code tcm_handle} (major in the upper 16 bits)
 * @param parent {@code tcm_parent}: TC_H_ROOT (0xffffffff) for a root qdisc, a class id otherwise
 * @param kind TCA_KIND
 * @param options a copy of TCA_OPTIONS, or null when the kernel sent none
 * @param stats the counters, from TCA_STATS2 or else the old TCA_STATS; null when neither came
 */
public record NlQdisc(
    int ifindex, long handle, long parent, String kind, byte[] options, Stats stats) {

  public static final long TC_H_ROOT = 0xffffffffL;

  /**
   * Qdisc counters (struct gnet_stats_basic + gnet_stats_queue, or struct tc_stats).
   *
   * @param bytes bytes sent
   * @param packets packets sent (TCA_STATS_PKT64 when the kernel sends it, else the u32)
   * @param drops packets dropped
   * @param overlimits times over limit
   * @param requeues requeues
   * @param backlogBytes bytes queued now
   * @param qlen packets queued now
   */
  public record Stats(
      Long bytes,
      Long packets,
      Long drops,
      Long overlimits,
      Long requeues,
      Long backlogBytes,
      Long qlen) {}
}
