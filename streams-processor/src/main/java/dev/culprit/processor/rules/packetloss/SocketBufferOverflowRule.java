package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SOCKET_BUFFER_OVERFLOW: packets reached a socket whose receive buffer was full. UDP counts them
 * in {@code RcvbufErrors}; TCP in {@code TCPRcvQDrop} (receive queue), {@code TCPBacklogDrop}
 * (backlog while the socket was busy), {@code TCPOFODrop} (out-of-order queue) and {@code
 * RcvPruned} (queue pruned under memory pressure). One event per protocol, since the fixes differ.
 *
 * <p>Specific evidence: each of these counters is raised only where a receive buffer or the
 * socket's memory accounting refused the packet ({@code __udp_queue_rcv_skb} on {@code -ENOMEM};
 * {@code tcp_data_queue}, {@code tcp_data_queue_ofo}, {@code tcp_add_backlog}, {@code
 * tcp_prune_queue}). Not used, because they are supersets: {@code Udp.InErrors}, which also counts
 * checksum errors, failed socket filters and every other bad datagram; TCP retransmits, which any
 * loss on the path causes.
 */
final class SocketBufferOverflowRule implements PacketLossRule {

  private static final List<ProtocolCounter> UDP =
      List.of(ProtocolCounter.UDP_RCVBUF_ERRORS, ProtocolCounter.UDP6_RCVBUF_ERRORS);
  private static final List<ProtocolCounter> TCP =
      List.of(
          ProtocolCounter.TCP_RCVQ_DROP,
          ProtocolCounter.TCP_BACKLOG_DROP,
          ProtocolCounter.TCP_OFO_DROP,
          ProtocolCounter.TCP_RCV_PRUNED);

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<RootCause> causes = new ArrayList<>();
    long intervalMs = window.deltaMs(SampleKinds.PROTOCOL);
    long udp = sum(window, UDP);
    if (udp > 0) {
      Long received = window.protocol(ProtocolCounter.UDP_IN_DATAGRAMS);
      causes.add(
          CauseBuilder.of(
                  window, Cause.SOCKET_BUFFER_OVERFLOW, Layer.SOCKET, "UDP socket receive buffers")
              .evidence(window, UDP)
              .evidence(ProtocolCounter.UDP_IN_DATAGRAMS.kernelName(), received)
              .evidence("intervalMs", intervalMs)
              .confidence(0.9)
              .summary(
                  String.format(
                      Locale.ROOT,
                      "UDP sockets in %s dropped %d datagrams in %s because their receive buffer"
                          + " was full (RcvbufErrors)%s.",
                      window.label(),
                      udp,
                      Fmt.seconds(intervalMs),
                      received == null ? "" : ", while " + received + " were delivered"))
              .fix(
                  Fixes.sysctl(
                      Fixes.of(window),
                      List.of("net.core.rmem_max=26214400", "net.core.rmem_default=26214400"),
                      "and raise SO_RCVBUF in the application, or make it read faster"))
              .build());
    }
    long tcp = sum(window, TCP);
    if (tcp > 0) {
      causes.add(
          CauseBuilder.of(
                  window, Cause.SOCKET_BUFFER_OVERFLOW, Layer.SOCKET, "TCP socket receive buffers")
              .evidence(window, TCP)
              .evidence("intervalMs", intervalMs)
              .confidence(0.85)
              .summary(
                  String.format(
                      Locale.ROOT,
                      "TCP sockets in %s dropped %d segments in %s because a receive queue or"
                          + " socket backlog was full (%s).",
                      window.label(),
                      tcp,
                      Fmt.seconds(intervalMs),
                      Fmt.counters(
                          "TCPRcvQDrop",
                          window.protocol(ProtocolCounter.TCP_RCVQ_DROP),
                          "TCPBacklogDrop",
                          window.protocol(ProtocolCounter.TCP_BACKLOG_DROP),
                          "TCPOFODrop",
                          window.protocol(ProtocolCounter.TCP_OFO_DROP),
                          "RcvPruned",
                          window.protocol(ProtocolCounter.TCP_RCV_PRUNED))))
              .fix(
                  Fixes.sysctl(
                      Fixes.of(window),
                      List.of(
                          "net.core.rmem_max=16777216", "net.ipv4.tcp_rmem=4096 131072 16777216"),
                      "and make the application read faster"))
              .build());
    }
    return causes;
  }

  private static long sum(NetnsWindow window, List<ProtocolCounter> counters) {
    long total = 0;
    for (ProtocolCounter c : counters) {
      Long delta = window.protocol(c);
      if (delta != null && delta > 0) {
        total += delta;
      }
    }
    return total;
  }
}
