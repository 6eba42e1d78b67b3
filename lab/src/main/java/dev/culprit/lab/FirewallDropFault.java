package dev.culprit.lab;

import dev.culprit.lab.oracle.IptablesListing;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The seed's firewall fault: {@code iptables -I CHAIN -m statistic --mode random --probability P -j
 * DROP} in the server namespace, in INPUT, OUTPUT or both, as rule 1 of the filter table. Each rule
 * carries the comment {@value #COMMENT} so the lab removes exactly its own rules.
 *
 * @param chain which chain(s) drop
 * @param probability the share of packets dropped, 0 &lt; p ≤ 1
 */
public record FirewallDropFault(Chain chain, double probability) implements NetworkFault {

  public static final String DEFAULT_CHAIN = "both";
  public static final String DEFAULT_PROBABILITY = "0.3";
  static final String COMMENT = "culprit-lab:firewall-drop";

  /** The chains of the filter table the rule can go in. */
  public enum Chain {
    INPUT,
    OUTPUT,
    BOTH;

    List<String> names() {
      return this == BOTH ? List.of("INPUT", "OUTPUT") : List.of(name());
    }

    /** {@code INPUT}, {@code output}, {@code both}: case does not matter on the command line. */
    public static Chain parse(String text) {
      for (Chain chain : values()) {
        if (chain.name().equalsIgnoreCase(text)) {
          return chain;
        }
      }
      throw new LabException("--chain must be INPUT, OUTPUT or both, not '" + text + "'");
    }
  }

  public FirewallDropFault {
    if (chain == null) {
      throw new LabException("firewall-drop needs --chain INPUT, OUTPUT or both");
    }
    if (!(probability > 0 && probability <= 1)) {
      throw new LabException(
          "--probability must be above 0 and at most 1 (a share of packets), not " + probability);
    }
  }

  @Override
  public FaultKind kind() {
    return FaultKind.FIREWALL_DROP;
  }

  @Override
  public String describe() {
    return String.format(
        Locale.ROOT,
        "iptables DROP of %s%% of packets at random in %s of %s (rule 1, statistic mode random"
            + " probability %s)",
        percent(),
        String.join(" and ", chain.names()),
        LabTopology.WEB_NS,
        probability);
  }

  @Override
  public NetworkFault apply(LabContext lab) {
    removeOurRules(lab);
    for (String name : chain.names()) {
      lab.shell()
          .check(
              iptables(
                  lab,
                  "-I",
                  name,
                  "1",
                  "-m",
                  "statistic",
                  "--mode",
                  "random",
                  "--probability",
                  Double.toString(probability),
                  "-m",
                  "comment",
                  "--comment",
                  COMMENT,
                  "-j",
                  "DROP"));
    }
    return this;
  }

  @Override
  public void clear(LabContext lab) {
    removeOurRules(lab);
  }

  @Override
  public String evidence(LabContext lab) {
    List<String> parts = new ArrayList<>();
    for (String name : chain.names()) {
      parts.add(
          rule(lab, name)
              .map(r -> name + " rule " + r.position() + " dropped " + r.packets() + " packets")
              .orElse(name + " rule missing"));
    }
    return String.join(", ", parts);
  }

  /** Our rule in {@code chainName} of the server namespace, with its counters. */
  public static java.util.Optional<IptablesListing.Rule> rule(LabContext lab, String chainName) {
    String listing = lab.shell().check(iptables(lab, "-nvxL", chainName, "--line-numbers"));
    return IptablesListing.ruleWithComment(listing, COMMENT);
  }

  private static void removeOurRules(LabContext lab) {
    if (!NetnsList.exists(lab, LabTopology.WEB_NS)) {
      return;
    }
    for (String name : Chain.BOTH.names()) {
      // Delete by position, re-listing each time: positions shift after every delete.
      for (int guard = 0; guard < 100; guard++) {
        var ours = rule(lab, name);
        if (ours.isEmpty()) {
          break;
        }
        lab.shell().check(iptables(lab, "-D", name, Integer.toString(ours.get().position())));
      }
    }
  }

  private static List<String> iptables(LabContext lab, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(lab.tools().path(Tools.Tool.IPTABLES));
    argv.add("-w"); // wait for the xtables lock: the collector may be listing rules right now
    argv.addAll(List.of("-t", "filter"));
    argv.addAll(List.of(args));
    return lab.inNetns(LabTopology.WEB_NS, argv);
  }

  private String percent() {
    return new java.math.BigDecimal(Double.toString(probability))
        .movePointRight(2)
        .stripTrailingZeros()
        .toPlainString();
  }
}
