package dev.culprit.processor.scenarios;

import static dev.culprit.processor.SampleFactory.policy;
import static dev.culprit.processor.SampleFactory.rule;
import static dev.culprit.processor.scenarios.WebHost.HOST;
import static dev.culprit.processor.scenarios.WebHost.POD;

import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FirewallRule;
import java.util.List;
import java.util.Map;

/**
 * FIREWALL_DROP in user-defined chains: the share of a chain's traffic a rule drops is measured
 * against the packets that jumped into the chain, not only the ones the chain decided on (a chain
 * whose other packets return to the caller decides on few of them).
 */
final class ChainScenarios {

  private ChainScenarios() {}

  static List<Scenario> all() {
    return List.of(
        userChain(
            "firewall-random-reject-in-a-user-chain",
            "INPUT jumps all TCP to a chain whose only rule REJECTs port 80 at random: 140 of the"
                + " 700 packets that entered it, 20 %, not the 100 % of what the chain decided",
            "-A CULPRIT-T -p tcp -m tcp --dport 80 -m statistic --mode random --probability"
                + " 0.20000000019 -j REJECT --reject-with tcp-reset",
            "REJECT",
            140,
            700),
        userChain(
            "firewall-selective-drop-in-a-user-chain-of-a-trickle-is-quiet",
            "a chain that DROPs one scanner's subnet catches 5 of the 20000 packets INPUT sends"
                + " through it (the rest return and are accepted): a firewall doing its job",
            "-A SCANNERS -s 203.0.113.0/24 -j DROP",
            "DROP",
            5,
            20_000),
        nft(
            "firewall-nft-random-drop-in-a-base-chain",
            "nftables' numgen random drop of 30 % of port 80 in a base chain that counts nothing"
                + " else: named as random loss, its share taken over the namespace's IP input",
            "tcp dport == 80 numgen random mod 10 < 3 counter drop",
            0.3,
            300,
            1_000),
        uncountedPolicy(
            "firewall-iptables-nft-random-drop-without-policy-counters",
            "the lab's fault as iptables-nft reports it: the INPUT policy's counters are unknown"
                + " (iptables-nft prints [0:0] whatever passed), so the share is over Ip.InReceives",
            "iptables-nft",
            "ipv4",
            "filter",
            "INPUT",
            "-A INPUT -m statistic --mode random --probability 0.30000000004 -j DROP",
            0.3,
            90,
            300),
        uncountedPolicy(
            "firewall-nft-selective-forward-drop-counts-its-drops-in-the-share",
            "an nft forward chain drops one subnet's 60 packets while 540 are forwarded:"
                + " Ip.ForwDatagrams is counted past the hook, so the share is 60 of 600, 10 %,"
                + " not 60 of 540",
            "nft",
            "ipv4",
            "culprit",
            "forward",
            "ip saddr == 10.9.0.0/16 counter drop",
            null,
            60,
            540),
        uncountedPolicy(
            "firewall-nft-bridge-drop-without-a-measure-is-not-judged",
            "a selective drop in an nft bridge chain: IP counters never see bridged frames, so"
                + " there is no share to judge a selective rule by, and it stays quiet",
            "nft",
            "bridge",
            "culprit",
            "input",
            "ether type == arp counter drop",
            null,
            300,
            1_000),
        nft(
            "firewall-nft-selective-drop-of-a-trickle-is-quiet",
            "a healthy nftables host dropping 3 invalid packets of 20000 received: without a policy"
                + " counter the chain's traffic comes from Ip.InReceives, and 3 is a trickle",
            "ct state == invalid counter drop",
            null,
            3,
            20_000));
  }

  private static Scenario nft(
      String name, String why, String spec, Double probability, long dropped, long received) {
    return uncountedPolicy(
        name, why, "nft", "inet", "culprit", "input", spec, probability, dropped, received);
  }

  private static Scenario uncountedPolicy(
      String name,
      String why,
      String backend,
      String family,
      String table,
      String chain,
      String spec,
      Double probability,
      long dropped,
      long received) {
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (h, f, c) -> {
          String counter = chain.equalsIgnoreCase("forward") ? "Ip.ForwDatagrams" : "Ip.InReceives";
          h.pipe(f.protocol(POD, Map.of(counter, 5_000L + c * received)));
          FirewallRule rule =
              FirewallRule.newBuilder(rule(chain, 1, "DROP", spec, c * dropped, 0))
                  .setBackend(backend)
                  .setFamily(family)
                  .setTable(table)
                  .setStatisticMode(probability == null ? null : "random")
                  .setStatisticProbability(probability)
                  .build();
          ChainPolicy policy =
              ChainPolicy.newBuilder(policy(chain, "ACCEPT", 0, 0))
                  .setBackend(backend)
                  .setFamily(family)
                  .setTable(table)
                  .setPackets(null)
                  .setBytes(null)
                  .build();
          h.pipe(f.filter(POD, List.of(rule), List.of(policy)));
        });
  }

  private static Scenario userChain(
      String name, String why, String spec, String target, long dropped, long entered) {
    String chain = spec.substring(3, spec.indexOf(' ', 3));
    return Scenario.twoCycles(
        name,
        why,
        HOST,
        (h, f, c) -> {
          h.pipe(
              f.filter(
                  POD,
                  List.of(
                      rule("INPUT", 1, chain, "-A INPUT -p tcp -j " + chain, c * entered, 0),
                      rule(chain, 1, target, spec, c * dropped, c * dropped * 60)),
                  List.of(
                      policy("INPUT", "ACCEPT", c * (entered - dropped), 0),
                      policy(chain, "-", 0, 0),
                      policy("OUTPUT", "ACCEPT", 0, 0))));
        });
  }
}
