package dev.culprit.collector.platform.netlink;

/**
 * One RTM_NEWLINK message: a link as the kernel describes it.
 *
 * @param ifindex interface index
 * @param arphrdType {@code ifi_type}, the ARPHRD_* hardware type
 * @param name IFLA_IFNAME
 * @param mtu IFLA_MTU, or null
 * @param link IFLA_LINK (the veth peer's or lower device's index), or null when the kernel left it
 *     out because it equals ifindex
 * @param operState IFLA_OPERSTATE (RFC 2863: 0 unknown … 6 up), or null
 * @param kind IFLA_LINKINFO/IFLA_INFO_KIND (veth, bridge, vlan, …), or null
 * @param stats the {@code struct rtnl_link_stats64} counters in kernel order (see {@link
 *     LinkStats}), as many as this kernel sends; from the 32-bit IFLA_STATS when IFLA_STATS64 is
 *     missing; null when neither was sent
 */
public record NlLink(
    int ifindex,
    int arphrdType,
    String name,
    Integer mtu,
    Integer link,
    Integer operState,
    String kind,
    long[] stats) {}
