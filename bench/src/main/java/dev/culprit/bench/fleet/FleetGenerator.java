package dev.culprit.bench.fleet;

import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.ConntrackSample;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.SampleHeaders;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/**
 * A synthetic fleet: {@code hosts} hosts with {@code namespaces} network namespaces each (the
 * host's own plus containers), each publishing the five network samples per cycle with records the
 * size real ones have (some 220 protocol counters, docker-like firewall rules, veth pairs).
 * Counters grow steadily; a fraction of hosts carries one fault in its first container, rotating
 * through a random DROP rule, netem loss, an MTU of 100 and listen-queue overflows, so every faulty
 * host yields one cause per window. Each host also probes the next host's eth0 (unique in the
 * fleet; the containers' docker-style 172.17.0.x addresses are on every host, as in real fleets)
 * once per cycle, every probe answered.
 *
 * <p>Each host samples at its own phase within the interval, as independent collectors do.
 * Deterministic: the same options give the same records.
 */
public final class FleetGenerator {

  /** The four injected faults. */
  public enum Fault {
    RANDOM_DROP,
    NETEM_LOSS,
    SMALL_MTU,
    LISTEN_OVERFLOW
  }

  /**
   * What to generate.
   *
   * @param hosts number of hosts
   * @param namespaces namespaces per host, the host's own included (at least 1)
   * @param interval sampling interval
   * @param faultFraction share of hosts (0..1) with a fault
   */
  public record Options(int hosts, int namespaces, Duration interval, double faultFraction) {
    public Options {
      if (hosts < 1 || namespaces < 1 || interval.toMillis() < 1) {
        throw new IllegalArgumentException("hosts, namespaces and interval must be positive");
      }
      if (!(faultFraction >= 0 && faultFraction <= 1)) {
        throw new IllegalArgumentException("faultFraction must be within 0..1");
      }
    }
  }

  /**
   * One encoded record.
   *
   * @param topic its topic
   * @param key the host
   * @param value encoded with the topic's serde
   * @param sampleTimeMs its sample time
   */
  public record Generated(Topic<?> topic, String key, byte[] value, long sampleTimeMs) {}

  private static final List<String> PROTOCOL_COUNTERS = loadCounterNames();

  /** Protocol counters that count drops or errors, by their kernel names. */
  private static final java.util.regex.Pattern DROP_OR_ERROR =
      java.util.regex.Pattern.compile(
          "(?i)drop|err|discard|overflow|fail|prune|reversepath|reject|abort|timeout|noroutes");

  private static final String RANDOM_DROP_SPEC =
      "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP";

  private final Options options;
  private final long[] seq;

  public FleetGenerator(Options options) {
    this.options = Objects.requireNonNull(options);
    this.seq = new long[options.hosts()];
  }

  public Options options() {
    return options;
  }

  public static String hostName(int host) {
    return String.format("host-%05d", host);
  }

  /** Where within each interval host {@code host} samples, ms. */
  public long phaseMs(int host) {
    return (long) (unit(host, 0xC2B2AE3D27D4EB4FL) * options.interval().toMillis());
  }

  /** The host's fault, or null for a healthy host. */
  public Fault fault(int host) {
    if (unit(host, 0x9E3779B97F4A7C15L) >= options.faultFraction()) {
      return null;
    }
    // Without containers only the firewall fault has a place to live (the host namespace).
    return options.namespaces() < 2
        ? Fault.RANDOM_DROP
        : Fault.values()[host % Fault.values().length];
  }

  /** A well-spread number in [0, 1) from the host index, one stream per multiplier. */
  private static double unit(int host, long multiplier) {
    long mixed = (host + 1) * multiplier;
    mixed ^= mixed >>> 31;
    mixed *= 0xBF58476D1CE4E5B9L;
    mixed ^= mixed >>> 29;
    return (mixed >>> 11) / (double) (1L << 53);
  }

  /** Hosts with a fault. */
  public int faultyHosts() {
    int n = 0;
    for (int h = 0; h < options.hosts(); h++) {
      n += fault(h) == null ? 0 : 1;
    }
    return n;
  }

  /** Records per cycle of the whole fleet. */
  public long recordsPerCycle() {
    return options.hosts() * recordsPerHostCycle();
  }

  /** Records per cycle of one host: five per namespace and one probe round. */
  public long recordsPerHostCycle() {
    return 5L * options.namespaces() + 1;
  }

  /**
   * The records of cycle {@code cycle} of one host, sampled at {@code sampleTimeMs}.
   *
   * @param cycle how many cycles the host has sampled before (counters grow with it)
   */
  public List<Generated> hostCycle(int host, long cycle, long sampleTimeMs) {
    List<Generated> out = new ArrayList<>((int) recordsPerHostCycle());
    Fault fault = fault(host);
    for (int ns = 0; ns < options.namespaces(); ns++) {
      Fault here = ns == faultyNamespace() ? fault : null;
      String netns = ns == 0 ? "" : "ctr-" + ns;
      Header h = new Header(hostName(host), netns, sampleTimeMs, host);
      add(out, Topics.INTERFACE, interfaces(h, ns, cycle, here, fault), sampleTimeMs);
      add(out, Topics.PROTOCOL, protocol(h, cycle, here), sampleTimeMs);
      add(out, Topics.CONNTRACK, conntrack(h, cycle), sampleTimeMs);
      add(out, Topics.QDISC, qdiscs(h, ns, cycle, here), sampleTimeMs);
      add(out, Topics.FILTER, filter(h, ns, cycle, here), sampleTimeMs);
    }
    add(out, Topics.PROBE, probe(new Header(hostName(host), "", sampleTimeMs, host)), sampleTimeMs);
    return out;
  }

  /** The namespace a faulty host's fault is in: its first container's, or the host's own. */
  private int faultyNamespace() {
    return Math.min(1, options.namespaces() - 1);
  }

  /** The host's eth0 address, unique in the fleet (its containers' 172.17.0.x are not). */
  static String eth0Address(int host) {
    return "10." + ((host >> 16) & 255) + "." + ((host >> 8) & 255) + "." + (host & 255);
  }

  /** One probe round from the host namespace to the next host's eth0, all answered. */
  private ProbeSample probe(Header h) {
    return ProbeSample.newBuilder(stamped(h, new ProbeSample()))
        .setTargetAddress(eth0Address((h.index() + 1) % options.hosts()))
        .setTargetPort(80)
        .setProtocol("tcp-connect")
        .setSent(10)
        .setAnswered(10)
        .setRttMinMs(0.2)
        .setRttAvgMs(0.4)
        .setRttMaxMs(1.1)
        .build();
  }

  private record Header(String host, String netns, long timeMs, int index) {}

  private <V extends SpecificRecord> void add(
      List<Generated> out, Topic<V> topic, V record, long sampleTimeMs) {
    out.add(
        new Generated(
            topic, (String) record.get(0), topic.valueSerde().encode(record), sampleTimeMs));
  }

  private long nextSeq(Header h) {
    return ++seq[h.index()];
  }

  /** The sample header of host {@code h}, with its next sequence number. */
  private <R extends SpecificRecord> R stamped(Header h, R record) {
    return SampleHeaders.stamp(
        record,
        h.host(),
        h.netns(),
        h.timeMs(),
        "bench-collector-" + h.index(),
        "bench-boot-" + h.index(),
        nextSeq(h));
  }

  private InterfaceSample interfaces(Header h, int ns, long k, Fault fault, Fault hostFault) {
    List<InterfaceStats> ifs = new ArrayList<>();
    ifs.add(iface("lo", 1, 1, "loopback", 65536, List.of("127.0.0.1/8", "::1/128"), k, 50, 0, 0));
    if (ns == 0) {
      ifs.add(
          iface(
              "eth0",
              2,
              2,
              "ether",
              1500,
              List.of(eth0Address(h.index()) + "/8", "fe80::5/64"),
              k,
              20_000,
              0,
              0));
      ifs.add(iface("docker0", 3, 3, "bridge", 1500, List.of("172.17.0.1/16"), k, 5_000, 0, 0));
      for (int c = 1; c < options.namespaces(); c++) {
        ifs.add(
            iface(
                "veth" + c,
                10 + c,
                200 + c,
                "veth",
                1500,
                List.of("fe80::a:" + c + "/64"),
                k,
                2_000,
                0,
                // The host's end of a pair whose other end has a small MTU counts the frames the
                // kernel refused to hand over (veth_xmit), as the real kernel does.
                hostFault == Fault.SMALL_MTU && c == faultyNamespace() ? 34 : 0));
      }
    } else {
      boolean small = fault == Fault.SMALL_MTU;
      ifs.add(
          iface(
              "eth0",
              200 + ns,
              10 + ns,
              "veth",
              small ? 100 : 1500,
              List.of("172.17.0." + (ns + 1) + "/16", "fe80::b:" + ns + "/64"),
              k,
              2_000,
              small ? 34 : 0,
              0));
    }
    return InterfaceSample.newBuilder(stamped(h, new InterfaceSample())).setInterfaces(ifs).build();
  }

  private static InterfaceStats iface(
      String name,
      int index,
      int link,
      String type,
      int mtu,
      List<String> addresses,
      long k,
      long packetsPerCycle,
      long droppedPerCycle,
      long txDroppedPerCycle) {
    long rx = 1_000_000 + k * packetsPerCycle;
    long tx = 900_000 + k * packetsPerCycle * 9 / 10;
    return InterfaceStats.newBuilder()
        .setName(name)
        .setIfindex(index)
        .setPeerIfindex(link)
        .setLinkType(type)
        .setOperState("up")
        .setMtu(mtu)
        .setAddresses(new ArrayList<>(addresses))
        .setRxBytes(rx * 800)
        .setRxPackets(rx)
        .setRxErrors(0L)
        .setRxDropped(3 + k * droppedPerCycle)
        .setRxFifo(0L)
        .setRxFrame(0L)
        .setRxCompressed(0L)
        .setRxMulticast(k)
        .setRxMissedErrors(0L)
        .setRxOverErrors(0L)
        .setRxLengthErrors(0L)
        .setRxCrcErrors(0L)
        .setTxBytes(tx * 700)
        .setTxPackets(tx)
        .setTxErrors(0L)
        .setTxDropped(k * txDroppedPerCycle)
        .setTxFifo(0L)
        .setTxCollisions(0L)
        .setTxCarrier(0L)
        .setTxCompressed(0L)
        .build();
  }

  private ProtocolSample protocol(Header h, long k, Fault fault) {
    Map<String, Long> counters = new HashMap<>(PROTOCOL_COUNTERS.size() * 2);
    for (int i = 0; i < PROTOCOL_COUNTERS.size(); i++) {
      String name = PROTOCOL_COUNTERS.get(i);
      // A healthy host's drop and error counters stand still: every rule reads some of them as
      // evidence (ListenOverflows, TCPReqQFullDrop, Udp.InErrors, Ip.InDiscards, ...).
      boolean dropOrError = DROP_OR_ERROR.matcher(name).find();
      counters.put(name, 1000L * i + (dropOrError ? 0 : k * (i % 7)));
    }
    // Healthy hosts retransmit a little; faults add their own symptoms.
    counters.put("Tcp.RetransSegs", 5_000 + k * 3);
    counters.put("TcpExt.ListenOverflows", fault == Fault.LISTEN_OVERFLOW ? k * 40 : 0L);
    counters.put("TcpExt.ListenDrops", fault == Fault.LISTEN_OVERFLOW ? k * 42 : 0L);
    counters.put("Udp.RcvbufErrors", 0L);
    counters.put("Udp6.RcvbufErrors", 0L);
    counters.put("TcpExt.TCPRcvQDrop", 0L);
    counters.put("TcpExt.TCPBacklogDrop", 0L);
    counters.put("TcpExt.TCPOFODrop", 0L);
    counters.put("TcpExt.RcvPruned", 0L);
    counters.put("TcpExt.TCPSynRetrans", 100 + (fault == null ? 0 : k * 4));
    return ProtocolSample.newBuilder(stamped(h, new ProtocolSample()))
        .setCounters(counters)
        .build();
  }

  private ConntrackSample conntrack(Header h, long k) {
    Map<String, Long> stats = new HashMap<>();
    String[] names = {
      "found",
      "invalid",
      "insert",
      "insert_failed",
      "drop",
      "early_drop",
      "error",
      "expect_new",
      "expect_create",
      "expect_delete",
      "search_restart",
      "clash_resolve",
      "chaintoolong"
    };
    for (int i = 0; i < names.length; i++) {
      stats.put(names[i], i == 4 || i == 5 || i == 3 ? 0L : 100L * i + k * i);
    }
    stats.put("entries", 182L);
    return ConntrackSample.newBuilder(stamped(h, new ConntrackSample()))
        .setAvailable(true)
        .setCount(182 + (k % 20))
        .setMax(262_144L)
        .setBuckets(65_536L)
        .setStats(stats)
        .build();
  }

  private QdiscSample qdiscs(Header h, int ns, long k, Fault fault) {
    List<QdiscStats> qs = new ArrayList<>();
    if (ns == 0) {
      qs.add(qdisc("eth0", "fq_codel", "0:", null, k * 20_000, 0L, 10240L));
      qs.add(qdisc("docker0", "noqueue", "0:", null, null, null, null));
    } else if (fault == Fault.NETEM_LOSS) {
      qs.add(qdisc("eth0", "netem", "800d:", 30.0, k * 8, k * 4, 1000L));
    } else {
      qs.add(qdisc("eth0", "noqueue", "0:", null, null, null, null));
    }
    return QdiscSample.newBuilder(stamped(h, new QdiscSample())).setQdiscs(qs).build();
  }

  private static QdiscStats qdisc(
      String device,
      String kind,
      String handle,
      Double loss,
      Long packets,
      Long drops,
      Long limit) {
    return QdiscStats.newBuilder()
        .setDevice(device)
        .setKind(kind)
        .setHandle(handle)
        .setParent(null)
        .setRoot(true)
        .setOptions(loss == null ? new HashMap<>() : new HashMap<>(Map.of("loss", "30%")))
        .setLossPercent(loss)
        .setLimitPackets(limit)
        .setBytes(packets == null ? null : packets * 900)
        .setPackets(packets)
        .setDrops(drops)
        .setOverlimits(packets == null ? null : 0L)
        .setRequeues(packets == null ? null : 0L)
        .setBacklogBytes(packets == null ? null : 0L)
        .setBacklogPackets(packets == null ? null : 0L)
        .setQlen(packets == null ? null : 0L)
        .build();
  }

  private FilterSample filter(Header h, int ns, long k, Fault fault) {
    List<FirewallRule> rules = new ArrayList<>();
    List<ChainPolicy> policies = new ArrayList<>();
    if (ns == 0) {
      String[][] docker = {
        {"FORWARD", "DOCKER-USER", "-A FORWARD -j DOCKER-USER"},
        {"FORWARD", "DOCKER-ISOLATION-STAGE-1", "-A FORWARD -j DOCKER-ISOLATION-STAGE-1"},
        {
          "FORWARD",
          "ACCEPT",
          "-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
        },
        {"FORWARD", "DOCKER", "-A FORWARD -o docker0 -j DOCKER"},
        {"FORWARD", "ACCEPT", "-A FORWARD -i docker0 ! -o docker0 -j ACCEPT"},
        {"FORWARD", "ACCEPT", "-A FORWARD -i docker0 -o docker0 -j ACCEPT"},
        {
          "DOCKER-ISOLATION-STAGE-1",
          "DOCKER-ISOLATION-STAGE-2",
          "-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2"
        },
        {"DOCKER-ISOLATION-STAGE-1", "RETURN", "-A DOCKER-ISOLATION-STAGE-1 -j RETURN"},
        {"DOCKER-ISOLATION-STAGE-2", "DROP", "-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP"},
        {"DOCKER-ISOLATION-STAGE-2", "RETURN", "-A DOCKER-ISOLATION-STAGE-2 -j RETURN"},
        {"DOCKER-USER", "RETURN", "-A DOCKER-USER -j RETURN"},
        {"INPUT", "ACCEPT", "-A INPUT -i lo -j ACCEPT"},
      };
      Map<String, Integer> positions = new HashMap<>();
      if (fault == Fault.RANDOM_DROP) {
        positions.put("INPUT", 1); // The injected rule comes first.
      }
      for (String[] r : docker) {
        int position = positions.merge(r[0], 1, Integer::sum);
        long packets = r[1].equals("DROP") ? 0 : 10_000 + k * 500;
        rules.add(rule(r[0], position, r[1], r[2], packets));
      }
      policies.add(policy("FORWARD", "DROP", 12));
      policies.add(policy("INPUT", "ACCEPT", 50_000 + k * 15_000));
      policies.add(policy("OUTPUT", "ACCEPT", 40_000 + k * 14_000));
    } else {
      policies.add(policy("INPUT", "ACCEPT", 1_000 + k * 700));
      policies.add(policy("FORWARD", "ACCEPT", 0));
      policies.add(policy("OUTPUT", "ACCEPT", 1_000 + k * 650));
    }
    if (fault == Fault.RANDOM_DROP) {
      rules.add(0, rule("INPUT", 1, "DROP", RANDOM_DROP_SPEC, k * 300));
    }
    return FilterSample.newBuilder(stamped(h, new FilterSample()))
        .setBackends(List.of("iptables-nft"))
        .setRules(rules)
        .setPolicies(policies)
        .build();
  }

  private static FirewallRule rule(
      String chain, int position, String target, String spec, long packets) {
    boolean random = spec.contains("--mode random");
    return FirewallRule.newBuilder()
        .setBackend("iptables-nft")
        .setFamily("ipv4")
        .setTable("filter")
        .setChain(chain)
        .setPosition(position)
        .setTarget(target)
        .setSpec(spec)
        .setComment(null)
        .setStatisticMode(random ? "random" : null)
        .setStatisticProbability(random ? 0.3 : null)
        .setPackets(packets)
        .setBytes(packets * 60)
        .build();
  }

  private static ChainPolicy policy(String chain, String policy, long packets) {
    return ChainPolicy.newBuilder()
        .setBackend("iptables-nft")
        .setFamily("ipv4")
        .setTable("filter")
        .setChain(chain)
        .setPolicy(policy)
        .setPackets(packets)
        .setBytes(packets * 80)
        .build();
  }

  private static List<String> loadCounterNames() {
    try (var in = FleetGenerator.class.getResourceAsStream("protocol-counters.txt");
        var reader =
            new BufferedReader(
                new InputStreamReader(Objects.requireNonNull(in), StandardCharsets.UTF_8))) {
      return reader.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
