package dev.culprit.collector.source.iface;

import static dev.culprit.collector.platform.netlink.LinkStats.*;

import dev.culprit.collector.platform.netlink.NlAddress;
import dev.culprit.collector.platform.netlink.NlLink;
import dev.culprit.collector.records.InterfaceStats;
import dev.culprit.collector.source.NameFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a link dump and an address dump of one namespace into interface records equal to what the
 * forking path gives ({@code /proc/net/dev} counters plus {@code ip -j -s -s -d address show}
 * attributes).
 *
 * <p>The 16 counters are computed from {@code rtnl_link_stats64} exactly as the kernel prints
 * {@code /proc/net/dev} (net/core/net-procfs.c {@code dev_seq_printf_stats}): drop = rx_dropped +
 * rx_missed_errors; frame = length + over + crc + frame errors; carrier = carrier + aborted +
 * window + heartbeat errors. Both come from the same {@code dev_get_stats} call, so on a quiet
 * namespace both paths publish identical numbers.
 */
final class NetlinkInterfaces {

  private static final String[] OPER_STATES = {
    "unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"
  };

  private NetlinkInterfaces() {}

  /** The records of the links {@code devices} lets through, in dump order (ifindex order). */
  static List<InterfaceStats> records(
      List<NlLink> links, List<NlAddress> addresses, NameFilter devices) {
    Map<Integer, List<String>> byIndex = new HashMap<>();
    for (NlAddress a : addresses) {
      byIndex
          .computeIfAbsent(a.ifindex(), k -> new ArrayList<>(2))
          .add(AddressFormat.text(a.address()) + "/" + a.prefixLength());
    }
    List<InterfaceStats> out = new ArrayList<>(links.size());
    for (NlLink link : links) {
      if (devices.test(link.name())) {
        out.add(record(link, byIndex.getOrDefault(link.ifindex(), List.of())));
      }
    }
    return out;
  }

  static InterfaceStats record(NlLink link, List<String> addresses) {
    long[] s = link.stats();
    Integer operState = link.operState();
    return InterfaceStats.newBuilder()
        .setName(link.name())
        .setIfindex(link.ifindex())
        .setPeerIfindex(link.link() != null ? link.link() : link.ifindex())
        .setLinkType(link.kind() != null ? link.kind() : ArphrdNames.name(link.arphrdType()))
        .setOperState(
            operState != null && operState < OPER_STATES.length ? OPER_STATES[operState] : null)
        .setMtu(link.mtu())
        .setAddresses(new ArrayList<>(addresses))
        .setRxBytes(get(s, RX_BYTES))
        .setRxPackets(get(s, RX_PACKETS))
        .setRxErrors(get(s, RX_ERRORS))
        .setRxDropped(sum(s, RX_DROPPED, RX_MISSED_ERRORS))
        .setRxFifo(get(s, RX_FIFO_ERRORS))
        .setRxFrame(sum(s, RX_LENGTH_ERRORS, RX_OVER_ERRORS, RX_CRC_ERRORS, RX_FRAME_ERRORS))
        .setRxCompressed(get(s, RX_COMPRESSED))
        .setRxMulticast(get(s, MULTICAST))
        .setRxMissedErrors(get(s, RX_MISSED_ERRORS))
        .setRxOverErrors(get(s, RX_OVER_ERRORS))
        .setRxLengthErrors(get(s, RX_LENGTH_ERRORS))
        .setRxCrcErrors(get(s, RX_CRC_ERRORS))
        .setTxBytes(get(s, TX_BYTES))
        .setTxPackets(get(s, TX_PACKETS))
        .setTxErrors(get(s, TX_ERRORS))
        .setTxDropped(get(s, TX_DROPPED))
        .setTxFifo(get(s, TX_FIFO_ERRORS))
        .setTxCollisions(get(s, COLLISIONS))
        .setTxCarrier(
            sum(s, TX_CARRIER_ERRORS, TX_ABORTED_ERRORS, TX_WINDOW_ERRORS, TX_HEARTBEAT_ERRORS))
        .setTxCompressed(get(s, TX_COMPRESSED))
        .build();
  }

  /** Absent, not zero, when the kernel sent no (or too short) statistics. */
  private static Long get(long[] stats, int index) {
    return stats != null && index < stats.length ? stats[index] : null;
  }

  private static Long sum(long[] stats, int... indexes) {
    long total = 0;
    for (int index : indexes) {
      Long value = get(stats, index);
      if (value == null) {
        return null;
      }
      total += value;
    }
    return total;
  }
}
