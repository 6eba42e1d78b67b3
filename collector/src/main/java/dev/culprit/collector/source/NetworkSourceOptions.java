package dev.culprit.collector.source;

import java.time.Duration;
import java.util.Collections;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link NetworkSources#create} builds.
 *
 * @param enabled the source names to build: any of {@link #ALL}
 * @param devices which interfaces (and the qdiscs on them) to report; namespaces are filtered by
 *     the {@code ProcNamespaceFinder}
 * @param commandTimeout how long one tc / ip / iptables-save / nsenter may run
 * @param firewallEveryCycles list firewall rules on every N-th cycle per namespace (1 = every
 *     cycle, the default: counters only come with the listing)
 * @param netlink read links, addresses, qdiscs and namespace files through netlink sockets and file
 *     handles kept open per namespace (the default) when this host allows it; false forces the
 *     forking {@code ip}/{@code tc}/{@code nsenter} path
 */
public record NetworkSourceOptions(
    Set<String> enabled,
    NameFilter devices,
    Duration commandTimeout,
    int firewallEveryCycles,
    boolean netlink) {

  /** Every network source name, in publishing order: the catalogue's network group. */
  public static final Set<String> ALL =
      Collections.unmodifiableSet(SourceCatalogue.names(SourceSpec.Group.NETWORK));

  public NetworkSourceOptions {
    Objects.requireNonNull(enabled, "enabled");
    Objects.requireNonNull(devices, "devices");
    Objects.requireNonNull(commandTimeout, "commandTimeout");
    for (String name : enabled) {
      if (!ALL.contains(name)) {
        throw new IllegalArgumentException("unknown network source '" + name + "'; known: " + ALL);
      }
    }
    if (firewallEveryCycles < 1) {
      throw new IllegalArgumentException("firewallEveryCycles must be >= 1");
    }
    enabled = Set.copyOf(enabled);
  }

  /** With netlink on when this host allows it. */
  public NetworkSourceOptions(
      Set<String> enabled, NameFilter devices, Duration commandTimeout, int firewallEveryCycles) {
    this(enabled, devices, commandTimeout, firewallEveryCycles, true);
  }

  /**
   * Every source, every device, a 5 s command timeout, firewall every cycle, netlink if possible.
   */
  public static NetworkSourceOptions defaults() {
    return new NetworkSourceOptions(ALL, NameFilter.all(), Duration.ofSeconds(5), 1, true);
  }

  public NetworkSourceOptions withEnabled(Set<String> names) {
    return new NetworkSourceOptions(names, devices, commandTimeout, firewallEveryCycles, netlink);
  }

  public NetworkSourceOptions withDevices(NameFilter filter) {
    return new NetworkSourceOptions(enabled, filter, commandTimeout, firewallEveryCycles, netlink);
  }

  public NetworkSourceOptions withFirewallEveryCycles(int cycles) {
    return new NetworkSourceOptions(enabled, devices, commandTimeout, cycles, netlink);
  }

  public NetworkSourceOptions withNetlink(boolean use) {
    return new NetworkSourceOptions(enabled, devices, commandTimeout, firewallEveryCycles, use);
  }
}
