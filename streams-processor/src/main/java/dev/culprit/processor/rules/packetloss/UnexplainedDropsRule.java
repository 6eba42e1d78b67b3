package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.window.HostWindow;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * UNEXPLAINED_DROPS: packets are really being dropped, counted where the kernel does not say why
 * ({@link DropCounters}), and no rule found specific evidence for a cause. Better said than
 * guessed: the event tells where the drops were counted, which rules looked and why they did not
 * claim them, and what to look at next; its remediation is advice, nothing to run.
 *
 * <p>Real, as the other rules judge it: at least {@value #MIN_PACKETS} packets and {@value
 * #MIN_SHARE_PERCENT} % of the traffic they were counted against (where that traffic is known) in
 * the window, the bar of the reverse-path filter, the softnet backlog and the qdiscs. A trickle of
 * dropped frames is what a healthy host shows.
 *
 * <p>Silent in a namespace where any specific rule named a cause in the window: its drops may be
 * that cause's (a refused frame is both an MTU mismatch and a device's rx_dropped), and a named
 * cause is the better answer. Likewise for a device another namespace's cause names as the other
 * side of its drops (the veth whose tx_dropped counted the frames its peer refused).
 */
final class UnexplainedDropsRule implements PacketLossRule {

  static final long MIN_PACKETS = 10;
  static final int MIN_SHARE_PERCENT = 1;

  private final List<PacketLossRule> specific;
  private HostWindow lastHost;
  private Named lastNamed;

  /**
   * Judges after {@code specific}, the rules whose causes explain drops. Not thread-safe: one
   * instance per processor, as the registry builds them.
   */
  UnexplainedDropsRule(List<PacketLossRule> specific) {
    this.specific = List.copyOf(specific);
  }

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<DropCounters.Drop> real =
        DropCounters.of(window).stream().filter(UnexplainedDropsRule::isReal).toList();
    if (real.isEmpty()) {
      return List.of();
    }
    Named named = named(window.host());
    if (named.netns().contains(window.netns())) {
      return List.of();
    }
    List<RootCause> causes = new ArrayList<>();
    for (DropCounters.Drop drop : real) {
      if (drop.device() != null
          && named.devices().contains(List.of(window.netns(), drop.device()))) {
        continue;
      }
      long intervalMs = DropCounters.intervalMs(window, drop);
      Double share = drop.share();
      CauseBuilder cause =
          CauseBuilder.of(window, Cause.UNEXPLAINED_DROPS, drop.layer(), drop.place());
      drop.counters().forEach(cause::evidence);
      drop.ruledOut().forEach((rule, why) -> cause.evidence("ruledOut." + rule, why));
      List<String> ruledOut = new ArrayList<>();
      drop.ruledOut().entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> ruledOut.add(e.getKey() + ": " + e.getValue()));
      causes.add(
          cause
              .evidence("droppedPackets", drop.dropped())
              .evidence("trafficPackets", drop.traffic())
              .evidence("dropShare", share)
              .evidence("intervalMs", intervalMs)
              .confidence(0.3)
              .summary(
                  String.format(
                      Locale.ROOT,
                      "%d packets dropped, counted at %s in %s in %s%s, and no counter says why. Ruled"
                          + " out: %s.",
                      drop.dropped(),
                      drop.place(),
                      window.label(),
                      Fmt.seconds(intervalMs),
                      share == null
                          ? ""
                          : " (" + Fmt.percent(share) + " of " + drop.trafficName() + ")",
                      String.join("; ", ruledOut)))
              .fix(Fixes.advice(Fixes.ofNetns(window.netns()), "look next at " + drop.next()))
              .build());
    }
    return causes;
  }

  /**
   * What the specific rules named in the host's window: the namespaces with a cause, and the
   * devices (netns, name) a cause holds responsible or names as the other side of its drops (a veth
   * that counted the frames its peer refused). Kept for the last window judged: the processor
   * judges a window's namespaces one after the other.
   */
  private Named named(HostWindow host) {
    if (lastHost == host) {
      return lastNamed;
    }
    Set<String> netns = new HashSet<>();
    Set<List<String>> devices = new HashSet<>();
    for (NetnsWindow other : host.namespaces()) {
      for (PacketLossRule rule : specific) {
        for (RootCause cause : rule.evaluate(other)) {
          netns.add(cause.getNetns());
          Map<String, Object> evidence = cause.getEvidence();
          addDevice(devices, cause.getNetns(), evidence.get("device"));
          addDevice(devices, evidence.get("senderNetns"), evidence.get("senderDevice"));
          addDevice(devices, evidence.get("peerNetns"), evidence.get("peerDevice"));
        }
      }
    }
    lastHost = host;
    lastNamed = new Named(netns, devices);
    return lastNamed;
  }

  private static void addDevice(Set<List<String>> devices, Object netns, Object device) {
    if (netns != null && device != null) {
      devices.add(List.of(netns.toString(), device.toString()));
    }
  }

  private record Named(Set<String> netns, Set<List<String>> devices) {}

  private static boolean isReal(DropCounters.Drop drop) {
    Double share = drop.share();
    return drop.dropped() >= MIN_PACKETS && (share == null || share * 100 >= MIN_SHARE_PERCENT);
  }
}
