package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.probe.Addresses;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.rules.Sh;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import dev.culprit.schemas.RouteEntry;
import dev.culprit.schemas.RouteSample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * ROUTE_UNREACHABLE: the namespace had packets to send or to forward and no route would take them:
 * no route matched (no default route), or a blackhole, unreachable, prohibit or throw route did.
 *
 * <p>Specific evidence: {@code Ip.OutNoRoutes}, {@code IpExt.InNoRoutes}, {@code Ip6.OutNoRoutes}
 * and {@code Ip6.InNoRoutes} are raised only where a route lookup failed. What moves for each route
 * type is not the same, and was measured on Linux 6.18 in real namespaces (the lab's {@code
 * route-unreachable} fault in {@code LabFaultsKernelTest}, and namespace experiments with {@code
 * nstat} and the {@code skb:kfree_skb} tracepoint):
 *
 * <ul>
 *   <li>TCP answering a SYN whose way back is refused (any of the four types, or no route): {@code
 *       Ip.OutNoRoutes} and {@code TcpExt.ListenDrops} per SYN ({@code inet_csk_route_req}); the
 *       SYN is freed as consumed, so the kernel gives no drop reason. This is the fault that
 *       otherwise looks like a listen queue problem with ListenOverflows flat.
 *   <li>TCP segments of an established connection whose route went away: {@code Ip.OutNoRoutes} and
 *       the drop reason {@code IP_OUTNOROUTES} ({@code __ip_queue_xmit}), every type.
 *   <li>A datagram sent by a local socket ({@code sendto}, {@code connect}): counted only when the
 *       lookup says "network unreachable" — no route at all, or a throw route with nothing behind
 *       it. Into a blackhole (EINVAL), unreachable (EHOSTUNREACH) or prohibit (EACCES) route the
 *       send fails in the application and no counter moves at all: no packet was made.
 *   <li>A received packet to forward: no route counts {@code IpExt.InNoRoutes} (drop reason {@code
 *       IP_INNOROUTES}); an unreachable or prohibit route answers with ICMP ({@code
 *       Icmp.OutDestUnreachs}, rate-limited) and a blackhole route discards silently, both without
 *       a NoRoutes count and with the reason NOT_SPECIFIED — this rule cannot see those.
 * </ul>
 *
 * <p>A probe to an address nobody routes, a VPN's address while it is down: a few such packets are
 * normal, so it is a cause from {@value #MIN_PACKETS} packets and {@value #MIN_SHARE_PERCENT} % of
 * the namespace's IP traffic in the window, the bar of the other rules; or, for fewer, when the
 * drops go on for {@value QuietOutage#MIN_MS} ms while a namespace of the host retransmits its SYNs
 * all along ({@link QuietOutage}).
 *
 * <p>The routes themselves ({@code route} source) only say which route it was: a blackhole route
 * nobody sends to is deliberate policy and names nothing. The route is named when an address of a
 * namespace whose SYNs were retransmitted in the window falls in a refusing route; failing that, a
 * missing default route is named; failing both, the event lists the refusing routes there are. The
 * fix deletes the route only when it is a host route, which nothing can be more specific than; a
 * shorter one is checked first with {@code ip route get}, read-only, since the route source does
 * not keep the unicast routes that may lie inside it ({@link #fix}).
 *
 * <p>{@code Ip6.OutNoRoutes} of a namespace with no IPv6 default route and no global IPv6 address
 * is not counted: every connect() an application tries over IPv6 first raises it there.
 */
final class RouteUnreachableRule implements PacketLossRule {

  static final long MIN_PACKETS = 10;
  static final int MIN_SHARE_PERCENT = 1;

  private static final int MAIN_TABLE = 254;

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    long out4 = positive(window.protocol(ProtocolCounter.IP_OUT_NO_ROUTES));
    long in4 = positive(window.protocol(ProtocolCounter.IP_IN_NO_ROUTES));
    // A connect() to an IPv6 address where the namespace has no IPv6 route counts here
    // (ENETUNREACH): an application trying IPv6 first on an IPv4-only namespace, no harm done.
    long out6 =
        ipv6Capable(window) ? positive(window.protocol(ProtocolCounter.IP6_OUT_NO_ROUTES)) : 0;
    long in6 = positive(window.protocol(ProtocolCounter.IP6_IN_NO_ROUTES));
    long dropped = out4 + in4 + out6 + in6;
    if (dropped <= 0) {
      return List.of();
    }
    long lastedMs = QuietOutage.lastedMs(window, "route");
    List<QuietOutage.Client> clients = QuietOutage.failingClients(window, lastedMs);
    Long traffic =
        sumKnown(
            window.protocol(ProtocolCounter.IP_OUT_REQUESTS),
            window.protocol(ProtocolCounter.IP_IN_RECEIVES),
            window.protocol(ProtocolCounter.IP6_OUT_REQUESTS),
            window.protocol(ProtocolCounter.IP6_IN_RECEIVES));
    Double share = traffic == null ? null : Fmt.ratio(dropped, traffic + dropped);
    // A volume alone is a cause only once it outlasts one window or a client of the host fails
    // with it: a namespace being set up (a client started a moment before its address or route)
    // counts a few unroutable packets in one window and is healthy the next.
    long windowMs = window.host().endMs() - window.host().startMs();
    boolean volume =
        dropped >= MIN_PACKETS
            && (share == null || share * 100 >= MIN_SHARE_PERCENT)
            && (lastedMs > windowMs || !clients.isEmpty());
    boolean quietOutage = QuietOutage.persistent(lastedMs) && !clients.isEmpty();
    if (!volume && !quietOutage) {
      return List.of();
    }
    long intervalMs = window.deltaMs(SampleKinds.PROTOCOL);
    Optional<RouteSample> routes = window.routes();
    Map<RouteEntry, List<String>> refused = refusedDestinations(window, routes);
    List<String> parts = new ArrayList<>();
    addIfRose(parts, "Ip.OutNoRoutes", out4);
    addIfRose(parts, "IpExt.InNoRoutes", in4);
    addIfRose(parts, "Ip6.OutNoRoutes", out6);
    addIfRose(parts, "Ip6.InNoRoutes", in6);
    String counted = String.join(", ", parts);
    String lead =
        String.format(
            Locale.ROOT,
            "%s could not route %d packets in %s%s (%s)",
            capitalised(window.label()),
            dropped,
            Fmt.seconds(intervalMs),
            share == null ? "" : ", " + Fmt.percent(share) + " of its IP packets",
            counted);
    String location;
    String summary;
    Fix fix;
    RouteEntry route = null;
    List<String> destinations = List.of();
    boolean noDefault =
        routes.isPresent()
            && ((out4 + in4 > 0 && Boolean.FALSE.equals(routes.get().getDefaultRouteV4()))
                || (out6 + in6 > 0 && Boolean.FALSE.equals(routes.get().getDefaultRouteV6())));
    if (!refused.isEmpty()) {
      Map.Entry<RouteEntry, List<String>> top =
          refused.entrySet().stream()
              .max((a, b) -> Integer.compare(a.getValue().size(), b.getValue().size()))
              .orElseThrow();
      route = top.getKey();
      destinations = top.getValue();
      location = describe(route);
      summary =
          String.format(
              Locale.ROOT,
              "%s: the %s route refuses traffic to %s, whose connection attempts fail%s.",
              lead,
              location,
              String.join(", ", destinations),
              wins(route) ? "" : ", unless a more specific route takes them");
      fix = fix(window, route, destinations.get(0));
    } else if (noDefault) {
      location = "no default route";
      summary =
          lead
              + ": no route matched them, and the namespace has no default route"
              + (out4 + in4 > 0 && out6 + in6 == 0 ? " for IPv4." : ".");
      fix =
          Fixes.advice(
              Fixes.of(window),
              "add the missing route, e.g. ip route add default via <gateway>; ip route get"
                  + " <destination> shows the failing lookup");
    } else {
      location = "routing";
      List<String> candidates =
          routes
              .map(r -> r.getRoutes().stream().filter(x -> !x.getType().equals("unicast")))
              .map(s -> s.map(RouteEntryText::of).toList())
              .orElse(List.of());
      summary =
          lead
              + (candidates.isEmpty()
                  ? ": no route matched them."
                  : ": no route matched them, or one of its refusing routes did ("
                      + String.join(", ", candidates)
                      + ").");
      fix =
          Fixes.advice(
              Fixes.of(window),
              "ip route get <destination> for the destinations it sends to shows the failing"
                  + " lookup; ip route show table all lists blackhole, unreachable and prohibit"
                  + " routes");
    }
    if (!volume) {
      summary +=
          String.format(
              Locale.ROOT,
              " Few, but in every window for %s, while %s retransmitted SYNs all along: clients"
                  + " cut off entirely, their retries slowed by TCP's backoff.",
              Fmt.seconds(lastedMs),
              String.join(", ", clients.stream().map(c -> NetnsWindow.label(c.netns())).toList()));
    }
    return List.of(
        CauseBuilder.of(window, Cause.ROUTE_UNREACHABLE, Layer.NETWORK, location)
            .evidence(ProtocolCounter.IP_OUT_NO_ROUTES.kernelName(), nullIfZero(out4))
            .evidence(ProtocolCounter.IP_IN_NO_ROUTES.kernelName(), nullIfZero(in4))
            .evidence(ProtocolCounter.IP6_OUT_NO_ROUTES.kernelName(), nullIfZero(out6))
            .evidence(ProtocolCounter.IP6_IN_NO_ROUTES.kernelName(), nullIfZero(in6))
            .evidence("unroutedPackets", dropped)
            .evidence("dropShare", share)
            .evidence("intervalMs", intervalMs)
            .evidence("route", route == null ? null : location)
            .evidence("routeType", route == null ? null : route.getType())
            .evidence(
                "destinations", destinations.isEmpty() ? null : String.join(",", destinations))
            .evidence("defaultRouteV4", routes.map(RouteSample::getDefaultRouteV4).orElse(null))
            .evidence("defaultRouteV6", routes.map(RouteSample::getDefaultRouteV6).orElse(null))
            .evidence("persistedMs", volume ? null : lastedMs)
            .evidence("failingClients", volume ? null : QuietOutage.names(clients))
            // A covering route may not be the one the lookup takes (see wins).
            .confidence(route != null ? (wins(route) ? 0.9 : 0.7) : noDefault ? 0.9 : 0.7)
            .summary(summary)
            .fix(fix)
            .build());
  }

  /**
   * For each refusing route of the namespace, the addresses in it of the host's other namespaces
   * whose SYNs were retransmitted in this window: the clients the route cuts off. A destination
   * counts for its most specific refusing route only, as the kernel's longest match would take.
   */
  static Map<RouteEntry, List<String>> refusedDestinations(
      NetnsWindow window, Optional<RouteSample> routes) {
    Map<RouteEntry, List<String>> out = new LinkedHashMap<>();
    if (routes.isEmpty()) {
      return out;
    }
    List<RouteEntry> refusing =
        routes.get().getRoutes().stream().filter(r -> !r.getType().equals("unicast")).toList();
    if (refusing.isEmpty()) {
      return out;
    }
    TreeSet<String> addresses = new TreeSet<>();
    for (NetnsWindow other : window.host().namespaces()) {
      Long syn = other.protocol(ProtocolCounter.TCP_SYN_RETRANS);
      if (other.netns().equals(window.netns()) || syn == null || syn <= 0) {
        continue;
      }
      other.interfaces().stream()
          .filter(i -> !Peers.isLoopback(i))
          .flatMap(i -> i.getAddresses().stream())
          .map(a -> a.contains("/") ? a.substring(0, a.indexOf('/')) : a)
          .map(Addresses::canonical)
          .flatMap(Optional::stream)
          .forEach(addresses::add);
    }
    for (String address : addresses) {
      Optional<Cidr> host = Cidr.parse(address);
      if (host.isEmpty()) {
        continue;
      }
      RouteEntry best = null;
      int bestPrefix = -1;
      for (RouteEntry r : refusing) {
        Optional<Cidr> prefix = Cidr.parse(r.getDestination());
        if (prefix.isPresent()
            && prefix.get().contains(host.get())
            && prefix.get().prefix() > bestPrefix) {
          best = r;
          bestPrefix = prefix.get().prefix();
        }
      }
      if (best != null) {
        out.computeIfAbsent(best, k -> new ArrayList<>()).add(address);
      }
    }
    return out;
  }

  /**
   * Whether the refusing route is the one the kernel's lookup takes for every address in it: only a
   * host route (/32, /128), as nothing in its table can be more specific. The route source keeps
   * only refusing and default routes, so a shorter prefix may hold more specific unicast routes
   * unseen here: Calico puts {@code blackhole <block>/26} on every node as a loop guard and reaches
   * each local pod by a /32 inside it.
   */
  static boolean wins(RouteEntry route) {
    return Cidr.parse(route.getDestination())
        .map(c -> c.prefix() == c.address().length * 8)
        .orElse(false);
  }

  /**
   * Deleting the route when it is known to win the lookup; otherwise {@code ip route get} of a cut
   * off address first, read-only, with the delete only as advice for when the lookup shows that
   * route: deleting a covering blackhole that does not take the traffic removes a guard and fixes
   * nothing.
   */
  static Fix fix(NetnsWindow window, RouteEntry route, String destination) {
    List<String> del = new ArrayList<>(List.of("ip"));
    List<String> get = new ArrayList<>(List.of("ip"));
    if (route.getFamily().equals("inet6")) {
      del.add("-6");
      get.add("-6");
    }
    del.addAll(List.of("route", "del", route.getType(), route.getDestination()));
    if (route.getTable() != MAIN_TABLE) {
      del.addAll(List.of("table", Long.toString(route.getTable())));
    }
    get.addAll(List.of("route", "get", destination));
    if (wins(route)) {
      return Fixes.inNetns(
          window,
          del,
          "if the route is deliberate, the clients it cuts off must go another way; ip route"
              + " get <address> shows which route a destination takes");
    }
    return Fixes.inNetns(
        window,
        get,
        "only if this shows "
            + describe(route)
            + " (and the route is not deliberate, such as a CNI's loop guard), remove it: "
            + Sh.join(del));
  }

  /**
   * Whether IPv6 route lookups of the namespace can matter: it has an IPv6 default route or a
   * global IPv6 address, or its interfaces are not known. Without either it is IPv4-only, and its
   * Ip6.OutNoRoutes are applications trying IPv6 first.
   */
  static boolean ipv6Capable(NetnsWindow window) {
    if (window.routes().map(r -> Boolean.TRUE.equals(r.getDefaultRouteV6())).orElse(true)) {
      return true;
    }
    if (window.interfaces().isEmpty()) {
      return true;
    }
    return window.interfaces().stream()
        .filter(i -> !Peers.isLoopback(i))
        .flatMap(i -> i.getAddresses().stream())
        .map(Cidr::parse)
        .flatMap(Optional::stream)
        .anyMatch(RouteUnreachableRule::globalIpv6);
  }

  private static boolean globalIpv6(Cidr c) {
    byte[] a = c.address();
    if (a.length != 16) {
      return false;
    }
    boolean linkLocal = (a[0] & 0xff) == 0xfe && (a[1] & 0xc0) == 0x80;
    boolean loopback = true;
    for (int i = 0; i < 15; i++) {
      loopback &= a[i] == 0;
    }
    loopback &= a[15] == 1;
    return !linkLocal && !loopback;
  }

  /** "blackhole 10.0.0.0/8", with the table when it is not main. */
  static String describe(RouteEntry r) {
    return RouteEntryText.of(r);
  }

  private static String capitalised(String label) {
    return Character.toUpperCase(label.charAt(0)) + label.substring(1);
  }

  private static void addIfRose(List<String> parts, String name, long delta) {
    if (delta > 0) {
      parts.add(name + " " + delta);
    }
  }

  private static long positive(Long delta) {
    return delta == null || delta < 0 ? 0 : delta;
  }

  private static Long nullIfZero(long v) {
    return v == 0 ? null : v;
  }

  private static Long sumKnown(Long... values) {
    Long sum = null;
    for (Long v : values) {
      if (v != null) {
        sum = (sum == null ? 0 : sum) + v;
      }
    }
    return sum;
  }

  /** A route as ip route prints it. */
  static final class RouteEntryText {
    private RouteEntryText() {}

    static String of(RouteEntry r) {
      return r.getType()
          + " "
          + r.getDestination()
          + (r.getTable() == MAIN_TABLE ? "" : " table " + r.getTable());
    }
  }
}
