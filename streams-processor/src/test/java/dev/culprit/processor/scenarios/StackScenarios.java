package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.cpu;
import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.qdisc;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.Scenario.closing;
import static dev.culprit.processor.scenarios.Scenario.cycle;
import static dev.culprit.processor.scenarios.WebHost.HOST;
import static dev.culprit.processor.scenarios.WebHost.POD;

import dev.culprit.processor.SampleFactory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * FIREWALL_DROP, QDISC_LOSS, CONNTRACK_TABLE_FULL, LISTEN_OVERFLOW and SOCKET_BUFFER_OVERFLOW
 * beyond the seed: each fires once and has near misses. REVERSE_PATH_FILTER: rp_filter dropping
 * asymmetric traffic, and its healthy trickle. SOFTNET_BACKLOG_DROP: a CPU's input backlog
 * overflowing, and its near misses: a CPU squeezed for time that still emptied its backlog, a
 * burst's trickle, a healthy host.
 */
final class StackScenarios {

  private StackScenarios() {}

  static List<Scenario> all() {
    return List.of(
        Scenario.twoCycles(
            "qdisc-classful-root-and-dropping-leaf-reported-once",
            "an htb root whose bpf filter sends 28 % of packets to a zero-length pfifo leaf (the"
                + " lab's netem-less random loss): the root counts the leaf's drops too, so one"
                + " cause at the root, naming the leaf",
            HOST,
            (h, f, c) -> {
              h.pipe(
                  f.qdiscs(
                      "",
                      qdisc("eth0", "htb", "1:").setPackets(c * 126L).setDrops(c * 48L).build(),
                      qdisc("eth0", "pfifo", "2:")
                          .setRoot(false)
                          .setParent("1:2")
                          .setLimitPackets(0L)
                          .setDrops(c * 48L)
                          .build()));
            }),
        firewall(
            "firewall-drop-rule-flat-is-quiet",
            "the seed's random DROP rule still configured but its counter flat; ACCEPT rules"
                + " counting: nothing is dropped now",
            "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP",
            "DROP",
            6,
            6,
            "ACCEPT",
            0,
            900),
        firewall(
            "firewall-selective-drop-of-a-trickle-is-quiet",
            "a DROP of invalid conntrack states catching 3 of 20000 packets is a firewall doing"
                + " its job",
            "-A INPUT -m conntrack --ctstate INVALID -j DROP",
            "DROP",
            100,
            103,
            "ACCEPT",
            0,
            20_000),
        firewall(
            "firewall-selective-drop-of-a-real-share",
            "a REJECT of the service's own port catching 40 % of INPUT is a cause, with lower"
                + " confidence",
            "-A INPUT -p tcp -m tcp --dport 8080 -j REJECT --reject-with icmp-port-unreachable",
            "REJECT",
            0,
            400,
            "ACCEPT",
            0,
            600),
        firewall(
            "firewall-drop-policy",
            "a DROP policy catching 45 % of INPUT (only ssh is accepted) is named with the chain",
            "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT",
            "ACCEPT",
            0,
            550,
            "DROP",
            0,
            450),
        qdiscCase(
            "qdisc-tbf-overflow",
            "a tbf shaping eth0 to 1mbit drops 120 of 920 packets: named with its rate and limit",
            "tbf",
            800,
            120,
            900),
        qdiscCase(
            "qdisc-shaping-without-drops-is-quiet",
            "a tbf delaying packets (overlimits rising) without dropping loses nothing",
            "tbf",
            800,
            0,
            900),
        qdiscCase(
            "qdisc-aqm-trickle-is-quiet",
            "fq_codel shedding 1 of 100001 packets under a burst is congestion control at work",
            "fq_codel",
            100_000,
            1,
            0),
        conntrack(
            "conntrack-table-full",
            "261000 of 262144 entries with drop and early_drop rising: the table is full",
            261_000,
            Map.of("drop", 340L, "early_drop", 40L, "insert_failed", 0L)),
        conntrack(
            "conntrack-insert-races-on-a-half-full-table-are-quiet",
            "150000 of 262144 entries (57 %) with drop and insert_failed rising but early_drop flat:"
                + " lost insertion races, which a bigger table would not fix",
            150_000,
            Map.of("drop", 300L, "early_drop", 0L, "insert_failed", 300L)),
        qdiscCase(
            "qdisc-aqm-dropping-a-real-share-is-unexplained",
            "fq_codel dropping 5 % of what it handled: an AQM's early drops under congestion, with"
                + " no counter telling an overflow, so no qdisc is blamed; the loss is real, so"
                + " UNEXPLAINED_DROPS says where it was counted",
            "fq_codel",
            19_000,
            1_000,
            0),
        conntrack(
            "conntrack-seed-is-quiet",
            "the seed's 182 of 262144 with a few insert races is far from full: not the cause",
            182,
            Map.of("drop", 3L, "early_drop", 0L, "insert_failed", 3L)),
        protocol(
            "listen-overflow",
            "ListenOverflows and ListenDrops rising: the accept queue of a listener is full",
            Map.of("TcpExt.ListenOverflows", 40L, "TcpExt.ListenDrops", 42L)),
        protocol(
            "listen-drops-without-overflows-are-unexplained",
            "ListenDrops and retransmits rising while ListenOverflows and TCPReqQFullDrop stay 0:"
                + " SYNs dropped at a listener for other reasons, no queue was full, so not"
                + " LISTEN_OVERFLOW but UNEXPLAINED_DROPS at the TCP listeners",
            Map.of(
                "TcpExt.ListenDrops", 42L,
                "TcpExt.ListenOverflows", 0L,
                "TcpExt.TCPReqQFullDrop", 0L,
                "Tcp.RetransSegs", 60L)),
        protocol(
            "udp-in-errors-without-rcvbuf-errors-are-unexplained",
            "Udp.InErrors rising (500 of 20500 datagrams) while RcvbufErrors stays 0: checksum or"
                + " filter errors, not a full receive buffer, so not SOCKET_BUFFER_OVERFLOW but"
                + " UNEXPLAINED_DROPS at UDP input",
            Map.of("Udp.InErrors", 500L, "Udp.RcvbufErrors", 0L, "Udp.InDatagrams", 20_000L)),
        protocol(
            "udp-in-errors-trickle-is-quiet",
            "Udp.InErrors rising by 30 of 100030 datagrams: a trickle of bad datagrams, no loss"
                + " worth an event",
            Map.of("Udp.InErrors", 30L, "Udp.RcvbufErrors", 0L, "Udp.InDatagrams", 100_000L)),
        protocol(
            "ip-in-discards-are-unexplained",
            "Ip.InDiscards rising by 400 of 8000 received packets with no specific counter moving:"
                + " UNEXPLAINED_DROPS at IP input, never a guessed cause",
            Map.of("Ip.InDiscards", 400L, "Ip.InReceives", 8_000L)),
        protocol(
            "udp-rcvbuf-errors",
            "Udp RcvbufErrors rising: datagrams dropped at a full socket buffer",
            Map.of("Udp.RcvbufErrors", 1200L, "Udp.InDatagrams", 50_000L)),
        protocol(
            "tcp-receive-queue-drops",
            "TCPRcvQDrop and TCPBacklogDrop rising: segments dropped at full TCP receive queues",
            Map.of("TcpExt.TCPRcvQDrop", 300L, "TcpExt.TCPBacklogDrop", 100L)),
        protocol(
            "healthy-tcp-retransmits-are-quiet",
            "a healthy pod with some TCP retransmits and timeouts but no dropping counter: no"
                + " cause, no event",
            Map.of(
                "Tcp.RetransSegs", 12L,
                "TcpExt.TCPTimeouts", 2L,
                "Tcp.OutSegs", 40_000L,
                "TcpExt.ListenOverflows", 0L,
                "Udp.RcvbufErrors", 0L)),
        rpFilter(
            "rp-filter-drops-asymmetric-traffic",
            "strict rp_filter drops 200 of 1000 received packets that came in on an interface other"
                + " than the route back to their source (as made for real in a namespace with two"
                + " veths: TcpExt.IPReversePathFilter rose, no device counted a drop)",
            200,
            1_000),
        rpFilter(
            "rp-filter-trickle-of-spoofed-packets-is-quiet",
            "an Internet-facing host's rp_filter discarding 12 spoofed packets of 100000 is the"
                + " filter doing its job",
            12,
            100_000),
        softnet(
            "softnet-backlog-drop",
            "CPU 1 takes every receive of a single-queue NIC (no RSS/RPS): its backlog, bounded at"
                + " netdev_max_backlog 1000, drops 2400 of 60000 packets in a window while"
                + " time_squeeze rises; CPU 0 is idle",
            new long[] {40_000, 57_600},
            new long[] {0, 2_400},
            new long[] {3, 180}),
        softnet(
            "softnet-time-squeeze-without-drops-is-quiet",
            "both CPUs run out of softirq budget 500 times a window but their backlogs never"
                + " drop: busy, not losing",
            new long[] {80_000, 90_000},
            new long[] {0, 0},
            new long[] {500, 500}),
        softnet(
            "softnet-burst-trickle-is-quiet",
            "a burst costs CPU 0 four packets of 200000: the bound doing its job, not a cause",
            new long[] {200_000, 150_000},
            new long[] {4, 0},
            new long[] {2, 0}),
        softnet(
            "softnet-healthy-host-is-quiet",
            "a host receiving 100000 packets a window on two CPUs, nothing dropped or squeezed",
            new long[] {50_000, 50_000},
            new long[] {0, 0},
            new long[] {0, 0}));
  }

  private static Scenario firewall(
      String name,
      String why,
      String spec,
      String target,
      long before,
      long after,
      String policy,
      long policyBefore,
      long policyAfter) {
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (h, f, c) -> {
          long packets = c == 0 ? before : after;
          long policed = c == 0 ? policyBefore : policyAfter;
          h.pipe(
              f.filter(
                  POD,
                  List.of(
                      rule("INPUT", 1, target, spec, packets, packets * 60),
                      rule(
                          "OUTPUT",
                          1,
                          "ACCEPT",
                          "-A OUTPUT -o eth0 -j ACCEPT",
                          c * 700L,
                          c * 42_000L)),
                  List.of(
                      policy("INPUT", policy, policed, policed * 60),
                      policy("OUTPUT", "ACCEPT", 0, 0))));
        });
  }

  private static Scenario qdiscCase(
      String name, String why, String kind, long sent, long drops, long overlimits) {
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (h, f, c) -> {
          var q = qdisc("eth0", kind, kind.equals("tbf") ? "1:" : "0:");
          if (kind.equals("tbf")) {
            q.setRateBitsPerSecond(1_000_000L)
                .setBurstBytes(10_240L)
                .setLimitBytes(30_000L)
                .setOptions(Map.of("rate", "1Mbit", "burst", "10Kb", "limit", "30000b"));
          }
          h.pipe(
              f.qdiscs(
                  "",
                  q.setPackets(c * sent)
                      .setBytes(c * sent * 1200)
                      .setDrops(c * drops)
                      .setOverlimits(c * overlimits)
                      .setBacklogPackets(c * 3L)
                      .build()));
        });
  }

  private static Scenario conntrack(
      String name, String why, long count, Map<String, Long> statsIncrease) {
    return new Scenario(
        name,
        why,
        h -> {
          SampleFactory f = new SampleFactory(HOST, cycle(0));
          Map<String, Long> base = Map.of("drop", 10L, "early_drop", 0L, "insert_failed", 5L);
          h.pipe(f.conntrack("", count - 500, 262_144, base));
          f.at(cycle(1));
          Map<String, Long> later = new HashMap<>(base);
          statsIncrease.forEach((k, v) -> later.merge(k, v, Long::sum));
          later.put("entries", count);
          h.pipe(f.conntrack("", count, 262_144, later));
          h.advanceTo(closing(1));
        });
  }

  private static Scenario protocol(String name, String why, Map<String, Long> increase) {
    return new Scenario(
        name,
        why,
        h -> {
          SampleFactory f = new SampleFactory(HOST, cycle(0));
          Map<String, Long> base = new HashMap<>();
          increase.keySet().forEach(k -> base.put(k, 1_000L));
          base.put("Tcp.RetransSegs", 500L);
          base.put("Tcp.AttemptFails", 20L);
          h.pipe(f.protocol(POD, base));
          f.at(cycle(1));
          Map<String, Long> later = new HashMap<>(base);
          increase.forEach((k, v) -> later.merge(k, v, Long::sum));
          later.merge("Tcp.RetransSegs", 3L, Long::sum);
          h.pipe(f.protocol(POD, later));
          h.advanceTo(closing(1));
        });
  }

  private static Scenario rpFilter(String name, String why, long dropped, long received) {
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (h, f, c) -> {
          h.pipe(
              f.protocol(
                  POD,
                  Map.of(
                      "TcpExt.IPReversePathFilter",
                      3L + c * dropped,
                      "Ip.InReceives",
                      50_000L + c * received)));
        });
  }

  /** Two cycles; per CPU, how much processed, dropped and time_squeeze rise between them. */
  private static Scenario softnet(
      String name, String why, long[] processed, long[] dropped, long[] squeezed) {
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (h, f, c) -> {
          // The host namespace's protocol counters: the symptoms the event carries.
          h.pipe(
              f.protocol("", Map.of("Tcp.RetransSegs", 100L + c * 40)),
              f.softnet(
                  1_000L,
                  cpu(0, 7_000_000L + c * processed[0], 12L + c * dropped[0], 9L + c * squeezed[0]),
                  cpu(
                      1,
                      6_000_000L + c * processed[1],
                      30L + c * dropped[1],
                      4L + c * squeezed[1])));
        });
  }
}
