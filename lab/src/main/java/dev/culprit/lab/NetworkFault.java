package dev.culprit.lab;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A fault the lab makes in the server namespace, with its settings. It is written to the state file
 * <em>before</em> it is applied, so {@code clear} and {@code down} can undo a half-applied fault
 * after a crash; every {@link #clear} therefore accepts a fault that is only partly there.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "fault")
@JsonSubTypes({
  @JsonSubTypes.Type(value = FirewallDropFault.class, name = "firewall-drop"),
  @JsonSubTypes.Type(value = QdiscLossFault.class, name = "qdisc-loss"),
  @JsonSubTypes.Type(value = MtuFault.class, name = "mtu"),
  @JsonSubTypes.Type(value = ConntrackFullFault.class, name = "conntrack-full"),
  @JsonSubTypes.Type(value = ListenOverflowFault.class, name = "listen-overflow"),
  @JsonSubTypes.Type(value = RpFilterFault.class, name = "rp-filter"),
  @JsonSubTypes.Type(value = RouteUnreachableFault.class, name = "route-unreachable"),
  @JsonSubTypes.Type(value = NeighbourUnresolvedFault.class, name = "neighbour-unresolved"),
})
public sealed interface NetworkFault extends FaultSpec
    permits FirewallDropFault,
        QdiscLossFault,
        MtuFault,
        ConntrackFullFault,
        ListenOverflowFault,
        RpFilterFault,
        RouteUnreachableFault,
        NeighbourUnresolvedFault {

  /** The network fault {@code kind} with its default settings. */
  static NetworkFault of(FaultKind kind) {
    if (!(kind.defaultSpec() instanceof NetworkFault fault)) {
      throw new IllegalArgumentException(kind + " is not a network fault");
    }
    return fault;
  }

  /** One line for {@code status} and the inject confirmation. */
  @Override
  String describe();

  /**
   * Makes the fault real; idempotent (applying twice leaves one fault).
   *
   * @return the fault as applied, when applying settled a choice (e.g. netem or tbf)
   */
  NetworkFault apply(LabContext lab);

  /** Undoes the fault, quietly skipping whatever is already gone. */
  void clear(LabContext lab);

  /** The kernel counters that show the fault working, as one line for {@code status}. */
  String evidence(LabContext lab);
}
