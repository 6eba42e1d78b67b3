package dev.culprit.lab;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The faults {@code culprit lab inject} can make, by their command-line names. */
public enum FaultKind {
  FIREWALL_DROP("firewall-drop"),
  QDISC_LOSS("qdisc-loss"),
  MTU("mtu"),
  CONNTRACK_FULL("conntrack-full"),
  LISTEN_OVERFLOW("listen-overflow"),
  RP_FILTER("rp-filter");

  private final String cliName;

  FaultKind(String cliName) {
    this.cliName = cliName;
  }

  public String cliName() {
    return cliName;
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
    };
  }

  @Override
  public String toString() {
    return cliName;
  }

  /** Accepts the command-line name ({@code firewall-drop}) or the constant name. */
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
