package dev.culprit.processor;

import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.ConntrackSample;
import dev.culprit.schemas.DropReasonCount;
import dev.culprit.schemas.DropReasonSample;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.NeighbourEntry;
import dev.culprit.schemas.NetnsKind;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.RouteEntry;
import dev.culprit.schemas.RouteSample;
import dev.culprit.schemas.SampleHeaders;
import dev.culprit.schemas.SoftnetCpu;
import dev.culprit.schemas.SoftnetSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * Builds sample records the way one host's collector publishes them: one header per cycle (host,
 * sample time, collector id, boot id) and a sequence number per record. Counters are cumulative, as
 * the kernel reports them.
 */
public final class SampleFactory {

  private final String host;
  private String collectorId = "collector-1";
  private String bootId = "boot-1";
  private long timeMs;
  private long seq;
  private final java.util.Map<String, NetnsKind> kinds = new java.util.HashMap<>();

  public SampleFactory(String host, long timeMs) {
    this.host = host;
    this.timeMs = timeMs;
  }

  public String host() {
    return host;
  }

  public long timeMs() {
    return timeMs;
  }

  /** Moves this collector's clock to the next cycle. */
  public SampleFactory at(long cycleTimeMs) {
    this.timeMs = cycleTimeMs;
    return this;
  }

  /** A new collector process (new id, sequence restarts). */
  public SampleFactory restartCollector(String newCollectorId) {
    this.collectorId = newCollectorId;
    this.seq = 0;
    return this;
  }

  /** The kernel rebooted: new boot id, and the collector restarts with it. */
  public SampleFactory reboot(String newBootId, String newCollectorId) {
    this.bootId = newBootId;
    return restartCollector(newCollectorId);
  }

  /**
   * From now on, samples of {@code netns} say it is of that kind (as the collector's namespace
   * finder sets it); without, they carry none, as those of collectors before the field.
   */
  public SampleFactory kind(String netns, NetnsKind kind) {
    kinds.put(netns, kind);
    return this;
  }

  /** This collector's header for {@code netns}, with the next sequence number. */
  private <R extends SpecificRecord> R stamped(String netns, R record) {
    return SampleHeaders.stamp(
        record, host, netns, kinds.get(netns), timeMs, collectorId, bootId, ++seq);
  }

  public InterfaceSample interfaces(String netns, InterfaceStats... interfaces) {
    return InterfaceSample.newBuilder(stamped(netns, new InterfaceSample()))
        .setInterfaces(new ArrayList<>(List.of(interfaces)))
        .build();
  }

  public ProtocolSample protocol(String netns, Map<String, Long> counters) {
    return ProtocolSample.newBuilder(stamped(netns, new ProtocolSample()))
        .setCounters(new HashMap<>(counters))
        .build();
  }

  public ConntrackSample conntrack(String netns, long count, long max, Map<String, Long> stats) {
    return ConntrackSample.newBuilder(stamped(netns, new ConntrackSample()))
        .setAvailable(true)
        .setCount(count)
        .setMax(max)
        .setBuckets(max / 4)
        .setStats(new HashMap<>(stats))
        .build();
  }

  public QdiscSample qdiscs(String netns, QdiscStats... qdiscs) {
    return QdiscSample.newBuilder(stamped(netns, new QdiscSample()))
        .setQdiscs(new ArrayList<>(List.of(qdiscs)))
        .build();
  }

  public FilterSample filter(String netns, List<FirewallRule> rules, List<ChainPolicy> policies) {
    return FilterSample.newBuilder(stamped(netns, new FilterSample()))
        .setBackends(List.of("iptables-nft"))
        .setRules(new ArrayList<>(rules))
        .setPolicies(new ArrayList<>(policies))
        .build();
  }

  /** The host-wide softnet statistics (always the host namespace, as the collector publishes). */
  public SoftnetSample softnet(Long netdevMaxBacklog, SoftnetCpu... cpus) {
    return SoftnetSample.newBuilder(stamped("", new SoftnetSample()))
        .setNetdevMaxBacklog(netdevMaxBacklog)
        .setCpus(new ArrayList<>(List.of(cpus)))
        .build();
  }

  /**
   * The route source's sample of {@code netns}: its default route, refusing routes and unresolved
   * neighbours as they are now (state, no counters).
   */
  public RouteSample routes(
      String netns,
      boolean defaultRoute,
      List<RouteEntry> routes,
      List<NeighbourEntry> neighbours) {
    return RouteSample.newBuilder(stamped(netns, new RouteSample()))
        .setRouteCount(3L + routes.size())
        .setDefaultRouteV4(defaultRoute)
        .setDefaultRouteV6(false)
        .setRoutes(new ArrayList<>(routes))
        .setNeighbourCount(2L + neighbours.size())
        .setNeighbours(new ArrayList<>(neighbours))
        .build();
  }

  /** A route of the main table, as the route source keeps it. */
  public static RouteEntry route(String type, String destination) {
    return RouteEntry.newBuilder()
        .setFamily(destination.contains(":") ? "inet6" : "inet")
        .setType(type)
        .setDestination(destination)
        .setTable(254L)
        .build();
  }

  /** An unresolved IPv4 neighbour entry. */
  public static NeighbourEntry neighbour(
      String address, int ifindex, String state, long usedAgoMs) {
    return NeighbourEntry.newBuilder()
        .setFamily("inet")
        .setAddress(address)
        .setIfindex(ifindex)
        .setState(state)
        .setUsedAgoMs(usedAgoMs)
        .setUpdatedAgoMs(usedAgoMs)
        .setProbes(3L)
        .build();
  }

  /**
   * The host's drop reasons as the collector's {@code --drop-reasons} source publishes them (always
   * the host namespace): cumulative drops, records read, and per reason the records read and the
   * drops they stand for.
   */
  public DropReasonSample dropReasons(long drops, long sampled, DropReasonCount... reasons) {
    return DropReasonSample.newBuilder(stamped("", new DropReasonSample()))
        .setDrops(drops)
        .setSampled(sampled)
        .setBufferKbPerCpu(8L)
        .setReasons(new ArrayList<>(List.of(reasons)))
        .build();
  }

  /** One reason of a drop-reason sample, cumulative: records read, drops estimated. */
  public static DropReasonCount reason(String reason, long sampled, long estimated) {
    return new DropReasonCount(reason, sampled, estimated);
  }

  /** One CPU's softnet_stat row, cumulative, on a 15-column (6.x) kernel with RPS idle. */
  public static SoftnetCpu cpu(int cpu, long processed, long dropped, long timeSqueeze) {
    return SoftnetCpu.newBuilder()
        .setCpu(cpu)
        .setProcessed(processed)
        .setDropped(dropped)
        .setTimeSqueeze(timeSqueeze)
        .setReceivedRps(0L)
        .setFlowLimitCount(0L)
        .setBacklogLen(0L)
        .setInputQlen(0L)
        .setProcessQlen(0L)
        .build();
  }

  /**
   * One probe round from this host's {@code netns} to {@code target:port}: {@code sent} probes, of
   * which {@code answered} came back, with RTTs (null: none measured).
   */
  public ProbeSample probe(
      String netns,
      String target,
      int port,
      long sent,
      long answered,
      Double rttMinMs,
      Double rttAvgMs,
      Double rttMaxMs) {
    return ProbeSample.newBuilder(stamped(netns, new ProbeSample()))
        .setTargetAddress(target)
        .setTargetPort(port)
        .setProtocol("tcp-connect")
        .setSent(sent)
        .setAnswered(answered)
        .setRttMinMs(rttMinMs)
        .setRttAvgMs(rttAvgMs)
        .setRttMaxMs(rttMaxMs)
        .build();
  }

  /** An interface with every counter reported as zero, MTU 1500, up. */
  public static InterfaceStats.Builder iface(String name) {
    return InterfaceStats.newBuilder()
        .setName(name)
        .setLinkType("ether")
        .setOperState("up")
        .setMtu(1500)
        .setAddresses(new ArrayList<>())
        .setRxBytes(0L)
        .setRxPackets(0L)
        .setRxErrors(0L)
        .setRxDropped(0L)
        .setRxFifo(0L)
        .setRxFrame(0L)
        .setRxCompressed(0L)
        .setRxMulticast(0L)
        .setRxMissedErrors(0L)
        .setRxOverErrors(0L)
        .setRxLengthErrors(0L)
        .setRxCrcErrors(0L)
        .setTxBytes(0L)
        .setTxPackets(0L)
        .setTxErrors(0L)
        .setTxDropped(0L)
        .setTxFifo(0L)
        .setTxCollisions(0L)
        .setTxCarrier(0L)
        .setTxCompressed(0L);
  }

  /** The loopback device as every namespace has it. */
  public static InterfaceStats.Builder loopback() {
    return iface("lo")
        .setLinkType("loopback")
        .setOperState("unknown")
        .setMtu(65536)
        .setIfindex(1)
        .setPeerIfindex(1)
        .setAddresses(new ArrayList<>(List.of("127.0.0.1/8", "::1/128")));
  }

  /** A qdisc with zero counters. */
  public static QdiscStats.Builder qdisc(String device, String kind, String handle) {
    return QdiscStats.newBuilder()
        .setDevice(device)
        .setKind(kind)
        .setHandle(handle)
        .setParent(null)
        .setRoot(true)
        .setOptions(new HashMap<>())
        .setBytes(0L)
        .setPackets(0L)
        .setDrops(0L)
        .setOverlimits(0L)
        .setRequeues(0L)
        .setBacklogBytes(0L)
        .setBacklogPackets(0L)
        .setQlen(0L);
  }

  /** An iptables filter-table rule as iptables-save -c reads it. */
  public static FirewallRule rule(
      String chain, int position, String target, String spec, long packets, long bytes) {
    return FirewallRule.newBuilder()
        .setBackend("iptables-nft")
        .setFamily("ipv4")
        .setTable("filter")
        .setChain(chain)
        .setPosition(position)
        .setTarget(target)
        .setSpec(spec)
        .setComment(null)
        .setStatisticMode(spec.contains("--mode random") ? "random" : null)
        .setStatisticProbability(
            spec.contains("--probability")
                ? Double.parseDouble(spec.replaceAll(".*--probability (\\S+).*", "$1"))
                : null)
        .setPackets(packets)
        .setBytes(bytes)
        .build();
  }

  /** A built-in filter-table chain policy with its counters. */
  public static ChainPolicy policy(String chain, String policy, long packets, long bytes) {
    return ChainPolicy.newBuilder()
        .setBackend("iptables-nft")
        .setFamily("ipv4")
        .setTable("filter")
        .setChain(chain)
        .setPolicy(policy)
        .setPackets(packets)
        .setBytes(bytes)
        .build();
  }
}
