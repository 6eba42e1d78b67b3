package dev.culprit.collector.platform.netlink;

/**
 * One RTM_NEWADDR message.
 *
 * @param ifindex the interface it is on
 * @param family AF_INET (2) or AF_INET6 (10)
 * @param address IFA_LOCAL, or IFA_ADDRESS when there is no IFA_LOCAL (IPv6), as {@code ip} shows
 *     it: 4 or 16 bytes, network order
 * @param prefixLength {@code ifa_prefixlen}
 */
public record NlAddress(int ifindex, int family, byte[] address, int prefixLength) {}
