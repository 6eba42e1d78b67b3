package dev.culprit.processor.delta;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The protocol counters the processor reads, by the kernel's own names ({@code <group>.<name>} as
 * in {@code /proc/net/snmp} and {@code /proc/net/netstat}). The delta step keeps only these: a
 * namespace reports some 300 counters, and state, changelogs and windows would otherwise carry them
 * all. A rule that needs another counter adds it here.
 */
public enum ProtocolCounter {
  // Symptoms: what a user notices when packets are lost.
  TCP_RETRANS_SEGS("Tcp.RetransSegs", true),
  TCP_SYN_RETRANS("TcpExt.TCPSynRetrans", true),
  TCP_EMBRYONIC_RSTS("TcpExt.EmbryonicRsts", true),
  TCP_TIMEOUTS("TcpExt.TCPTimeouts", true),
  TCP_ATTEMPT_FAILS("Tcp.AttemptFails", true),
  // Listen queues: accept queue full (overflows) and every SYN dropped at a listener (drops).
  LISTEN_OVERFLOWS("TcpExt.ListenOverflows", false),
  LISTEN_DROPS("TcpExt.ListenDrops", false),
  TCP_REQ_Q_FULL_DROP("TcpExt.TCPReqQFullDrop", false),
  // Socket receive buffers.
  UDP_IN_DATAGRAMS("Udp.InDatagrams", false),
  UDP_RCVBUF_ERRORS("Udp.RcvbufErrors", false),
  UDP6_RCVBUF_ERRORS("Udp6.RcvbufErrors", false),
  // Every datagram UDP refused (full buffers, checksums, socket filters): drops of no one reason.
  UDP_IN_ERRORS("Udp.InErrors", false),
  TCP_RCVQ_DROP("TcpExt.TCPRcvQDrop", false),
  TCP_BACKLOG_DROP("TcpExt.TCPBacklogDrop", false),
  TCP_OFO_DROP("TcpExt.TCPOFODrop", false),
  TCP_RCV_PRUNED("TcpExt.RcvPruned", false),
  // Reverse-path filtering (rp_filter): packets whose route back leaves by another interface.
  IP_REVERSE_PATH_FILTER("TcpExt.IPReversePathFilter", false),
  // Routing: packets the namespace could not route, sent (Out) or received to forward (In; IPv4
  // counts it in IpExt). Each is raised only where a route lookup failed (RouteUnreachableRule).
  IP_OUT_NO_ROUTES("Ip.OutNoRoutes", false),
  IP_IN_NO_ROUTES("IpExt.InNoRoutes", false),
  IP6_OUT_NO_ROUTES("Ip6.OutNoRoutes", false),
  IP6_IN_NO_ROUTES("Ip6.InNoRoutes", false),
  // IP traffic of the namespace: what a firewall chain without counters of its own saw at most.
  IP_IN_RECEIVES("Ip.InReceives", false),
  // Received datagrams IP discarded though nothing was wrong with them (no memory, ...).
  IP_IN_DISCARDS("Ip.InDiscards", false),
  IP_OUT_REQUESTS("Ip.OutRequests", false),
  IP_FORW_DATAGRAMS("Ip.ForwDatagrams", false),
  IP6_IN_RECEIVES("Ip6.InReceives", false),
  IP6_OUT_REQUESTS("Ip6.OutRequests", false),
  IP6_OUT_FORW_DATAGRAMS("Ip6.OutForwDatagrams", false);

  private static final Map<String, ProtocolCounter> BY_NAME =
      Arrays.stream(values())
          .collect(Collectors.toUnmodifiableMap(ProtocolCounter::kernelName, Function.identity()));

  private final String kernelName;
  private final boolean symptom;

  ProtocolCounter(String kernelName, boolean symptom) {
    this.kernelName = kernelName;
    this.symptom = symptom;
  }

  /** The name as the protocol sample's counters map keys it. */
  public String kernelName() {
    return kernelName;
  }

  /** Whether it is reported as a symptom with every packet-loss cause. */
  public boolean symptom() {
    return symptom;
  }

  /** Whether the processor keeps a counter of that name. */
  public static boolean isKept(String kernelName) {
    return BY_NAME.containsKey(kernelName);
  }
}
