package dev.culprit.lab.oracle;

import dev.culprit.lab.LabException;
import java.util.Optional;

/**
 * {@code iptables -w -t TABLE -nvxL CHAIN --line-numbers}: the lab finds its own rules by their
 * comment and reads their exact ({@code -x}) counters.
 *
 * <pre>
 * Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
 * num      pkts      bytes target     prot opt in     out     source               destination
 * 1           7     1501 DROP       0    --  *      *       0.0.0.0/0            0.0.0.0/0            statistic mode random probability 0.29999999981 /* culprit-lab:firewall-drop *&#47;
 * </pre>
 */
public final class IptablesListing {

  /**
   * One rule's place and counters.
   *
   * @param position its 1-based position in the chain (the {@code num} column)
   * @param packets packets it matched
   * @param bytes bytes it matched
   */
  public record Rule(int position, long packets, long bytes) {}

  private IptablesListing() {}

  /** The rule whose comment is {@code comment}, if the chain has one. */
  public static Optional<Rule> ruleWithComment(String listing, String comment) {
    String marker = "/* " + comment + " */";
    for (String line : listing.split("\n")) {
      if (!line.contains(marker)) {
        continue;
      }
      String[] f = line.trim().split("\\s+");
      if (f.length < 3) {
        throw new LabException("malformed iptables line: " + line);
      }
      return Optional.of(
          new Rule(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])));
    }
    return Optional.empty();
  }
}
