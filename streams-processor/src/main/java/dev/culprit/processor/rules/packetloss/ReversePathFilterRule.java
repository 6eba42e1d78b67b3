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
 * REVERSE_PATH_FILTER: the kernel dropped received packets because the route back to their source
 * leaves by another interface ({@code rp_filter} = 1, strict), counted in {@code
 * TcpExt.IPReversePathFilter} for every protocol, and on no interface's drop counter. It is what
 * asymmetric routing looks like (a second interface, policy routing, a VIP answered from another
 * path); on an Internet-facing host a trickle of spoofed packets is the filter doing its job, so it
 * is a cause only from {@value #MIN_PACKETS} packets and {@value #MIN_SHARE_PERCENT} % of the IP
 * packets received in the window.
 *
 * <p>A client cut off entirely drops only a few packets a window (TCP backs off): fewer drops are a
 * cause too when they go on in every window for {@value QuietOutage#MIN_MS} ms while a namespace of
 * the host retransmits its SYNs all that time ({@link QuietOutage}).
 *
 * <p>Specific evidence: {@code IPReversePathFilter} is raised only where {@code
 * fib_validate_source} refused the source ({@code ip_rcv_finish_core}, -EXDEV). The share of {@code
 * Ip.InReceives} only sizes it.
 */
final class ReversePathFilterRule implements PacketLossRule {

  static final long MIN_PACKETS = 10;
  static final int MIN_SHARE_PERCENT = 1;

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    Long dropped = window.protocol(ProtocolCounter.IP_REVERSE_PATH_FILTER);
    if (dropped == null || dropped <= 0) {
      return List.of();
    }
    long lastedMs = QuietOutage.lastedMs(window, "rp_filter");
    List<QuietOutage.Client> clients = QuietOutage.failingClients(window, lastedMs);
    Long received = window.protocol(ProtocolCounter.IP_IN_RECEIVES);
    Double share = received == null ? null : Fmt.ratio(dropped, Math.max(received, dropped));
    boolean volume = dropped >= MIN_PACKETS && (share == null || share * 100 >= MIN_SHARE_PERCENT);
    boolean quietOutage = QuietOutage.persistent(lastedMs) && !clients.isEmpty();
    if (!volume && !quietOutage) {
      return List.of();
    }
    long intervalMs = window.deltaMs(SampleKinds.PROTOCOL);
    String summary =
        String.format(
            Locale.ROOT,
            "Reverse-path filtering in %s dropped %d received packets in %s%s"
                + " (TcpExt.IPReversePathFilter): they came in on an interface that is not"
                + " the route back to their source, so rp_filter discarded them"
                + " (asymmetric routing).",
            window.label(),
            dropped,
            Fmt.seconds(intervalMs),
            share == null ? "" : ", " + Fmt.percent(share) + " of the IPv4 packets received");
    if (!volume) {
      summary +=
          String.format(
              Locale.ROOT,
              " Few, but in every window for %s, while %s retransmitted SYNs all along"
                  + " (TcpExt.TCPSynRetrans %d in this window): a client cut off entirely, its"
                  + " retries slowed by TCP's backoff.",
              Fmt.seconds(lastedMs),
              String.join(", ", clients.stream().map(c -> NetnsWindow.label(c.netns())).toList()),
              clients.stream().mapToLong(QuietOutage.Client::synRetrans).sum());
    }
    return List.of(
        CauseBuilder.of(window, Cause.REVERSE_PATH_FILTER, Layer.NETWORK, "rp_filter")
            .evidence(ProtocolCounter.IP_REVERSE_PATH_FILTER.kernelName(), dropped)
            .evidence(ProtocolCounter.IP_IN_RECEIVES.kernelName(), received)
            .evidence("dropShare", share)
            .evidence("intervalMs", intervalMs)
            .evidence("persistedMs", volume ? null : lastedMs)
            .evidence("failingClients", volume ? null : QuietOutage.names(clients))
            .confidence(volume ? 0.9 : 0.8)
            .summary(summary)
            .fix(
                Fixes.sysctl(
                    Fixes.of(window),
                    List.of("net.ipv4.conf.all.rp_filter=2"),
                    "loose mode, with net.ipv4.conf.<receiving interface>.rp_filter=2; or route"
                        + " replies the way requests come: ip route get <source address> shows"
                        + " the way back"))
            .build());
  }
}
