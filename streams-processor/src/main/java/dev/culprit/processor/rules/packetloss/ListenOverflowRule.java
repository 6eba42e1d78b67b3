package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.rules.packetloss.Deltas.value;

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
 * LISTEN_OVERFLOW: a TCP listener's queues overflowed, so incoming connections were dropped.
 *
 * <p>Specific evidence, either of: {@code TcpExt.ListenOverflows}, counted only when a handshake
 * completes (or a SYN arrives) while the accept queue is full (the application accepts too slowly
 * or its backlog is too small); {@code TcpExt.TCPReqQFullDrop}, counted only when a SYN is dropped
 * because the SYN queue is full and SYN cookies are off. Corroborating only: {@code
 * TcpExt.ListenDrops}, which the kernel ({@code tcp_listendrop()}) counts for every SYN or ACK
 * dropped on the listen path for any reason (no memory, a failed route or child socket, security
 * hooks, overflows included), so ListenDrops without either specific counter never names this
 * cause: raising a backlog that was never full fixes nothing.
 */
final class ListenOverflowRule implements PacketLossRule {

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    long overflows = value(window.protocol(ProtocolCounter.LISTEN_OVERFLOWS));
    long synQueueFull = value(window.protocol(ProtocolCounter.TCP_REQ_Q_FULL_DROP));
    if (overflows <= 0 && synQueueFull <= 0) {
      return List.of();
    }
    long drops = value(window.protocol(ProtocolCounter.LISTEN_DROPS));
    long lost = Math.max(overflows + synQueueFull, drops);
    long intervalMs = window.deltaMs(SampleKinds.PROTOCOL);
    List<String> reasons = new ArrayList<>();
    if (overflows > 0) {
      reasons.add(
          overflows
              + " because an accept queue was full (ListenOverflows): the application accepts"
              + " too slowly or its listen backlog is too small");
    }
    if (synQueueFull > 0) {
      reasons.add(
          synQueueFull
              + " SYNs because a SYN queue was full without SYN cookies (TCPReqQFullDrop)");
    }
    String why = String.join("; ", reasons);
    return List.of(
        CauseBuilder.of(window, Cause.LISTEN_OVERFLOW, Layer.TRANSPORT, "TCP listen queues")
            .evidence(
                window,
                List.of(
                    ProtocolCounter.LISTEN_OVERFLOWS,
                    ProtocolCounter.LISTEN_DROPS,
                    ProtocolCounter.TCP_REQ_Q_FULL_DROP))
            .evidence("intervalMs", intervalMs)
            .confidence(0.9)
            .summary(
                String.format(
                    Locale.ROOT,
                    "TCP listeners in %s dropped %d incoming connections in %s, %s.",
                    window.label(),
                    lost,
                    Fmt.seconds(intervalMs),
                    why))
            .fix(
                Fixes.sysctl(
                    Fixes.of(window),
                    List.of("net.core.somaxconn=4096", "net.ipv4.tcp_max_syn_backlog=4096"),
                    "and raise the application's listen() backlog; ss -ltn: Recv-Q reaching"
                        + " Send-Q shows the socket"))
            .build());
  }
}
