package dev.culprit.lab;

import java.util.Locale;

/**
 * The server's way back to one client goes through a next hop that does not exist: {@code ip route
 * replace CLIENT/32 via 10.253.0.250 dev cu-web}, an address of the lab's subnet nobody holds.
 * Every answer to the client waits for an ARP reply that never comes and is dropped when the entry
 * goes FAILED (the kernel's NEIGH_FAILED); what a dead gateway does.
 *
 * @param client the client (1-based) whose way back goes through the dead next hop
 */
public record NeighbourUnresolvedFault(int client) implements NetworkFault {

  public static final String DEFAULT_CLIENT = "1";

  /** An address of the lab's subnet that no namespace holds. */
  public static final String DEAD_NEXT_HOP = "10.253.0.250";

  public NeighbourUnresolvedFault {
    if (client < 1 || client > LabTopology.MAX_CLIENTS) {
      throw new LabException(
          "--client must be between 1 and " + LabTopology.MAX_CLIENTS + ", not " + client);
    }
  }

  @Override
  public FaultKind kind() {
    return FaultKind.NEIGHBOUR_UNRESOLVED;
  }

  @Override
  public String describe() {
    LabTopology.Endpoint to = LabTopology.client(client);
    return String.format(
        Locale.ROOT,
        "route to %s (%s) in %s through %s, which nobody holds",
        to.address(),
        to.netns(),
        LabTopology.WEB_NS,
        DEAD_NEXT_HOP);
  }

  @Override
  public NetworkFault apply(LabContext lab) {
    LabTopology.Endpoint web = LabTopology.web();
    lab.ip(
        "-n",
        web.netns(),
        "route",
        "replace",
        LabTopology.client(client).address() + "/32",
        "via",
        DEAD_NEXT_HOP,
        "dev",
        web.device());
    return this;
  }

  @Override
  public void clear(LabContext lab) {
    LabTopology.Endpoint web = LabTopology.web();
    if (NetnsList.exists(lab, web.netns())) {
      lab.tryIp(
          "-n",
          web.netns(),
          "route",
          "del",
          LabTopology.client(client).address() + "/32",
          "via",
          DEAD_NEXT_HOP);
      lab.tryIp("-n", web.netns(), "neigh", "del", DEAD_NEXT_HOP, "dev", web.device());
    }
  }

  @Override
  public String evidence(LabContext lab) {
    String state = lab.ip("-n", LabTopology.WEB_NS, "neigh", "show", DEAD_NEXT_HOP).strip();
    return state.isEmpty()
        ? "no neighbour entry for " + DEAD_NEXT_HOP + " yet"
        : "neighbour " + state;
  }
}
