package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.iface;
import static dev.culprit.processor.SampleFactory.loopback;
import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.qdisc;
import static dev.culprit.processor.SampleFactory.rule;

import dev.culprit.processor.SampleFactory;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;

/**
 * The seed's machine as the collector would report it: the VM's host namespace (eth0 192.168.0.30,
 * docker0 172.17.0.1/16, the veth of the container) and the nginx container's namespace (eth0
 * 172.17.0.2/16 with MTU 100, a netem qdisc losing 30 %, a random 30 % DROP rule in INPUT and
 * OUTPUT). Counters of the second cycle are the seed's real outputs.
 */
public final class SeedHost {

  public static final String HOST = "seed-vm";
  public static final String NGINX = "nginx";

  private final SampleFactory samples;

  public SeedHost(long t0) {
    this.samples = new SampleFactory(HOST, t0);
  }

  public SampleFactory factory() {
    return samples;
  }

  /** What one cycle looks like. */
  public record State(
      int containerMtu,
      long containerRxPackets,
      long containerRxDropped,
      boolean netem,
      long netemSent,
      long netemBytes,
      long netemDrops,
      boolean dropRules,
      long inputDrops,
      long outputDrops,
      long inputAccepted,
      long outputAccepted,
      Map<String, Long> tcp) {}

  /** Before anything happened: zero counters, the faults already configured. */
  public static State quiet() {
    return new State(100, 0, 0, true, 0, 0, 0, true, 0, 0, 0, 0, tcp(0, 0, 0, 0, 0));
  }

  /**
   * The seed's numbers: netstat -i (RX-OK 157, RX-DRP 344), tc -s (Sent 8 pkt, dropped 4), iptables
   * -nvL (6 dropped in INPUT and OUTPUT, policies 25 and 15), netstat -s (11 failed attempts, 4
   * retransmits, 11 embryonic resets, 7 timeouts, 4 SYN retransmits).
   */
  public static State seed() {
    return new State(100, 157, 344, true, 8, 432, 4, true, 6, 6, 25, 15, tcp(11, 4, 11, 7, 4));
  }

  /** The samples of one cycle at {@code timeMs}. */
  public List<SpecificRecord> cycle(long timeMs, State s) {
    samples.at(timeMs);
    List<SpecificRecord> out = new ArrayList<>();
    out.add(
        samples.interfaces(
            "",
            loopback().build(),
            iface("eth0")
                .setIfindex(2)
                .setPeerIfindex(2)
                .setAddresses(new ArrayList<>(List.of("192.168.0.30/24", "fe80::1/64")))
                .setRxPackets(10_000 + s.containerRxPackets())
                .setTxPackets(8_000 + s.containerRxPackets())
                .build(),
            iface("docker0")
                .setIfindex(3)
                .setPeerIfindex(3)
                .setLinkType("bridge")
                .setAddresses(new ArrayList<>(List.of("172.17.0.1/16", "fe80::42:1/64")))
                .build(),
            iface("veth9a1b2c3")
                .setIfindex(8)
                .setPeerIfindex(7)
                .setLinkType("veth")
                .setAddresses(new ArrayList<>(List.of("fe80::9a:1/64")))
                .setTxPackets(s.containerRxPackets() + s.containerRxDropped())
                // veth_xmit counts each frame the container's MTU refused as the sender's drop.
                .setTxDropped(s.containerRxDropped())
                .build()));
    out.add(samples.protocol("", tcp(0, 0, 0, 0, 0)));
    out.add(samples.conntrack("", 182, 262_144, ctStats(0)));
    out.add(samples.qdiscs("", qdisc("eth0", "fq_codel", "0:").setPackets(10_000L).build()));
    out.add(
        samples.filter(
            "",
            List.of(),
            List.of(
                policy("INPUT", "ACCEPT", 10_000, 900_000),
                policy("FORWARD", "ACCEPT", 0, 0),
                policy("OUTPUT", "ACCEPT", 8_000, 700_000))));

    InterfaceStats containerEth0 =
        iface("eth0")
            .setIfindex(7)
            .setPeerIfindex(8)
            .setLinkType("veth")
            .setMtu(s.containerMtu())
            .setAddresses(new ArrayList<>(List.of("172.17.0.2/16", "fe80::42:ac11:2/64")))
            .setRxPackets(s.containerRxPackets())
            .setRxDropped(s.containerRxDropped())
            .setTxPackets(s.containerRxPackets() == 0 ? 0L : 94L)
            .build();
    out.add(samples.interfaces(NGINX, loopback().build(), containerEth0));
    out.add(samples.protocol(NGINX, s.tcp()));
    out.add(samples.conntrack(NGINX, 12, 262_144, ctStats(0)));
    out.add(
        samples.qdiscs(
            NGINX,
            s.netem()
                ? qdisc("eth0", "netem", "800d:")
                    .setLimitPackets(1000L)
                    .setLossPercent(30.0)
                    .setOptions(Map.of("limit", "1000", "loss", "30%"))
                    .setPackets(s.netemSent())
                    .setBytes(s.netemBytes())
                    .setDrops(s.netemDrops())
                    .build()
                : qdisc("eth0", "noqueue", "0:").setPackets(null).setDrops(null).build()));
    List<FirewallRule> rules = new ArrayList<>();
    if (s.dropRules()) {
      rules.add(
          rule(
              "INPUT",
              1,
              "DROP",
              "-A INPUT -m statistic --mode random --probability 0.30000000000 -j DROP",
              s.inputDrops(),
              s.inputDrops() * 40));
      rules.add(
          rule(
              "OUTPUT",
              1,
              "DROP",
              "-A OUTPUT -m statistic --mode random --probability 0.30000000000 -j DROP",
              s.outputDrops(),
              s.outputDrops() * 44));
    }
    out.add(
        samples.filter(
            NGINX,
            rules,
            List.of(
                policy("INPUT", "ACCEPT", s.inputAccepted(), s.inputAccepted() * 40),
                policy("FORWARD", "ACCEPT", 0, 0),
                policy("OUTPUT", "ACCEPT", s.outputAccepted(), s.outputAccepted() * 44))));
    return out;
  }

  /** Cumulative TCP counters of netstat -s, plus one the processor does not keep. */
  public static Map<String, Long> tcp(
      long attemptFails, long retrans, long embryonicRsts, long timeouts, long synRetrans) {
    return Map.of(
        "Tcp.AttemptFails",
        attemptFails,
        "Tcp.RetransSegs",
        retrans,
        "TcpExt.EmbryonicRsts",
        embryonicRsts,
        "TcpExt.TCPTimeouts",
        timeouts,
        "TcpExt.TCPSynRetrans",
        synRetrans,
        "TcpExt.ListenOverflows",
        0L,
        "TcpExt.ListenDrops",
        0L,
        "Udp.RcvbufErrors",
        0L,
        "Ip.InReceives",
        31 + retrans,
        "Tcp.CurrEstab",
        0L);
  }

  static Map<String, Long> ctStats(long dropped) {
    return Map.of(
        "found", 0L,
        "invalid", 3L,
        "insert", 100L,
        "insert_failed", 0L,
        "drop", dropped,
        "early_drop", 0L,
        "entries", 182L,
        "search_restart", 1L);
  }
}
