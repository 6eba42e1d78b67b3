package dev.culprit.lab;

import dev.culprit.lab.oracle.ProcNetSnmp;
import java.util.Locale;

/**
 * A route in the server namespace that refuses the way back to one client: {@code ip route add
 * blackhole|unreachable|prohibit CLIENT/32}. The client's SYNs still arrive, but the server cannot
 * route its SYN-ACKs (Linux 6.18 counts each in {@code Ip.OutNoRoutes} and {@code
 * TcpExt.ListenDrops}, with ListenOverflows flat), so the client is cut off. What a mistyped "block
 * this scanner" route or a stale VPN route does to a real client.
 *
 * @param client the client (1-based) whose way back is refused
 * @param type the route type: blackhole, unreachable or prohibit
 */
public record RouteUnreachableFault(int client, String type) implements NetworkFault {

  public static final String DEFAULT_CLIENT = "1";
  public static final String DEFAULT_TYPE = "blackhole";

  public RouteUnreachableFault {
    if (client < 1 || client > LabTopology.MAX_CLIENTS) {
      throw new LabException(
          "--client must be between 1 and " + LabTopology.MAX_CLIENTS + ", not " + client);
    }
    if (!type.equals("blackhole") && !type.equals("unreachable") && !type.equals("prohibit")) {
      throw new LabException(
          "--type must be blackhole, unreachable or prohibit, not '" + type + "'");
    }
  }

  @Override
  public FaultKind kind() {
    return FaultKind.ROUTE_UNREACHABLE;
  }

  @Override
  public String describe() {
    LabTopology.Endpoint to = LabTopology.client(client);
    return String.format(
        Locale.ROOT,
        "%s route to %s (%s) in %s",
        type,
        to.address(),
        to.netns(),
        LabTopology.WEB_NS);
  }

  @Override
  public NetworkFault apply(LabContext lab) {
    LabTopology.Endpoint to = LabTopology.client(client);
    // replace: idempotent, and a route of another type to the same prefix is swapped, not added.
    lab.ip("-n", LabTopology.WEB_NS, "route", "replace", type, to.address() + "/32");
    return this;
  }

  @Override
  public void clear(LabContext lab) {
    if (NetnsList.exists(lab, LabTopology.WEB_NS)) {
      lab.tryIp(
          "-n",
          LabTopology.WEB_NS,
          "route",
          "del",
          type,
          LabTopology.client(client).address() + "/32");
    }
  }

  @Override
  public String evidence(LabContext lab) {
    Long unrouted =
        ProcNetSnmp.parse(lab.readInNetns(LabTopology.WEB_NS, "/proc/net/snmp"))
            .get("Ip.OutNoRoutes");
    return unrouted == null
        ? "Ip.OutNoRoutes not reported"
        : "Ip.OutNoRoutes: " + unrouted + " packets the server could not route";
  }
}
