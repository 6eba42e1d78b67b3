package dev.culprit.lab;

import dev.culprit.lab.oracle.ProcNetSnmp;
import java.util.List;
import java.util.Locale;

/**
 * Asymmetric routing under strict reverse-path filtering: in the server namespace {@code rp_filter}
 * is 1 (strict) and the route back to one client leaves by another interface than the one its
 * packets arrive on, so the kernel discards every packet from that client on arrival. Nothing
 * counts them on an interface; only {@code TcpExt.IPReversePathFilter} does.
 *
 * <p>The other way out is {@code lo}, the only other interface the server has. Since the server
 * cannot answer the client's ARP either (the reply would take the same wrong way), the client's
 * neighbour entry for the server is pinned for the duration, as a real second path would provide.
 *
 * @param client the client (1-based) whose route back is bent
 */
public record RpFilterFault(int client) implements NetworkFault {

  public static final String DEFAULT_CLIENT = "1";

  public RpFilterFault {
    if (client < 1 || client > LabTopology.MAX_CLIENTS) {
      throw new LabException(
          "--client must be between 1 and " + LabTopology.MAX_CLIENTS + ", not " + client);
    }
  }

  @Override
  public FaultKind kind() {
    return FaultKind.RP_FILTER;
  }

  @Override
  public String describe() {
    LabTopology.Endpoint from = LabTopology.client(client);
    return String.format(
        Locale.ROOT,
        "strict rp_filter in %s with the route back to %s (%s) through lo instead of %s",
        LabTopology.WEB_NS,
        from.netns(),
        from.address(),
        LabTopology.web().device());
  }

  @Override
  public NetworkFault apply(LabContext lab) {
    LabTopology.Endpoint web = LabTopology.web();
    LabTopology.Endpoint from = LabTopology.client(client);
    setRpFilter(lab, 1);
    lab.ip("-n", web.netns(), "route", "replace", from.address() + "/32", "dev", "lo");
    String mac =
        lab.readInNetns(web.netns(), "/sys/class/net/" + web.device() + "/address").strip();
    lab.ip(
        "-n",
        from.netns(),
        "neigh",
        "replace",
        web.address(),
        "lladdr",
        mac,
        "dev",
        from.device(),
        "nud",
        "permanent");
    return this;
  }

  @Override
  public void clear(LabContext lab) {
    LabTopology.Endpoint web = LabTopology.web();
    LabTopology.Endpoint from = LabTopology.client(client);
    if (NetnsList.exists(lab, web.netns())) {
      lab.tryIp("-n", web.netns(), "route", "del", from.address() + "/32", "dev", "lo");
      // The lab's namespaces start with the kernel's default, 0 (no filtering).
      setRpFilter(lab, 0);
    }
    if (NetnsList.exists(lab, from.netns())) {
      lab.tryIp("-n", from.netns(), "neigh", "del", web.address(), "dev", from.device());
    }
  }

  @Override
  public String evidence(LabContext lab) {
    Long dropped =
        ProcNetSnmp.parse(lab.readInNetns(LabTopology.WEB_NS, "/proc/net/netstat"))
            .get("TcpExt.IPReversePathFilter");
    return dropped == null
        ? "TcpExt.IPReversePathFilter not reported"
        : "TcpExt.IPReversePathFilter: " + dropped + " packets dropped by rp_filter";
  }

  private static void setRpFilter(LabContext lab, int value) {
    LabTopology.Endpoint web = LabTopology.web();
    for (String conf : List.of("all", web.device())) {
      lab.shell()
          .check(
              lab.inNetns(
                  web.netns(),
                  List.of(
                      lab.tools().path(Tools.Tool.BUSYBOX),
                      "sysctl",
                      "-w",
                      "net.ipv4.conf." + conf + ".rp_filter=" + value)));
    }
  }
}
