package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.NeighbourEntry;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.RouteSample;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * NEIGHBOUR_UNRESOLVED: the namespace sends packets to a next hop (a gateway, or a peer on the
 * link) that does not answer ARP or neighbour solicitation. The packets wait in the entry's queue
 * while it is INCOMPLETE and are dropped when it goes FAILED (the kernel's {@code NEIGH_FAILED};
 * {@code NEIGH_QUEUEFULL} when the queue overflows first), and for each the kernel sends itself an
 * ICMP host unreachable.
 *
 * <p>Specific evidence: a neighbour entry of the namespace in state INCOMPLETE or FAILED that a
 * packet used within the window ({@code usedAgoMs} of the route source): traffic went to a next hop
 * that is not resolved. A FAILED entry nobody uses is the trace of an old attempt (the kernel keeps
 * them until its garbage collection, which does not run below {@code gc_thresh1} entries), and
 * names nothing. No per-namespace counter counts these drops: the neighbour tables' own counters
 * ({@code /proc/net/stat/arp_cache} {@code res_failed}, {@code unresolved_discards}) are one set
 * for every namespace of the host, so they only corroborate, from the host namespace's window.
 *
 * <p>A one-off packet to an address nobody holds (a probe, a scan) leaves such an entry for a
 * window; it is a cause only when the entry is used unresolved in every window for {@value
 * QuietOutage#MIN_MS} ms (the same time at any window size) while the same namespace retransmits
 * SYNs or SYN-ACKs ({@code TcpExt.TCPSynRetrans}, which counts both) all along: the loss hurts its
 * connections, not only a pinger. {@code Tcp.RetransSegs} and other namespaces' SYN retransmits do
 * not count: a busy host always has some, unrelated to the entry.
 */
final class NeighbourUnresolvedRule implements PacketLossRule {

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    Optional<RouteSample> routes = window.routes();
    if (routes.isEmpty()) {
      return List.of();
    }
    long windowMs = window.host().endMs() - window.host().startMs();
    List<NeighbourEntry> inUse =
        routes.get().getNeighbours().stream()
            .filter(n -> n.getUsedAgoMs() != null && n.getUsedAgoMs() <= windowMs)
            .toList();
    if (inUse.isEmpty()) {
      return List.of();
    }
    long lastedMs = QuietOutage.lastedMs(window, "neighbour");
    // Only a symptom of the namespace that holds the entry ties the loss to a connection: other
    // namespaces' SYN retransmits and this one's Tcp.RetransSegs go on on any busy host, whatever
    // a pinger of a dead address does. Asked in every window the entry is used, so the run of the
    // namespace's own SYN retransmits is known from its start.
    Optional<QuietOutage.Client> self = QuietOutage.failingItself(window, lastedMs);
    if (!QuietOutage.persistent(lastedMs) || self.isEmpty()) {
      return List.of();
    }
    long synRetrans = self.get().synRetrans();
    long retrans = positive(window.protocol(ProtocolCounter.TCP_RETRANS_SEGS));
    List<QuietOutage.Client> clients = QuietOutage.failingClients(window, lastedMs);
    Map<Integer, String> devices =
        window.interfaces().stream()
            .filter(i -> i.getIfindex() != null)
            .collect(
                Collectors.toMap(InterfaceStats::getIfindex, InterfaceStats::getName, (a, b) -> a));
    NeighbourEntry first = inUse.get(0);
    String device = devices.getOrDefault(first.getIfindex(), "if" + first.getIfindex());
    String hops =
        inUse.stream()
            .map(
                n ->
                    n.getAddress()
                        + " on "
                        + devices.getOrDefault(n.getIfindex(), "if" + n.getIfindex())
                        + " ("
                        + n.getState()
                        + ")")
            .collect(Collectors.joining(", "));
    Optional<RouteSample> hostWide = window.host().netns("").flatMap(NetnsWindow::routes);
    Long resFailed = hostWide.map(RouteSample::getArpResFailed).orElse(null);
    Long queueFull = hostWide.map(RouteSample::getArpUnresolvedDiscards).orElse(null);
    String summary =
        String.format(
            Locale.ROOT,
            "%s sends to next hop%s %s that do%s not answer %s: packets for %s wait and are"
                + " dropped when resolution fails (NEIGH_FAILED), in every window for %s,"
                + " while %s.",
            capitalised(window.label()),
            inUse.size() == 1 ? "" : "s",
            hops,
            inUse.size() == 1 ? "es" : "",
            first.getFamily().equals("inet6") ? "neighbour solicitation" : "ARP",
            inUse.size() == 1 ? "it" : "them",
            Fmt.seconds(lastedMs),
            String.format(
                    Locale.ROOT,
                    "it retransmits SYNs or SYN-ACKs all along (TcpExt.TCPSynRetrans %d in this"
                        + " window)",
                    synRetrans)
                + (clients.isEmpty()
                    ? ""
                    : ", and "
                        + String.join(
                            ", ", clients.stream().map(c -> NetnsWindow.label(c.netns())).toList())
                        + " retransmitted SYNs too"));
    return List.of(
        CauseBuilder.of(
                window,
                Cause.NEIGHBOUR_UNRESOLVED,
                Layer.NETWORK,
                "neighbour " + first.getAddress() + " dev " + device)
            .evidence("nextHop", first.getAddress())
            .evidence("device", device)
            .evidence("state", first.getState())
            .evidence("usedAgoMs", first.getUsedAgoMs())
            .evidence("probes", first.getProbes())
            .evidence("unresolvedNeighbours", hops)
            .evidence("persistedMs", lastedMs)
            .evidence(ProtocolCounter.TCP_RETRANS_SEGS.kernelName(), retrans)
            .evidence(ProtocolCounter.TCP_SYN_RETRANS.kernelName(), synRetrans)
            .evidence("failingClients", clients.isEmpty() ? null : QuietOutage.names(clients))
            .evidence("hostArpResFailed", resFailed)
            .evidence("hostArpUnresolvedDiscards", queueFull)
            .confidence(0.85)
            .summary(summary)
            .fix(
                Fixes.advice(
                    Fixes.of(window),
                    "bring the next hop back, or route around it: ip route get <destination>"
                        + " shows which routes use "
                        + first.getAddress()
                        + "; ip neigh show "
                        + first.getAddress()
                        + " its state"))
            .build());
  }

  private static String capitalised(String label) {
    return Character.toUpperCase(label.charAt(0)) + label.substring(1);
  }

  private static long positive(Long delta) {
    return delta == null || delta < 0 ? 0 : delta;
  }
}
