package dev.culprit.collector.net;

import dev.culprit.collector.CommandRunner;
import dev.culprit.collector.HostPaths;
import dev.culprit.collector.Source;
import dev.culprit.collector.net.conntrack.ConntrackSource;
import dev.culprit.collector.net.firewall.FirewallSource;
import dev.culprit.collector.net.iface.InterfaceSource;
import dev.culprit.collector.net.protocol.ProtocolSource;
import dev.culprit.collector.net.qdisc.QdiscSource;
import java.util.ArrayList;
import java.util.List;

/** Builds the network sources (all {@link Source.Scope#PER_NETNS}) the collector runs. */
public final class NetworkSources {

  private NetworkSources() {}

  /** The enabled sources in a fixed order: interface, protocol, conntrack, qdisc, filter. */
  public static List<Source> create(
      HostPaths paths, CommandRunner runner, NetworkSourceOptions options) {
    NetnsAccess access = new NetnsAccess(paths, runner, options.commandTimeout());
    List<Source> sources = new ArrayList<>();
    if (options.enabled().contains("interface")) {
      sources.add(new InterfaceSource(access, options.devices()));
    }
    if (options.enabled().contains("protocol")) {
      sources.add(new ProtocolSource(access));
    }
    if (options.enabled().contains("conntrack")) {
      sources.add(new ConntrackSource(access));
    }
    if (options.enabled().contains("qdisc")) {
      sources.add(new QdiscSource(access, options.devices()));
    }
    if (options.enabled().contains("filter")) {
      sources.add(new FirewallSource(access, options.firewallEveryCycles()));
    }
    return List.copyOf(sources);
  }
}
