package dev.culprit.schemas;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The immutable registry of every culprit topic with its serdes: the public contract the README's
 * topic table describes. A topic is only ever read or written through the {@link Topic} constant,
 * so it can never meet the wrong serde.
 */
public final class Topics {

  public static final Topic<InterfaceSample> INTERFACE =
      sample(
          "culprit.samples.interface",
          InterfaceSample.class,
          "all interfaces of one netns: MTU, state, addresses, rx/tx counters");
  public static final Topic<ProtocolSample> PROTOCOL =
      sample(
          "culprit.samples.protocol",
          ProtocolSample.class,
          "/proc/net/snmp + /proc/net/netstat counters of one netns");
  public static final Topic<ConntrackSample> CONNTRACK =
      sample(
          "culprit.samples.conntrack",
          ConntrackSample.class,
          "conntrack count, max and per-CPU stat totals of one netns");
  public static final Topic<QdiscSample> QDISC =
      sample(
          "culprit.samples.qdisc",
          QdiscSample.class,
          "every qdisc of one netns with options and drop/overlimit counters");
  public static final Topic<FilterSample> FILTER =
      sample(
          "culprit.samples.filter",
          FilterSample.class,
          "every firewall rule and chain policy of one netns with counters");
  public static final Topic<SoftnetSample> SOFTNET =
      sample(
          "culprit.samples.softnet",
          SoftnetSample.class,
          "the host's per-CPU softnet_stat counters (backlog drops, time squeeze) and"
              + " netdev_max_backlog");
  public static final Topic<RouteSample> ROUTE =
      sample(
          "culprit.samples.route",
          RouteSample.class,
          "the routes of one netns that refuse traffic, its default routes and its unresolved"
              + " neighbour entries (host-wide neighbour-table statistics in the host's own)");
  public static final Topic<DropReasonSample> DROP_REASONS =
      sample(
          "culprit.samples.dropreasons",
          DropReasonSample.class,
          "the kernel's drop reasons on the host (skb:kfree_skb, sampled; --drop-reasons, off by"
              + " default): exact total, sampled and estimated count per reason");
  public static final Topic<ContainerSample> CONTAINER =
      sample(
          "culprit.samples.container",
          ContainerSample.class,
          "every container/cgroup: memory, OOM and CPU throttling counters, engine state, JVMs");
  public static final Topic<KernelOomSample> KERNEL =
      sample(
          "culprit.samples.kernel",
          KernelOomSample.class,
          "one kernel OOM-kill record from /dev/kmsg");
  public static final Topic<ProbeSample> PROBE =
      sample(
          "culprit.samples.probe",
          ProbeSample.class,
          "one active probe round from this host to a target");
  public static final Topic<CollectorHealth> COLLECTOR =
      sample(
          "culprit.samples.collector",
          CollectorHealth.class,
          "the collector's own health: per-source status, durations, spool");
  public static final Topic<RootCause> ROOTCAUSE_PACKET_LOSS =
      new Topic<>(
          "culprit.rootcause.packet-loss",
          Topic.Kind.RESULT,
          RootCause.class,
          new AvroSerde<>(RootCause.class),
          "a packet-loss root cause with evidence, symptoms and remediation");
  public static final Topic<RootCause> ROOTCAUSE_OOM =
      new Topic<>(
          "culprit.rootcause.oom",
          Topic.Kind.RESULT,
          RootCause.class,
          ROOTCAUSE_PACKET_LOSS.valueSerde(),
          "an OOM-kill or CPU-throttling root cause with evidence and remediation");
  public static final Topic<FleetIncident> FLEET_INCIDENTS =
      new Topic<>(
          "culprit.incidents.fleet",
          Topic.Kind.RESULT,
          FleetIncident.class,
          new AvroSerde<>(FleetIncident.class),
          "one cause seen on many hosts at once, with the host list");
  public static final Topic<CauseTransition> ROOTCAUSE_TRANSITIONS =
      new Topic<>(
          "culprit.rootcause.transitions",
          Topic.Kind.RESULT,
          CauseTransition.class,
          new AvroSerde<>(CauseTransition.class),
          "a cause's life on one host and namespace: STARTED, ONGOING reminders, ENDED with"
              + " duration and totals");
  public static final Topic<DeadLetter> DEAD_LETTER =
      new Topic<>(
          "culprit.deadletter",
          Topic.Kind.DEAD_LETTER,
          DeadLetter.class,
          new AvroSerde<>(DeadLetter.class),
          "records that could not be decoded, with the reason");

  private static final List<Topic<?>> ALL =
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
          COLLECTOR,
          ROOTCAUSE_PACKET_LOSS,
          ROOTCAUSE_OOM,
          FLEET_INCIDENTS,
          ROOTCAUSE_TRANSITIONS,
          DEAD_LETTER);

  private static final Map<String, Topic<?>> BY_NAME =
      ALL.stream()
          .collect(
              Collectors.toMap(
                  Topic::name,
                  t -> t,
                  (a, b) -> {
                    throw new IllegalStateException("duplicate topic " + a.name());
                  },
                  LinkedHashMap::new));

  private Topics() {}

  /** Every contract topic, samples first, in a fixed order. */
  public static List<Topic<?>> all() {
    return ALL;
  }

  /** The sample topics (inputs of the processor). */
  public static List<Topic<?>> samples() {
    return ALL.stream().filter(t -> t.kind() == Topic.Kind.SAMPLE).toList();
  }

  /** The topic of that name, if it is part of the contract. */
  public static Optional<Topic<?>> byName(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  private static <V extends org.apache.avro.specific.SpecificRecord> Topic<V> sample(
      String name, Class<V> type, String description) {
    return new Topic<>(name, Topic.Kind.SAMPLE, type, new AvroSerde<>(type), description);
  }
}
