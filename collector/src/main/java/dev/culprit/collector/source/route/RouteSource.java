package dev.culprit.collector.source.route;

import dev.culprit.collector.platform.netlink.DumpRequest;
import dev.culprit.collector.platform.netlink.NetlinkException;
import dev.culprit.collector.platform.netlink.NetnsHandles;
import dev.culprit.collector.platform.netlink.NlMessages;
import dev.culprit.collector.platform.netlink.NlNeighbour;
import dev.culprit.collector.platform.netlink.NlRoute;
import dev.culprit.collector.platform.netlink.RouteMessages;
import dev.culprit.collector.platform.netlink.Rtnl;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.records.NeighbourEntry;
import dev.culprit.collector.records.RouteEntry;
import dev.culprit.collector.records.RouteSample;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.source.PerNamespaceLimits;
import dev.culprit.collector.source.iface.AddressFormat;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.NamedSource;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code route} source: how one namespace reaches its destinations. Two rtnetlink dumps over
 * the namespace's own socket, no fork: RTM_GETROUTE (every table, both families) keeps the routes
 * that refuse traffic — blackhole, unreachable, prohibit, throw — and the default routes, and
 * counts the rest; RTM_GETNEIGH keeps the neighbour entries that are not resolved (INCOMPLETE,
 * FAILED), with how long ago a packet last used them, and counts the rest. In the host namespace it
 * adds the host-wide neighbour-table counters of {@code /proc/net/stat/arp_cache} and {@code
 * ndisc_cache}, which exist only there: the kernel keeps one table per family for all namespaces.
 *
 * <p>{@code PER_NETNS}: routes and neighbours belong to a namespace. Bounded like the other netlink
 * sources ({@link PerNamespaceLimits}): a namespace anyone can fill with routes or neighbours costs
 * the agent at most {@link PerNamespaceLimits#MAX_ROUTES} messages looked at (only their type byte,
 * unless they are of interest) before it says NO_DATA with the count, and at most {@link
 * #MAX_LISTED} entries kept of each list. A host that holds a full Internet routing table is past
 * that bound: the source says so rather than cost the agent the table every cycle.
 *
 * <p>Without netlink it says NO_DATA: {@code ip route} in every namespace would be a fork per
 * namespace per cycle, more than the agent's budget allows for state that changes rarely.
 */
public final class RouteSource extends NamedSource {

  /** Host-wide ARP table statistics, relative to the procfs root. */
  public static final String ARP_CACHE = "net/stat/arp_cache";

  /** Host-wide NDISC (IPv6 neighbour) table statistics, relative to the procfs root. */
  public static final String NDISC_CACHE = "net/stat/ndisc_cache";

  /** Refusing/default routes and unresolved neighbours kept per namespace; the rest are counted. */
  public static final int MAX_LISTED = 256;

  /** Dumps again when the kernel says the list changed under the dump; then takes what came. */
  private static final int DUMP_ATTEMPTS = 3;

  private final NetnsAccess access;
  private final Path arpCache;
  private final Path ndiscCache;

  public RouteSource(NetnsAccess access) {
    super("route", Scope.PER_NETNS);
    this.access = access;
    this.arpCache = access.paths().procRoot().resolve(ARP_CACHE);
    this.ndiscCache = access.paths().procRoot().resolve(NDISC_CACHE);
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    NetnsHandles handles = access.handles(netns);
    if (handles == null) {
      throw new NoDataException("routes are read over netlink only, and netlink is not in use");
    }
    Routes routes = null;
    Neighbours neighbours = null;
    for (int attempt = 1; attempt <= DUMP_ATTEMPTS; attempt++) {
      routes = new Routes();
      neighbours = new Neighbours();
      boolean interrupted = handles.dump(DumpRequest.ROUTES, routes);
      PerNamespaceLimits.check(routes.seen, PerNamespaceLimits.MAX_ROUTES, "routes");
      interrupted |= handles.dump(DumpRequest.NEIGHBOURS, neighbours);
      PerNamespaceLimits.check(
          neighbours.seen, PerNamespaceLimits.MAX_NEIGHBOURS, "neighbour entries");
      if (!interrupted) {
        break;
      }
    }
    RouteSample sample = header.stamp(new RouteSample());
    sample.setRouteCount((long) routes.seen);
    sample.setDefaultRouteV4(routes.defaultV4);
    sample.setDefaultRouteV6(routes.defaultV6);
    sample.setRoutes(routes.kept);
    sample.setNeighbourCount((long) neighbours.seen);
    sample.setNeighbours(neighbours.kept);
    if (netns.host()) {
      NeighStatParser.Totals arp = totals(arpCache);
      NeighStatParser.Totals ndisc = totals(ndiscCache);
      if (arp != null) {
        sample.setArpResFailed(arp.resFailed());
        sample.setArpUnresolvedDiscards(arp.unresolvedDiscards());
      }
      if (ndisc != null) {
        sample.setNdiscResFailed(ndisc.resFailed());
        sample.setNdiscUnresolvedDiscards(ndisc.unresolvedDiscards());
      }
    }
    return List.of(new Sample(WireTopics.ROUTE, header.host(), sample));
  }

  private static NeighStatParser.Totals totals(Path file) throws Exception {
    String text = ProcFiles.readOrNull(file);
    return text == null ? null : NeighStatParser.parse(file.toString(), text);
  }

  /** Counts every route; parses only those that refuse traffic or might be a default route. */
  private static final class Routes implements NlMessages.Handler {
    final List<RouteEntry> kept = new ArrayList<>();
    int seen;
    boolean defaultV4;
    boolean defaultV6;

    @Override
    public void message(int type, ByteBuffer payload) throws NetlinkException {
      if (type != Rtnl.RTM_NEWROUTE || ++seen > PerNamespaceLimits.MAX_ROUTES) {
        return;
      }
      int routeType = RouteMessages.routeType(payload);
      boolean maybeDefault = routeType == NlRoute.RTN_UNICAST && (payload.get(1) & 0xff) == 0;
      if (!NlRoute.refuses(routeType) && !maybeDefault) {
        return;
      }
      NlRoute r = RouteMessages.parseRoute(payload);
      if (r == null) {
        return;
      }
      if (r.isDefault()) {
        if (r.family() == Rtnl.AF_INET) {
          defaultV4 = true;
        } else {
          defaultV6 = true;
        }
      }
      if (kept.size() < MAX_LISTED) {
        kept.add(entry(r));
      }
    }
  }

  /** Counts every entry; parses and keeps only the unresolved ones. */
  private static final class Neighbours implements NlMessages.Handler {
    final List<NeighbourEntry> kept = new ArrayList<>();
    int seen;

    @Override
    public void message(int type, ByteBuffer payload) throws NetlinkException {
      if (type != Rtnl.RTM_NEWNEIGH || ++seen > PerNamespaceLimits.MAX_NEIGHBOURS) {
        return;
      }
      if (!NlNeighbour.unresolved(RouteMessages.neighbourState(payload))
          || kept.size() >= MAX_LISTED) {
        return;
      }
      NlNeighbour n = RouteMessages.parseNeighbour(payload);
      if (n != null) {
        kept.add(
            NeighbourEntry.newBuilder()
                .setFamily(family(n.family()))
                .setAddress(AddressFormat.text(n.address()))
                .setIfindex(n.ifindex())
                .setState(n.stateName())
                .setUsedAgoMs(n.usedAgoMs())
                .setUpdatedAgoMs(n.updatedAgoMs())
                .setProbes(n.probes())
                .build());
      }
    }
  }

  static RouteEntry entry(NlRoute r) {
    byte[] dst = r.destination() != null ? r.destination() : new byte[r.family() == 2 ? 4 : 16];
    return RouteEntry.newBuilder()
        .setFamily(family(r.family()))
        .setType(r.typeName())
        .setDestination(AddressFormat.text(dst) + "/" + r.prefixLength())
        .setTable(r.table())
        .setGateway(r.gateway() == null ? null : AddressFormat.text(r.gateway()))
        .setIfindex(r.oif())
        .build();
  }

  private static String family(int family) {
    return family == Rtnl.AF_INET ? "inet" : "inet6";
  }
}
