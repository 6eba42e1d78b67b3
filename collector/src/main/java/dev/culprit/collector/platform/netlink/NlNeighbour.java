package dev.culprit.collector.platform.netlink;

/**
 * One RTM_NEWNEIGH message.
 *
 * @param family AF_INET (ARP) or AF_INET6 (NDISC)
 * @param ifindex {@code ndm_ifindex}
 * @param state {@code ndm_state}, NUD_* bits
 * @param address NDA_DST (4 or 16 bytes)
 * @param usedAgoMs NDA_CACHEINFO {@code ndm_used} in ms, or null
 * @param updatedAgoMs NDA_CACHEINFO {@code ndm_updated} in ms, or null
 * @param probes NDA_PROBES, or null
 */
public record NlNeighbour(
    int family,
    int ifindex,
    int state,
    byte[] address,
    Long usedAgoMs,
    Long updatedAgoMs,
    Long probes) {

  /** Whether packets for it wait (INCOMPLETE) or are dropped (FAILED). */
  public boolean unresolved() {
    return unresolved(state);
  }

  /** Whether {@code state} is INCOMPLETE or FAILED. */
  public static boolean unresolved(int state) {
    return (state & (Rtnl.NUD_INCOMPLETE | Rtnl.NUD_FAILED)) != 0;
  }

  /** ip neigh's name for the state: FAILED or INCOMPLETE for unresolved ones. */
  public String stateName() {
    if ((state & Rtnl.NUD_FAILED) != 0) {
      return "FAILED";
    }
    if ((state & Rtnl.NUD_INCOMPLETE) != 0) {
      return "INCOMPLETE";
    }
    return "0x" + Integer.toHexString(state);
  }
}
