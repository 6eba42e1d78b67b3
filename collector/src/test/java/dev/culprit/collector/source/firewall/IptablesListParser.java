package dev.culprit.collector.source.firewall;

import dev.culprit.collector.records.ChainPolicy;
import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code iptables -t TABLE -nvL} / {@code -nvxL} listings, the format of the seed's
 * diagnosis. The collector reads {@code iptables-save -c} (exact, restorable specs); this parser
 * exists so listings people paste or capture can be compared with it.
 *
 * <pre>
 * Chain INPUT (policy ACCEPT 25 packets, 1000 bytes)
 *  pkts bytes target     prot opt in     out     source               destination
 *     6   240 DROP       all  --  *      *       0.0.0.0/0            0.0.0.0/0            statistic mode random probability 0.29999999981
 * Chain CULPRIT-LOG (1 references)
 * </pre>
 *
 * <p>Without {@code -x} big counters are abbreviated ({@code 12K}, powers of 1000): they are
 * expanded, losing the low digits as the listing did. A rule without a target has an empty target
 * column, recognised by the {@code opt} column ({@code --}, {@code -f}, {@code !f}) moving left.
 * The {@code spec} of a listed rule is its listing text from {@code prot} on, not iptables-save
 * syntax.
 */
public final class IptablesListParser {

  private static final Pattern CHAIN =
      Pattern.compile("^Chain (\\S+) \\((?:policy (\\S+) (\\S+) packets, (\\S+) bytes|.*)\\)");
  private static final Pattern STATISTIC =
      Pattern.compile("statistic mode (\\S+)(?: probability (\\S+))?");
  private static final Pattern COMMENT = Pattern.compile("/\\* (.*) \\*/");

  private IptablesListParser() {}

  /** Parses one table's listing. */
  public static IptablesSaveParser.Ruleset parse(
      String source, String text, String backend, String family, String table)
      throws ParseException {
    List<FirewallRule> rules = new ArrayList<>();
    List<ChainPolicy> policies = new ArrayList<>();
    String chain = null;
    int position = 0;
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int n = i + 1;
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = CHAIN.matcher(line);
      if (m.find()) {
        chain = m.group(1);
        position = 0;
        ChainPolicy.Builder p =
            ChainPolicy.newBuilder()
                .setBackend(backend)
                .setFamily(family)
                .setTable(table)
                .setChain(chain);
        if (m.group(2) != null) {
          p.setPolicy(m.group(2));
          if (!IptablesSaveParser.policyCountersAreFake(backend)) {
            p.setPackets(number(source, n, m.group(3))).setBytes(number(source, n, m.group(4)));
          }
        } else {
          p.setPolicy("-");
        }
        policies.add(p.build());
        continue;
      }
      String[] t = line.trim().split("\\s+");
      if (t[0].equals("pkts")) {
        continue;
      }
      if (chain == null) {
        throw new ParseException(source, n, "rule before any 'Chain' line");
      }
      boolean hasTarget = t.length >= 9 && isOpt(t[4]);
      if (!hasTarget && !(t.length >= 8 && isOpt(t[3]))) {
        throw new ParseException(source, n, "not a rule line: " + line.trim());
      }
      int prot = hasTarget ? 3 : 2;
      String spec = String.join(" ", java.util.Arrays.copyOfRange(t, prot, t.length));
      Matcher stat = STATISTIC.matcher(line);
      Matcher comment = COMMENT.matcher(line);
      boolean isStatistic = stat.find();
      rules.add(
          FirewallRule.newBuilder()
              .setBackend(backend)
              .setFamily(family)
              .setTable(table)
              .setChain(chain)
              .setPosition(++position)
              .setTarget(hasTarget ? t[2] : null)
              .setSpec(spec)
              .setComment(comment.find() ? comment.group(1) : null)
              .setStatisticMode(isStatistic ? stat.group(1) : null)
              .setStatisticProbability(
                  isStatistic && stat.group(2) != null
                      ? IptablesSaveParser.probability(stat.group(2))
                      : null)
              .setPackets(number(source, n, t[0]))
              .setBytes(number(source, n, t[1]))
              .build());
    }
    return new IptablesSaveParser.Ruleset(rules, policies);
  }

  private static boolean isOpt(String token) {
    return token.equals("--") || token.equals("-f") || token.equals("!f");
  }

  /** A counter as iptables prints it: digits, or digits with K/M/G/T (powers of 1000). */
  static long number(String source, int line, String text) throws ParseException {
    long scale = 1;
    String digits = text;
    char last = text.isEmpty() ? ' ' : text.charAt(text.length() - 1);
    switch (last) {
      case 'K' -> scale = 1_000L;
      case 'M' -> scale = 1_000_000L;
      case 'G' -> scale = 1_000_000_000L;
      case 'T' -> scale = 1_000_000_000_000L;
      default -> {}
    }
    if (scale != 1) {
      digits = text.substring(0, text.length() - 1);
    }
    try {
      return Long.parseLong(digits) * scale;
    } catch (NumberFormatException e) {
      throw new ParseException(source, line, "not a counter: '" + text + "'", e);
    }
  }
}
