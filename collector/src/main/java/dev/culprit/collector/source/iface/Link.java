package dev.culprit.collector.source.iface;

import java.util.List;
import java.util.Map;

/**
 * What one interface looks like apart from the {@code /proc/net/dev} counters: read from sysfs for
 * the collector's own namespace, from {@code ip -j} elsewhere. Any field may be null when it could
 * not be read.
 *
 * @param name interface name
 * @param ifindex interface index
 * @param iflink index of the veth peer (in the peer's namespace) or of the lower device; equal to
 *     ifindex for a device without one, as sysfs reports it
 * @param linkType the link kind when known (veth, bridge, vlan), else the hardware type (ether,
 *     loopback, none)
 * @param operState operational state, lower case (up, down, unknown, lowerlayerdown)
 * @param mtu MTU in bytes
 * @param addresses addresses in CIDR form; empty when none or unknown
 * @param extra counters beyond /proc/net/dev, by sysfs statistics name (rx_missed_errors,
 *     rx_over_errors, rx_length_errors, rx_crc_errors, and the 16 base ones when no /proc/net/dev
 *     line exists for the device); absent means unread
 */
public record Link(
    String name,
    Integer ifindex,
    Integer iflink,
    String linkType,
    String operState,
    Integer mtu,
    List<String> addresses,
    Map<String, Long> extra) {}
