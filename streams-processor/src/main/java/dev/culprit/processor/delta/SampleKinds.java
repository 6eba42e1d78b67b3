package dev.culprit.processor.delta;

import dev.culprit.schemas.ConntrackSample;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.QdiscSample;
import java.util.List;
import java.util.Optional;

/** The network sample kinds the packet-loss topology cogroups, in a fixed order. */
public final class SampleKinds {

  public static final SampleKind<InterfaceSample> INTERFACE = new InterfaceKind();
  public static final SampleKind<ProtocolSample> PROTOCOL = new ProtocolKind();
  public static final SampleKind<ConntrackSample> CONNTRACK = new ConntrackKind();
  public static final SampleKind<QdiscSample> QDISC = new QdiscKind();
  public static final SampleKind<FilterSample> FILTER = new FilterKind();

  private static final List<SampleKind<?>> NETWORK =
      List.of(INTERFACE, PROTOCOL, CONNTRACK, QDISC, FILTER);

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
