package dev.culprit.processor.delta;

import dev.culprit.schemas.ConntrackSample;
import dev.culprit.schemas.DropReasonSample;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.RouteSample;
import dev.culprit.schemas.SoftnetSample;
import java.util.List;
import java.util.Optional;

/**
 * The network sample kinds the packet-loss topology cogroups, in a fixed order: registering a new
 * per-namespace (or host-wide) sample topic for the window is one kind and one line here.
 */
public final class SampleKinds {

  public static final SampleKind<InterfaceSample> INTERFACE = new InterfaceKind();
  public static final SampleKind<ProtocolSample> PROTOCOL = new ProtocolKind();
  public static final SampleKind<ConntrackSample> CONNTRACK = new ConntrackKind();
  public static final SampleKind<QdiscSample> QDISC = new QdiscKind();
  public static final SampleKind<FilterSample> FILTER = new FilterKind();
  public static final SampleKind<SoftnetSample> SOFTNET = new SoftnetKind();
  public static final SampleKind<RouteSample> ROUTE = new RouteKind();
  public static final SampleKind<DropReasonSample> DROP_REASONS = new DropReasonKind();

  /**
   * The registry: every kind the per-namespace window holds, in cogroup order. Append only: a
   * kind's position is its cogroup node's name ({@code cogroup-agg-N}) in running deployments.
   */
  private static final List<SampleKind<?>> NETWORK =
      List.of(INTERFACE, PROTOCOL, CONNTRACK, QDISC, FILTER, SOFTNET, ROUTE, DROP_REASONS);

  /**
   * How many kinds joined the window before the probe rounds did: probes hold cogroup slot {@value}
   * and every kind registered later comes after them.
   */
  public static final int BEFORE_PROBES = 5;

  private SampleKinds() {}

  /** Every network kind, in cogroup order. */
  public static List<SampleKind<?>> network() {
    return NETWORK;
  }

  /** The kind reading that topic. */
  public static Optional<SampleKind<?>> byTopic(String topicName) {
    return NETWORK.stream().filter(k -> k.topic().name().equals(topicName)).findFirst();
  }
}
