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
import java.util.List;
import java.util.Locale;

/**
 * LISTEN_OVERFLOW: TCP listeners dropped incoming connections. {@code ListenOverflows} counts
 * handshakes completed while the accept queue was full (the application accepts too slowly or its
 * backlog is too small); {@code ListenDrops} counts every SYN or ACK dropped at a listener,
 * overflows included.
 */
final class ListenOverflowRule implements PacketLossRule {

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    long overflows = value(window.protocol(ProtocolCounter.LISTEN_OVERFLOWS));
    long drops = value(window.protocol(ProtocolCounter.LISTEN_DROPS));
    long lost = Math.max(overflows, drops);
    if (lost <= 0) {
      return List.of();
    }
    long intervalMs = window.deltaMs(SampleKinds.PROTOCOL);
    String why =
        overflows > 0
            ? overflows
                + " because an accept queue was full (ListenOverflows): the application accepts"
                + " too slowly or its listen backlog is too small"
            : "none for a full accept queue (ListenDrops without ListenOverflows: SYN queue or"
                + " memory)";
    return List.of(
        CauseBuilder.of(window, Cause.LISTEN_OVERFLOW, Layer.TRANSPORT, "TCP listen queues")
            .evidence(
                ProtocolCounter.LISTEN_OVERFLOWS.kernelName(),
                window.protocol(ProtocolCounter.LISTEN_OVERFLOWS))
            .evidence(
                ProtocolCounter.LISTEN_DROPS.kernelName(),
                window.protocol(ProtocolCounter.LISTEN_DROPS))
            .evidence(
                ProtocolCounter.TCP_REQ_Q_FULL_DROP.kernelName(),
                window.protocol(ProtocolCounter.TCP_REQ_Q_FULL_DROP))
            .evidence("intervalMs", intervalMs)
            .confidence(overflows > 0 ? 0.9 : 0.7)
            .summary(
                String.format(
                    Locale.ROOT,
                    "TCP listeners in %s dropped %d incoming connections in %s, %s.",
                    window.label(),
                    lost,
                    Fmt.seconds(intervalMs),
                    why))
            .fix(
                Fixes.command(
                    Fixes.ofNetns(window.netns()),
                    List.of(
                        "sysctl",
                        "-w",
                        "net.core.somaxconn=4096",
                        "net.ipv4.tcp_max_syn_backlog=4096"),
                    "and raise the application's listen() backlog; ss -ltn: Recv-Q reaching"
                        + " Send-Q shows the socket"))
            .build());
  }

  private static long value(Long delta) {
    return delta == null ? 0 : delta;
  }
}
