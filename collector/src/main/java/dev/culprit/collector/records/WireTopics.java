package dev.culprit.collector.records;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The sample topics the agent writes, with the agent's classes of their records. They mirror the
 * sample topics of {@code dev.culprit.schemas.Topics}, which the agent does not load: building
 * their serdes would load Avro's {@code Schema}. WireRecordsTest holds the two lists equal.
 */
public final class WireTopics {

  public static final WireTopic<InterfaceSample> INTERFACE =
      of(
          "culprit.samples.interface",
          InterfaceSample.class,
          InterfaceSample.SCHEMA_NAME,
          InterfaceSample.SCHEMA_JSON,
          InterfaceSample.FINGERPRINT);
  public static final WireTopic<ProtocolSample> PROTOCOL =
      new WireTopic<>(
          "culprit.samples.protocol",
          ProtocolSample.class,
          ProtocolSample.SCHEMA_NAME,
          ProtocolSample.SCHEMA_JSON,
          ProtocolSample.FINGERPRINT,
          ProtocolPacking::pack);
  public static final WireTopic<ConntrackSample> CONNTRACK =
      of(
          "culprit.samples.conntrack",
          ConntrackSample.class,
          ConntrackSample.SCHEMA_NAME,
          ConntrackSample.SCHEMA_JSON,
          ConntrackSample.FINGERPRINT);
  public static final WireTopic<QdiscSample> QDISC =
      of(
          "culprit.samples.qdisc",
          QdiscSample.class,
          QdiscSample.SCHEMA_NAME,
          QdiscSample.SCHEMA_JSON,
          QdiscSample.FINGERPRINT);
  public static final WireTopic<FilterSample> FILTER =
      of(
          "culprit.samples.filter",
          FilterSample.class,
          FilterSample.SCHEMA_NAME,
          FilterSample.SCHEMA_JSON,
          FilterSample.FINGERPRINT);
  public static final WireTopic<SoftnetSample> SOFTNET =
      of(
          "culprit.samples.softnet",
          SoftnetSample.class,
          SoftnetSample.SCHEMA_NAME,
          SoftnetSample.SCHEMA_JSON,
          SoftnetSample.FINGERPRINT);
  public static final WireTopic<RouteSample> ROUTE =
      of(
          "culprit.samples.route",
          RouteSample.class,
          RouteSample.SCHEMA_NAME,
          RouteSample.SCHEMA_JSON,
          RouteSample.FINGERPRINT);
  public static final WireTopic<DropReasonSample> DROP_REASONS =
      of(
          "culprit.samples.dropreasons",
          DropReasonSample.class,
          DropReasonSample.SCHEMA_NAME,
          DropReasonSample.SCHEMA_JSON,
          DropReasonSample.FINGERPRINT);
  public static final WireTopic<ContainerSample> CONTAINER =
      of(
          "culprit.samples.container",
          ContainerSample.class,
          ContainerSample.SCHEMA_NAME,
          ContainerSample.SCHEMA_JSON,
          ContainerSample.FINGERPRINT);
  public static final WireTopic<KernelOomSample> KERNEL =
      of(
          "culprit.samples.kernel",
          KernelOomSample.class,
          KernelOomSample.SCHEMA_NAME,
          KernelOomSample.SCHEMA_JSON,
          KernelOomSample.FINGERPRINT);
  public static final WireTopic<ProbeSample> PROBE =
      of(
          "culprit.samples.probe",
          ProbeSample.class,
          ProbeSample.SCHEMA_NAME,
          ProbeSample.SCHEMA_JSON,
          ProbeSample.FINGERPRINT);
  public static final WireTopic<CollectorHealth> COLLECTOR =
      of(
          "culprit.samples.collector",
          CollectorHealth.class,
          CollectorHealth.SCHEMA_NAME,
          CollectorHealth.SCHEMA_JSON,
          CollectorHealth.FINGERPRINT);

  private static final List<WireTopic<?>> ALL =
      List.of(
          INTERFACE,
          PROTOCOL,
          CONNTRACK,
          QDISC,
          FILTER,
          SOFTNET,
          ROUTE,
          DROP_REASONS,
          CONTAINER,
          KERNEL,
          PROBE,
          COLLECTOR);

  private WireTopics() {}

  /** Every sample topic the agent writes. */
  public static List<WireTopic<?>> all() {
    return ALL;
  }

  private static <V extends WireSample> WireTopic<V> of(
      String name, Class<V> type, String schemaName, String json, long fingerprint) {
    return new WireTopic<>(name, type, schemaName, json, fingerprint, UnaryOperator.identity());
  }
}
