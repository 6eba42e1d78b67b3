package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;
import static dev.culprit.processor.SampleFactory.neighbour;
import static dev.culprit.processor.SampleFactory.route;
import static dev.culprit.processor.scenarios.Scenario.T0;

import dev.culprit.processor.SampleFactory;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.NeighbourEntry;
import dev.culprit.schemas.RouteEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * ROUTE_UNREACHABLE and NEIGHBOUR_UNRESOLVED on the lab's fleet, as the lab's {@code
 * route-unreachable} and {@code neighbour-unresolved} faults make them for real: the server's
 * answers to client 1 meet a blackhole route (Ip.OutNoRoutes and ListenDrops per SYN, measured on
 * 6.18), or go through a next hop nobody answers (a FAILED neighbour entry in use, SYN-ACKs
 * retransmitted). Each fires at 5 s and 10 s windows; the near misses are what a healthy fleet
 * shows: a blackhole route nobody sends to, a one-off probe to an unrouted address, a FAILED entry
 * left from an old attempt, a pinger of a dead address that hurts no connection.
 *
 * <p>Server culprit-web (10.253.0.10, eth0 ifindex 2), clients culprit-client-1 (10.253.0.21) and
 * culprit-client-2 (10.253.0.22); client 2 keeps the server busy (400 packets a second).
 */
final class RoutingScenarios {

  private static final String HOST = "lab-1";
  private static final String WEB = "culprit-web";
  private static final String CLIENT_1 = "culprit-client-1";
  private static final String CLIENT_2 = "culprit-client-2";
  private static final long PERIOD_MS = 5_000;
  private static final int CYCLES = 13;
  private static final String DEAD_HOP = "10.253.0.250";

  /** What the server namespace shows, cycle by cycle. */
  private enum Fault {
    /** Blackhole to client 1, 20 SYNs a second refused: a volume of drops. */
    ROUTE_VOLUME,
    /** Blackhole to client 1, one SYN a second under TCP's backoff. */
    ROUTE_QUIET,
    /**
     * Calico's loop guard: a blackhole for the node's whole /26 block, client 1 inside it, 20 SYNs
     * a second refused. Whether the /26 takes client 1's traffic depends on /32 routes the route
     * source does not keep.
     */
    ROUTE_COVERING,
    /** A blackhole route nobody sends to. */
    ROUTE_UNUSED,
    /**
     * An IPv4-only server (IPv4 default route, no IPv6 one, no global IPv6 address) whose
     * applications try IPv6 first: Ip6.OutNoRoutes +50 a window, no connection hurt.
     */
    ROUTE_IPV6_FIRST,
    /** Three packets to an unrouted address once. */
    ROUTE_ONE_OFF,
    /** Client 1's route through a next hop that never answers. */
    NEIGHBOUR,
    /** A FAILED entry left from an attempt ten minutes ago. */
    NEIGHBOUR_STALE,
    /** A next hop tried for two cycles only. */
    NEIGHBOUR_ONE_OFF,
    /** A dead address pinged every second for a minute, no connection hurt. */
    NEIGHBOUR_PINGER,
    /**
     * The same pinger on a busy host: the server retransmits data segments (Tcp.RetransSegs, no
     * SYN-ACKs) and client 2 retransmits SYNs, both for reasons of their own.
     */
    NEIGHBOUR_PINGER_BUSY_HOST
  }

  private RoutingScenarios() {}

  static List<Scenario> all() {
    List<Scenario> all = new ArrayList<>();
    all.add(
        fleet(
            "route-blackhole-refusing-one-clients-syn-acks",
            "a blackhole route to client 1 in the server: 20 SYN-ACKs a second cannot be routed"
                + " back (Ip.OutNoRoutes and TcpExt.ListenDrops, ListenOverflows flat):"
                + " ROUTE_UNREACHABLE naming the route and client 1's address in the first window",
            10,
            Fault.ROUTE_VOLUME,
            true));
    for (int seconds : new int[] {5, 10}) {
      all.add(
          fleet(
              "route-blackhole-cutting-off-one-client-at-" + seconds + "s-windows",
              "a blackhole route to client 1 refuses one SYN-ACK a second (TCP's backoff, below"
                  + " the 10-packet bar) while client 1 retransmits SYNs in every window:"
                  + " ROUTE_UNREACHABLE once it has lasted 30 s",
              seconds,
              Fault.ROUTE_QUIET,
              true));
      all.add(
          fleet(
              "neighbour-unresolved-next-hop-cutting-off-one-client-at-" + seconds + "s-windows",
              "the server's route to client 1 goes through "
                  + DEAD_HOP
                  + ", which never answers"
                  + " ARP: its FAILED entry is used in every window, SYN-ACKs are retransmitted and"
                  + " client 1 retransmits SYNs: NEIGHBOUR_UNRESOLVED once it has lasted 30 s",
              seconds,
              Fault.NEIGHBOUR,
              true));
    }
    all.add(
        fleet(
            "route-covering-blackhole-is-checked-before-it-is-deleted",
            "a Calico-style blackhole for the whole 10.253.0.0/26 block with client 1 inside it"
                + " and its SYN-ACKs unrouted: ROUTE_UNREACHABLE names the /26, but its fix is"
                + " ip route get of client 1's address, read-only, and the delete only advice,"
                + " since a /32 the route source does not keep may take client 1's traffic",
            10,
            Fault.ROUTE_COVERING,
            true));
    all.add(
        fleet(
            "route-ipv6-first-on-an-ipv4-only-namespace-is-quiet",
            "an IPv4-only server (IPv4 default route, no IPv6 default route, no global IPv6"
                + " address) whose applications try IPv6 first: Ip6.OutNoRoutes +50 a window"
                + " (connect() fails with ENETUNREACH and falls back), no TCP symptom",
            5,
            Fault.ROUTE_IPV6_FIRST,
            false));
    all.add(
        fleet(
            "route-blackhole-nobody-sends-to-is-quiet",
            "a blackhole route for an address no one sends to, Ip.OutNoRoutes flat: policy, not"
                + " loss",
            5,
            Fault.ROUTE_UNUSED,
            false));
    all.add(
        fleet(
            "route-one-off-probe-to-an-unrouted-address-is-quiet",
            "three packets to an address with no route, once (Ip.OutNoRoutes +3), no client"
                + " failing: below the bar the other rules use",
            5,
            Fault.ROUTE_ONE_OFF,
            false));
    all.add(
        fleet(
            "neighbour-failed-entry-nobody-uses-is-quiet",
            "a FAILED neighbour entry last used ten minutes ago (the kernel keeps it below"
                + " gc_thresh1): the trace of an old attempt",
            5,
            Fault.NEIGHBOUR_STALE,
            false));
    all.add(
        fleet(
            "neighbour-one-off-probe-to-a-dead-address-is-quiet",
            "a next hop tried for ten seconds and then no more: not a persistent loss",
            5,
            Fault.NEIGHBOUR_ONE_OFF,
            false));
    all.add(
        fleet(
            "neighbour-pinger-of-a-dead-address-is-quiet",
            "an unresolved entry used every second for a minute by a pinger, while no connection"
                + " retransmits and no client fails: nothing a user would notice",
            5,
            Fault.NEIGHBOUR_PINGER,
            false));
    all.add(
        fleet(
            "neighbour-pinger-of-a-dead-address-on-a-busy-host-is-quiet",
            "the pinger of a dead address, while the same namespace retransmits data segments"
                + " (Tcp.RetransSegs, no SYN or SYN-ACK retransmits) and another namespace"
                + " retransmits SYNs: symptoms unrelated to the unresolved entry",
            5,
            Fault.NEIGHBOUR_PINGER_BUSY_HOST,
            false));
    return all;
  }

  private static Scenario fleet(
      String name, String why, int windowSeconds, Fault fault, boolean cutOff) {
    return new Scenario(
        name,
        why,
        h -> {
          SampleFactory f = new SampleFactory(HOST, T0);
          for (int c = 0; c < CYCLES; c++) {
            f.at(T0 + c * PERIOD_MS);
            long seconds = c * PERIOD_MS / 1_000;
            long noRoutes =
                switch (fault) {
                  case ROUTE_VOLUME, ROUTE_COVERING -> seconds * 20;
                  case ROUTE_QUIET -> seconds;
                  case ROUTE_ONE_OFF -> c >= 6 ? 3 : 0;
                  default -> 0;
                };
            long synAckRetrans = fault == Fault.NEIGHBOUR ? seconds : 0;
            long dataRetrans = fault == Fault.NEIGHBOUR_PINGER_BUSY_HOST ? seconds * 4 : 0;
            long ip6NoRoutes = fault == Fault.ROUTE_IPV6_FIRST ? c * 50L : 0;
            h.pipe(
                f.interfaces(WEB, loopback().build(), eth0("10.253.0.10", c)),
                f.interfaces(CLIENT_1, loopback().build(), eth0("10.253.0.21", c)),
                f.interfaces(CLIENT_2, loopback().build(), eth0("10.253.0.22", c)),
                f.protocol(
                    WEB,
                    Map.of(
                        "Ip.OutNoRoutes",
                        noRoutes,
                        "TcpExt.ListenDrops",
                        noRoutes + synAckRetrans,
                        "TcpExt.ListenOverflows",
                        0L,
                        "Ip.InReceives",
                        c * 2_000L,
                        "Ip.OutRequests",
                        c * 2_000L,
                        "TcpExt.TCPSynRetrans",
                        synAckRetrans,
                        "Tcp.RetransSegs",
                        synAckRetrans + dataRetrans,
                        "Ip6.OutNoRoutes",
                        ip6NoRoutes)),
                f.protocol(
                    CLIENT_1,
                    Map.of(
                        "TcpExt.TCPSynRetrans",
                        cutOff ? seconds : 0L,
                        "Tcp.AttemptFails",
                        cutOff ? c : 0L,
                        "Ip.InReceives",
                        cutOff ? 0L : c * 50L)),
                f.protocol(
                    CLIENT_2,
                    Map.of(
                        "TcpExt.TCPSynRetrans",
                        fault == Fault.NEIGHBOUR_PINGER_BUSY_HOST ? seconds : 0L,
                        "Ip.InReceives",
                        c * 2_000L)),
                f.routes(
                    WEB, fault == Fault.ROUTE_IPV6_FIRST, routes(fault), neighbours(fault, c)));
          }
          h.advanceTo(T0 + CYCLES * PERIOD_MS + windowSeconds * 1_000L + 2_000);
        },
        Duration.ofSeconds(windowSeconds));
  }

  private static List<RouteEntry> routes(Fault fault) {
    return switch (fault) {
      case ROUTE_VOLUME, ROUTE_QUIET -> List.of(route("blackhole", "10.253.0.21/32"));
      case ROUTE_COVERING -> List.of(route("blackhole", "10.253.0.0/26"));
      case ROUTE_UNUSED -> List.of(route("blackhole", "192.0.2.0/24"));
      default -> List.of();
    };
  }

  private static List<NeighbourEntry> neighbours(Fault fault, int cycle) {
    return switch (fault) {
      case NEIGHBOUR, NEIGHBOUR_PINGER, NEIGHBOUR_PINGER_BUSY_HOST ->
          List.of(neighbour(DEAD_HOP, 2, "FAILED", 1_000));
      case NEIGHBOUR_STALE ->
          List.of(neighbour(DEAD_HOP, 2, "FAILED", 600_000 + cycle * PERIOD_MS));
      case NEIGHBOUR_ONE_OFF ->
          cycle >= 3 && cycle <= 4
              ? List.of(neighbour(DEAD_HOP, 2, "INCOMPLETE", 500))
              : cycle > 4
                  ? List.of(neighbour(DEAD_HOP, 2, "FAILED", (cycle - 4) * PERIOD_MS + 500))
                  : List.of();
      default -> List.of();
    };
  }

  private static InterfaceStats eth0(String address, int cycle) {
    return iface("eth0")
        .setIfindex(2)
        .setAddresses(new ArrayList<>(List.of(address + "/24")))
        .setRxPackets(cycle * 2_000L)
        .setTxPackets(cycle * 2_000L)
        .build();
  }
}
