package dev.culprit.collector.source.firewall;

import dev.culprit.collector.records.ChainPolicy;
import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code iptables-save -c} (and the ip6tables / legacy variants, which print the same).
 *
 * <pre>
 * *filter
 * :INPUT ACCEPT [0:0]
 * :CULPRIT-LOG - [0:0]
 * [3:180] -A INPUT -m statistic --mode random --probability 0.29999999981 -j DROP
 * [17:1532] -A OUTPUT -m statistic ... -m comment --comment "seed: random \"30%\" drop" -j DROP
 * COMMIT
 * </pre>
 *
 * <p>Every rule is kept, with or without a comment or target. Positions count from 1 per (table,
 * chain) in file order, which is the order {@code iptables -L --line-numbers} shows. Without {@code
 * -c} there are no {@code [pkts:bytes]} and the counters are null, not 0.
 */
public final class IptablesSaveParser {

  /** iptables stores the probability as a 31-bit fraction and prints 0.3 back as 0.29999999981. */
  private static final double PROBABILITY_SCALE = 1e9;

  private IptablesSaveParser() {}

  /** Rules and policies of one save output. */
  public record Ruleset(List<FirewallRule> rules, List<ChainPolicy> policies) {}

  /**
   * Parses the command's stdout.
   *
   * @param backend the backend name for the records (iptables-nft, ...)
   * @param family ipv4 or ipv6
   */
  public static Ruleset parse(String source, String text, String backend, String family)
      throws ParseException {
    List<FirewallRule> rules = new ArrayList<>();
    List<ChainPolicy> policies = new ArrayList<>();
    Map<String, Integer> positions = new HashMap<>();
    String table = null;
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      int n = i + 1;
      if (line.isEmpty() || line.startsWith("#") || line.equals("COMMIT")) {
        continue;
      }
      if (line.startsWith("*")) {
        table = line.substring(1);
        continue;
      }
      if (table == null) {
        throw new ParseException(source, n, "rule or chain before any *table line");
      }
      if (line.startsWith(":")) {
        policies.add(policy(source, n, line, backend, family, table));
        continue;
      }
      long[] counters = null;
      String spec = line;
      if (line.startsWith("[")) {
        int close = line.indexOf(']');
        if (close < 0) {
          throw new ParseException(source, n, "unterminated [pkts:bytes]");
        }
        counters = counters(source, n, line.substring(1, close));
        spec = line.substring(close + 1).strip();
      }
      if (!spec.startsWith("-A ")) {
        throw new ParseException(source, n, "expected '-A CHAIN ...', got: " + spec);
      }
      List<String> args = Shell.split(source, n, spec);
      if (args.size() < 2) {
        throw new ParseException(source, n, "-A without a chain");
      }
      String chain = args.get(1);
      int position = positions.merge(table + "\u0000" + chain, 1, Integer::sum);
      rules.add(rule(args, spec, counters, backend, family, table, chain, position));
    }
    return new Ruleset(rules, policies);
  }

  private static FirewallRule rule(
      List<String> args,
      String spec,
      long[] counters,
      String backend,
      String family,
      String table,
      String chain,
      int position) {
    String target = null;
    String comment = null;
    String mode = null;
    Double probability = null;
    for (int a = 2; a < args.size() - 1; a++) {
      String value = args.get(a + 1);
      switch (args.get(a)) {
        case "-j", "--jump", "-g", "--goto" -> target = value;
        case "--comment" -> comment = value;
        case "--mode" -> mode = value;
        case "--probability" -> probability = probability(value);
        default -> {
          // other matches stay in the spec text
        }
      }
    }
    return FirewallRule.newBuilder()
        .setBackend(backend)
        .setFamily(family)
        .setTable(table)
        .setChain(chain)
        .setPosition(position)
        .setTarget(target)
        .setSpec(spec)
        .setComment(comment)
        .setStatisticMode(mode)
        .setStatisticProbability(probability)
        .setPackets(counters == null ? null : counters[0])
        .setBytes(counters == null ? null : counters[1])
        .build();
  }

  private static ChainPolicy policy(
      String source, int n, String line, String backend, String family, String table)
      throws ParseException {
    // :INPUT ACCEPT [0:0]   or, without -c, :INPUT ACCEPT
    String[] t = line.substring(1).split("\\s+");
    if (t.length < 2) {
      throw new ParseException(source, n, "short chain line: " + line);
    }
    long[] counters = null;
    if (t.length >= 3 && t[2].startsWith("[") && t[2].endsWith("]")) {
      counters = counters(source, n, t[2].substring(1, t[2].length() - 1));
    }
    if (policyCountersAreFake(backend)) {
      counters = null;
    }
    return ChainPolicy.newBuilder()
        .setBackend(backend)
        .setFamily(family)
        .setTable(table)
        .setChain(t[0])
        .setPolicy(t[1])
        .setPackets(counters == null ? null : counters[0])
        .setBytes(counters == null ? null : counters[1])
        .build();
  }

  /**
   * Whether the backend's chain policy counters are always zero: iptables-nft prints [0:0] for
   * every policy (nftables base chains count nothing, even the packets a DROP policy drops; checked
   * with iptables 1.8.9 on kernel 6.1). Absent is not zero, so such counters are reported as null.
   */
  static boolean policyCountersAreFake(String backend) {
    return backend != null && backend.endsWith("-nft");
  }

  private static long[] counters(String source, int n, String pair) throws ParseException {
    int colon = pair.indexOf(':');
    if (colon < 0) {
      throw new ParseException(source, n, "expected [pkts:bytes], got [" + pair + "]");
    }
    try {
      return new long[] {
        Long.parseUnsignedLong(pair.substring(0, colon)),
        Long.parseUnsignedLong(pair.substring(colon + 1))
      };
    } catch (NumberFormatException e) {
      throw new ParseException(source, n, "bad counters [" + pair + "]", e);
    }
  }

  static Double probability(String value) {
    try {
      return Math.round(Double.parseDouble(value) * PROBABILITY_SCALE) / PROBABILITY_SCALE;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
