package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.rules.packetloss.Deltas.value;

import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.QdiscStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The counters that count dropped packets without saying why, read from one namespace's window:
 * what {@link UnexplainedDropsRule} judges once every specific rule has passed. Each drop carries
 * the traffic it is a share of, the rules that read the same counter and why they did not claim it,
 * and where to look next.
 *
 * <p>The counters, and why none of them names a cause on its own:
 *
 * <ul>
 *   <li>a device's {@code rx_dropped} (unless its veth peer's tx_dropped rose too: a refused
 *       frame): the stack also raises it for unknown protocols, a full backlog, a veth peer
 *       refusing a frame, and more;
 *   <li>a device's {@code tx_dropped}: a veth whose peer is down or refused the frame, a driver
 *       without room;
 *   <li>a device's {@code rx_errors} beyond its length, over, CRC, frame, fifo and missed errors:
 *       the driver's own error kinds;
 *   <li>{@code TcpExt.ListenDrops} beyond {@code ListenOverflows}, {@code TCPReqQFullDrop} and the
 *       namespace's {@code OutNoRoutes} (a SYN-ACK with no route back counts in both): SYNs and
 *       ACKs dropped at a listener for any other reason (memory, routes, security hooks);
 *   <li>{@code Udp.InErrors} beyond {@code Udp.RcvbufErrors}: checksum errors, socket filters, bad
 *       datagrams;
 *   <li>{@code Ip.InDiscards}: good datagrams IP discarded (no memory, ...);
 *   <li>the drops of an AQM qdisc (fq_codel, ...), early drops and overflows in one counter.
 * </ul>
 */
final class DropCounters {

  private DropCounters() {}

  /**
   * Dropped packets counted in one place.
   *
   * @param place where (a device, a qdisc, "TCP listeners"): the event's location
   * @param device the device that counted them; null for drops of the stack
   * @param layer the stack layer of that place
   * @param counters the counters read, by name, with their deltas (null: unknown)
   * @param dropped the drops no specific counter explains
   * @param traffic the packets they are a share of, or null when unknown
   * @param trafficName what {@code traffic} counts
   * @param ruledOut per rule that read these counters, why it did not claim them
   * @param next what to look at next
   */
  record Drop(
      String place,
      String device,
      Layer layer,
      Map<String, Long> counters,
      long dropped,
      Long traffic,
      String trafficName,
      Map<String, String> ruledOut,
      String next) {

    /** The drops' share of the traffic, 0..1, or null when the traffic is unknown. */
    Double share() {
      return traffic == null ? null : dropped / (double) Math.max(traffic, dropped);
    }
  }

  /** Every place of the window whose unexplained drops rose, in a stable order. */
  static List<Drop> of(NetnsWindow window) {
    List<Drop> drops = new ArrayList<>();
    for (InterfaceStats d : Peers.nonLoopback(window)) {
      device(window, d, drops);
    }
    protocol(window, drops);
    for (QdiscStats q : window.qdiscs()) {
      if (QdiscLossRule.AQM_KINDS.contains(q.getKind()) && value(q.getDrops()) > 0) {
        drops.add(
            new Drop(
                q.getDevice() + " " + q.getKind() + " " + q.getHandle(),
                null,
                Layer.QDISC,
                Map.of("drops", q.getDrops()),
                q.getDrops(),
                q.getPackets() == null ? null : q.getPackets() + q.getDrops(),
                "packets handled (sent + dropped)",
                Map.of(
                    "QDISC_LOSS",
                    "an AQM's drops are its congestion signal and overflows in one counter, so"
                        + " they never name the qdisc"),
                "tc -s qdisc show dev "
                    + q.getDevice()
                    + " (drop_overlimit vs. dropped: a too small limit or a congested link), and"
                    + " whether the link is saturated"));
      }
    }
    return drops;
  }

  private static void device(NetnsWindow window, InterfaceStats d, List<Drop> drops) {
    String name = d.getName();
    // A frame a veth refuses for its size (is_skb_forwardable) counts on both ends, the receiver's
    // rx_dropped and the sender's tx_dropped: an MTU's signature even in the window in which the
    // MTU
    // was set right again, when the MTU rule no longer sees two sizes. Not unexplained.
    Optional<InterfaceStats> peer = Peers.vethPeer(window, d).map(Peers.Peer::iface);
    boolean peerSent = peer.map(p -> value(p.getTxDropped()) > 0).orElse(false);
    boolean peerRefused = peer.map(p -> value(p.getRxDropped()) > 0).orElse(false);
    Long rxPackets = d.getRxPackets();
    String look =
        "ip -s -s link show dev "
            + name
            + ", ethtool -S "
            + name
            + ", and where the kernel frees the packets: perf record -e skb:kfree_skb (drop reasons"
            + " since Linux 5.17) or dropwatch";
    long rxDropped = value(d.getRxDropped());
    if (rxDropped > 0 && !peerSent) {
      drops.add(
          new Drop(
              name,
              name,
              Layer.LINK,
              Map.of("rxDropped", rxDropped),
              rxDropped,
              rxPackets == null ? null : rxPackets + rxDropped,
              "packets received (delivered + dropped)",
              Map.of(
                  "MTU_MISMATCH",
                  "no rx_length_errors, and no sender with a larger MTU counted a refused frame"
                      + " (tx_dropped)",
                  "NIC_RING_OVERFLOW",
                  "rx_fifo and rx_missed_errors flat"),
              look + "; rx_dropped also counts unknown protocols (IPv6 off, LLDP)"));
    }
    long txDropped = value(d.getTxDropped());
    if (txDropped > 0 && !peerRefused) {
      Long txPackets = d.getTxPackets();
      drops.add(
          new Drop(
              name + " transmit",
              name,
              Layer.LINK,
              Map.of("txDropped", txDropped),
              txDropped,
              txPackets == null ? null : txPackets + txDropped,
              "packets sent (sent + dropped)",
              Map.of(
                  "MTU_MISMATCH",
                  "no receiving device with a smaller MTU counted the frames",
                  "QDISC_LOSS",
                  "no qdisc of the device counted drops of its own"),
              look + "; a veth drops on transmit when its peer is down"));
    }
    long errors =
        value(d.getRxErrors())
            - value(d.getRxLengthErrors())
            - value(d.getRxOverErrors())
            - value(d.getRxCrcErrors())
            - value(d.getRxFifo())
            - value(d.getRxMissedErrors());
    if (errors > 0) {
      drops.add(
          new Drop(
              name + " receive errors",
              name,
              Layer.LINK,
              Map.of("rxErrors", d.getRxErrors()),
              errors,
              rxPackets == null ? null : rxPackets + errors,
              "frames received (good + bad)",
              Map.of(
                  "NIC_RX_ERRORS", "rx_crc_errors and alignment (frame) errors flat",
                  "NIC_RING_OVERFLOW", "rx_fifo and rx_missed_errors flat",
                  "MTU_MISMATCH", "rx_length_errors flat"),
              look + "; the driver's own error counters name the kind"));
    }
  }

  private static void protocol(NetnsWindow w, List<Drop> drops) {
    long listen =
        value(w.protocol(ProtocolCounter.LISTEN_DROPS))
            - value(w.protocol(ProtocolCounter.LISTEN_OVERFLOWS))
            - value(w.protocol(ProtocolCounter.TCP_REQ_Q_FULL_DROP));
    // A SYN whose SYN-ACK has no route back counts once in each (inet_csk_route_req): those are
    // ROUTE_UNREACHABLE's, judged by its own bar, never unexplained. Other unrouted packets count
    // in OutNoRoutes only, so the counts cannot be told apart: at most the listen drops are taken
    // out, the evidence says how many, and an IPv4-only namespace's Ip6.OutNoRoutes (applications
    // trying IPv6 first) are not taken at all.
    long noRoutes =
        Math.max(0, value(w.protocol(ProtocolCounter.IP_OUT_NO_ROUTES)))
            + (RouteUnreachableRule.ipv6Capable(w)
                ? Math.max(0, value(w.protocol(ProtocolCounter.IP6_OUT_NO_ROUTES)))
                : 0);
    long takenOut = Math.min(noRoutes, Math.max(0, listen));
    long listenDrops = listen - takenOut;
    Long received = w.protocol(ProtocolCounter.IP_IN_RECEIVES);
    if (listenDrops > 0) {
      drops.add(
          new Drop(
              "TCP listeners",
              null,
              Layer.TRANSPORT,
              counters(
                  w,
                  ProtocolCounter.LISTEN_DROPS,
                  ProtocolCounter.LISTEN_OVERFLOWS,
                  ProtocolCounter.TCP_REQ_Q_FULL_DROP,
                  ProtocolCounter.IP_OUT_NO_ROUTES,
                  ProtocolCounter.IP6_OUT_NO_ROUTES,
                  takenOut),
              listenDrops,
              received,
              "IPv4 packets received (Ip.InReceives)",
              Map.of(
                  "LISTEN_OVERFLOW",
                  "ListenOverflows and TCPReqQFullDrop flat: no accept or SYN queue was full",
                  "ROUTE_UNREACHABLE",
                  "SYN-ACKs with no route back (Ip.OutNoRoutes, Ip6.OutNoRoutes) taken out: the"
                      + " rest had a route"),
              "nstat -az TcpExt (TCPMemoryPressures, TCPMD5*, TCPMinTTLDrop), SYNs to a closing"
                  + " listener, security modules; perf record -e skb:kfree_skb shows the reason"));
    }
    long udpErrors =
        value(w.protocol(ProtocolCounter.UDP_IN_ERRORS))
            - value(w.protocol(ProtocolCounter.UDP_RCVBUF_ERRORS));
    if (udpErrors > 0) {
      Long datagrams = w.protocol(ProtocolCounter.UDP_IN_DATAGRAMS);
      drops.add(
          new Drop(
              "UDP input",
              null,
              Layer.TRANSPORT,
              counters(
                  w,
                  ProtocolCounter.UDP_IN_ERRORS,
                  ProtocolCounter.UDP_RCVBUF_ERRORS,
                  ProtocolCounter.UDP_IN_DATAGRAMS),
              udpErrors,
              datagrams == null ? null : datagrams + udpErrors,
              "UDP datagrams received (delivered + refused)",
              Map.of("SOCKET_BUFFER_OVERFLOW", "Udp.RcvbufErrors flat: no receive buffer was full"),
              "nstat -az Udp (InCsumErrors: corrupted datagrams), socket filters (BPF, SO_ATTACH_FILTER)"
                  + " of the receiving application"));
    }
    long discards = value(w.protocol(ProtocolCounter.IP_IN_DISCARDS));
    if (discards > 0) {
      drops.add(
          new Drop(
              "IP input",
              null,
              Layer.NETWORK,
              counters(w, ProtocolCounter.IP_IN_DISCARDS, ProtocolCounter.IP_IN_RECEIVES),
              discards,
              received,
              "IPv4 packets received (Ip.InReceives)",
              Map.of(
                  "REVERSE_PATH_FILTER",
                  "rp_filter drops are counted in TcpExt.IPReversePathFilter, not here",
                  "SOCKET_BUFFER_OVERFLOW",
                  "socket buffers count their own drops"),
              "memory pressure (free -m, /proc/net/sockstat), and perf record -e skb:kfree_skb"));
    }
  }

  /** The listen drops' counters, and how many were taken out as SYN-ACKs with no route back. */
  private static Map<String, Long> counters(
      NetnsWindow w,
      ProtocolCounter listenDrops,
      ProtocolCounter overflows,
      ProtocolCounter reqQFull,
      ProtocolCounter out4,
      ProtocolCounter out6,
      long takenOut) {
    Map<String, Long> m = counters(w, listenDrops, overflows, reqQFull, out4, out6);
    m.put("listenDropsTakenOutAsNoRoute", takenOut == 0 ? null : takenOut);
    return m;
  }

  private static Map<String, Long> counters(NetnsWindow w, ProtocolCounter... counters) {
    Map<String, Long> m = new TreeMap<>();
    for (ProtocolCounter c : counters) {
      m.put(c.kernelName(), w.protocol(c));
    }
    return m;
  }

  /** The time the counters of that place cover, ms. */
  static long intervalMs(NetnsWindow w, Drop drop) {
    return switch (drop.layer()) {
      case LINK -> w.deltaMs(SampleKinds.INTERFACE);
      case QDISC -> w.deltaMs(SampleKinds.QDISC);
      default -> w.deltaMs(SampleKinds.PROTOCOL);
    };
  }
}
