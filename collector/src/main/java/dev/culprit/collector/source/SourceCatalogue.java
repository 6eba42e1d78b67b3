package dev.culprit.collector.source;

import static dev.culprit.collector.spi.Source.Scope.HOST;
import static dev.culprit.collector.spi.Source.Scope.PER_NETNS;

import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.source.SourceSpec.Group;
import dev.culprit.collector.source.conntrack.ConntrackSource;
import dev.culprit.collector.source.container.ContainerSource;
import dev.culprit.collector.source.dropreason.DropReasonSource;
import dev.culprit.collector.source.firewall.FirewallSource;
import dev.culprit.collector.source.iface.InterfaceSource;
import dev.culprit.collector.source.oom.KernelOomSource;
import dev.culprit.collector.source.probe.ProbeSource;
import dev.culprit.collector.source.protocol.ProtocolSource;
import dev.culprit.collector.source.qdisc.QdiscSource;
import dev.culprit.collector.source.route.RouteSource;
import dev.culprit.collector.source.softnet.SoftnetSource;
import dev.culprit.collector.spi.Source;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every source the collector can run, registered once, in publishing order (like node_exporter's
 * collectors registering themselves). The {@code --sources} names and their validation, the help,
 * {@code culprit capture-fixture} and the assembly ({@link NetworkSources}, {@code
 * ContainerSources}, the command line) all derive from this list: adding a source is its class, its
 * parser, its schema and one entry here.
 */
public final class SourceCatalogue {

  /** The catalogue, in publishing order. */
  public static final List<SourceSpec> ALL =
      List.of(
          new SourceSpec(
              "interface",
              Group.NETWORK,
              true,
              PER_NETNS,
              WireTopics.INTERFACE,
              List.of("net/dev"),
              Map.of(
                  "ip-j-s-s-d-address-show.json",
                  List.of("ip", "-j", "-s", "-s", "-d", "address", "show")),
              c -> Optional.of(new InterfaceSource(c.access(), c.network().devices()))),
          new SourceSpec(
              "protocol",
              Group.NETWORK,
              true,
              PER_NETNS,
              WireTopics.PROTOCOL,
              List.of("net/snmp", "net/netstat", "net/snmp6"),
              Map.of(),
              c -> Optional.of(new ProtocolSource(c.access()))),
          new SourceSpec(
              "conntrack",
              Group.NETWORK,
              true,
              PER_NETNS,
              WireTopics.CONNTRACK,
              List.of(
                  "net/stat/nf_conntrack",
                  "sys/net/netfilter/nf_conntrack_count",
                  "sys/net/netfilter/nf_conntrack_max",
                  "sys/net/netfilter/nf_conntrack_buckets"),
              Map.of(),
              c -> Optional.of(new ConntrackSource(c.access()))),
          new SourceSpec(
              "qdisc",
              Group.NETWORK,
              true,
              PER_NETNS,
              WireTopics.QDISC,
              List.of(),
              Map.of(
                  "tc-s-j-qdisc-show.json", List.of("tc", "-s", "-j", "qdisc", "show"),
                  "tc-s-qdisc-show.txt", List.of("tc", "-s", "qdisc", "show")),
              c -> Optional.of(new QdiscSource(c.access(), c.network().devices()))),
          new SourceSpec(
              "filter",
              Group.NETWORK,
              true,
              PER_NETNS,
              WireTopics.FILTER,
              List.of("net/ip_tables_names", "net/ip6_tables_names"),
              Map.of(
                  "iptables-nft-save-c.txt", List.of("iptables-nft-save", "-c"),
                  "iptables-legacy-save-c.txt", List.of("iptables-legacy-save", "-c"),
                  "ip6tables-nft-save-c.txt", List.of("ip6tables-nft-save", "-c"),
                  "ip6tables-legacy-save-c.txt", List.of("ip6tables-legacy-save", "-c"),
                  "nft-j-list-ruleset.json", List.of("nft", "-j", "list", "ruleset")),
              c -> Optional.of(new FirewallSource(c.access(), c.network().firewallEveryCycles()))),
          new SourceSpec(
              "softnet",
              Group.NETWORK,
              true,
              HOST,
              WireTopics.SOFTNET,
              List.of(SoftnetSource.STAT, SoftnetSource.MAX_BACKLOG),
              Map.of(),
              c -> Optional.of(new SoftnetSource(c.paths()))),
          new SourceSpec(
              "route",
              Group.NETWORK,
              true,
              PER_NETNS,
              WireTopics.ROUTE,
              // arp_cache and ndisc_cache exist in the initial namespace only: not per-namespace
              // files a capture could read in each namespace (the fixture is a plain copy).
              List.of(),
              Map.of(),
              c -> Optional.of(new RouteSource(c.access()))),
          new SourceSpec(
              "dropreasons",
              Group.TRACE,
              false,
              HOST,
              WireTopics.DROP_REASONS,
              List.of(),
              Map.of(),
              c ->
                  Optional.of(
                      new DropReasonSource(
                          c.paths().sysRoot(), c.access() == null ? null : c.access().runner()))),
          new SourceSpec(
              "probe",
              Group.PROBE,
              true,
              PER_NETNS,
              WireTopics.PROBE,
              List.of(),
              Map.of(),
              c ->
                  c.probes().targets().isEmpty()
                      ? Optional.empty()
                      : Optional.of(
                          new ProbeSource(
                              c.access(),
                              c.probes().targets(),
                              c.probes().count(),
                              c.probes().timeout()))),
          new SourceSpec(
              "container",
              Group.CONTAINER,
              true,
              HOST,
              WireTopics.CONTAINER,
              List.of(),
              Map.of(),
              c -> Optional.of(new ContainerSource(c.paths(), c.containers()))),
          new SourceSpec(
              "kernel",
              Group.CONTAINER,
              true,
              HOST,
              WireTopics.KERNEL,
              List.of(),
              Map.of(),
              c -> Optional.of(new KernelOomSource(c.paths(), c.kernelLookBack()))));

  private SourceCatalogue() {}

  /** Every source name, in publishing order. */
  public static List<String> names() {
    return ALL.stream().map(SourceSpec::name).toList();
  }

  /** The names of one group's sources, in publishing order. */
  public static Set<String> names(Group group) {
    Set<String> names = new LinkedHashSet<>();
    ALL.stream().filter(s -> s.group() == group).forEach(s -> names.add(s.name()));
    return names;
  }

  /** The source of that name, if registered. */
  public static Optional<SourceSpec> byName(String name) {
    return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /**
   * The sources to run: the named ones, or (none named) those on by default.
   *
   * @throws IllegalArgumentException naming the unknown names and the known ones
   */
  public static Set<String> enabled(Iterable<String> requested) {
    Set<String> names = new LinkedHashSet<>();
    requested.forEach(names::add);
    if (names.isEmpty()) {
      ALL.stream().filter(SourceSpec::onByDefault).forEach(s -> names.add(s.name()));
      return names;
    }
    List<String> unknown = names.stream().filter(n -> byName(n).isEmpty()).toList();
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown source"
              + (unknown.size() == 1 ? " '" : "s '")
              + String.join("', '", unknown)
              + "'; known: "
              + String.join(", ", names()));
    }
    return names;
  }

  /** Builds the enabled sources of {@code context}, in catalogue order. */
  public static List<Source> build(SourceContext context, Set<String> enabled) {
    List<Source> sources = new ArrayList<>();
    for (SourceSpec spec : ALL) {
      if (enabled.contains(spec.name())) {
        spec.factory().create(context).ifPresent(sources::add);
      }
    }
    return List.copyOf(sources);
  }
}
