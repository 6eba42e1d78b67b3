package dev.culprit.lab;

import dev.culprit.schemas.Cause;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Every fault {@code culprit lab inject} can make, network and container, in one registry: its
 * command-line name, what it needs, its default settings ({@link #defaultSpec}) and the cause
 * culprit is expected to name for it. Each fault's options and help live in its {@link
 * LabInjectCommand} subcommand; a test keeps the two lists the same.
 */
public enum FaultKind {
  FIREWALL_DROP("firewall-drop", Cause.FIREWALL_DROP, Need.ROOT, Need.NETWORK_LAB),
  QDISC_LOSS("qdisc-loss", Cause.QDISC_LOSS, Need.ROOT, Need.NETWORK_LAB),
  MTU("mtu", Cause.MTU_MISMATCH, Need.ROOT, Need.NETWORK_LAB),
  CONNTRACK_FULL("conntrack-full", Cause.CONNTRACK_TABLE_FULL, Need.ROOT, Need.NETWORK_LAB),
  LISTEN_OVERFLOW("listen-overflow", Cause.LISTEN_OVERFLOW, Need.ROOT, Need.NETWORK_LAB),
  RP_FILTER("rp-filter", Cause.REVERSE_PATH_FILTER, Need.ROOT, Need.NETWORK_LAB),
  ROUTE_UNREACHABLE("route-unreachable", Cause.ROUTE_UNREACHABLE, Need.ROOT, Need.NETWORK_LAB),
  NEIGHBOUR_UNRESOLVED(
      "neighbour-unresolved", Cause.NEIGHBOUR_UNRESOLVED, Need.ROOT, Need.NETWORK_LAB),
  OOM_JVM("oom-jvm", Cause.JVM_HEAP_EXCEEDS_LIMIT, Need.ROOT, Need.CGROUPS),
  /** The seed's JVM known only by its command line, which the dying process shows empty. */
  OOM_JVM_CMDLINE("oom-jvm-cmdline", Cause.JVM_HEAP_EXCEEDS_LIMIT, Need.ROOT, Need.CGROUPS),
  OOM_PROCESS("oom-process", Cause.PROCESS_MEMORY_GROWTH, Need.ROOT, Need.CGROUPS),
  CPU_THROTTLE("cpu-throttle", Cause.CPU_THROTTLED, Need.ROOT, Need.CGROUPS),
  /** The near miss: a Java OutOfMemoryError is no kernel OOM kill, so culprit must name nothing. */
  JVM_HEAP_ERROR("jvm-heap-error", null, Need.ROOT, Need.CGROUPS);

  /** What injecting a fault needs, besides Linux. */
  public enum Need {
    /** Namespaces, iptables, host sysctls and cgroups are root's. */
    ROOT,
    /** The network lab up ({@code culprit lab up}), with its tools ({@link Tools.Tool}). */
    NETWORK_LAB,
    /** A writable cgroup hierarchy (v2, or v1 memory and cpu); no network lab, no Docker Engine. */
    CGROUPS
  }

  private final String cliName;
  private final Cause expectedCause;
  private final Set<Need> needs;

  FaultKind(String cliName, Cause expectedCause, Need first, Need... rest) {
    this.cliName = cliName;
    this.expectedCause = expectedCause;
    this.needs = EnumSet.of(first, rest);
  }

  public String cliName() {
    return cliName;
  }

  /** The cause culprit names for this fault; empty for a near miss, where it must name none. */
  public Optional<Cause> expectedCause() {
    return Optional.ofNullable(expectedCause);
  }

  public Set<Need> needs() {
    return EnumSet.copyOf(needs);
  }

  /** A fault in the network lab's server namespace (else one in a cgroup of its own). */
  public boolean isNetwork() {
    return needs.contains(Need.NETWORK_LAB);
  }

  /** The fault with its default settings (those of the seed where it has them). */
  public FaultSpec defaultSpec() {
    return switch (this) {
      case FIREWALL_DROP ->
          new FirewallDropFault(
              FirewallDropFault.Chain.parse(FirewallDropFault.DEFAULT_CHAIN),
              Double.parseDouble(FirewallDropFault.DEFAULT_PROBABILITY));
      case QDISC_LOSS ->
          new QdiscLossFault(
              QdiscLossFault.Mode.AUTO,
              Double.parseDouble(QdiscLossFault.DEFAULT_LOSS),
              QdiscLossFault.DEFAULT_RATE,
              QdiscLossFault.DEFAULT_BURST,
              QdiscLossFault.DEFAULT_LIMIT,
              null);
      case MTU -> new MtuFault(Integer.parseInt(MtuFault.DEFAULT_FAULT_MTU));
      case CONNTRACK_FULL ->
          new ConntrackFullFault(Integer.parseInt(ConntrackFullFault.DEFAULT_MAX));
      case LISTEN_OVERFLOW ->
          new ListenOverflowFault(
              Integer.parseInt(ListenOverflowFault.DEFAULT_PORT),
              Integer.parseInt(ListenOverflowFault.DEFAULT_BACKLOG));
      case RP_FILTER -> new RpFilterFault(Integer.parseInt(RpFilterFault.DEFAULT_CLIENT));
      case ROUTE_UNREACHABLE ->
          new RouteUnreachableFault(
              Integer.parseInt(RouteUnreachableFault.DEFAULT_CLIENT),
              RouteUnreachableFault.DEFAULT_TYPE);
      case NEIGHBOUR_UNRESOLVED ->
          new NeighbourUnresolvedFault(Integer.parseInt(NeighbourUnresolvedFault.DEFAULT_CLIENT));
      case OOM_JVM, OOM_JVM_CMDLINE, OOM_PROCESS, CPU_THROTTLE, JVM_HEAP_ERROR ->
          ContainerFault.of(this);
    };
  }

  /** The faults in the network lab's server namespace, in registry order. */
  public static List<FaultKind> network() {
    return Arrays.stream(values()).filter(FaultKind::isNetwork).toList();
  }

  /** The faults in cgroups of their own, in registry order. */
  public static List<FaultKind> container() {
    return Arrays.stream(values()).filter(kind -> !kind.isNetwork()).toList();
  }

  @Override
  public String toString() {
    return cliName;
  }

  /**
   * Accepts the command-line name ({@code firewall-drop}) or the constant name. An unknown name
   * lists every fault the registry knows.
   */
  public static FaultKind parse(String name) {
    for (FaultKind kind : values()) {
      if (kind.cliName.equals(name) || kind.name().equalsIgnoreCase(name)) {
        return kind;
      }
    }
    throw new LabException(
        "unknown fault '"
            + name
            + "'; known: "
            + Arrays.stream(values()).map(FaultKind::cliName).collect(Collectors.joining(", ")));
  }
}
