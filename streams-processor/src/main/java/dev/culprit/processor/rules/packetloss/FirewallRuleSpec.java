package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.probe.Addresses;
import dev.culprit.processor.rules.Fmt;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A firewall rule as {@code iptables-save} prints it ({@code -A INPUT -m statistic --mode random
 * --probability 0.30000000000 -j DROP}), read for what the rules need: does it select particular
 * traffic, does it drop at random, and how to delete it.
 */
public final class FirewallRuleSpec {

  // Options that do not narrow which packets of the chain the rule sees: the chain itself, the
  // target and its options, the interfaces, comments, and the statistic match (judged apart).
  private static final Set<String> NON_SELECTIVE_WITH_ARG =
      Set.of(
          "-A",
          "--append",
          "-i",
          "--in-interface",
          "-o",
          "--out-interface",
          "--comment",
          "--mode",
          "--probability",
          "--every",
          "--packet");
  private static final Set<String> NON_SELECTIVE_MATCHES = Set.of("comment", "statistic");

  private final String text;
  private final List<String> tokens;

  private FirewallRuleSpec(String text) {
    this.text = text;
    this.tokens = tokenize(text);
  }

  public static FirewallRuleSpec parse(String spec) {
    return new FirewallRuleSpec(spec == null ? "" : spec.strip());
  }

  /** Whether the text is iptables-save syntax (nft rules read differently). */
  boolean isIptables() {
    return !tokens.isEmpty() && (tokens.get(0).equals("-A") || tokens.get(0).equals("--append"));
  }

  /**
   * Whether the rule matches only some of its chain's packets (addresses, protocol, ports,
   * connection state, sets ...), as opposed to all of them or a random share of them.
   */
  boolean isSelective() {
    if (!isIptables()) {
      return true; // Unknown syntax: do not claim it matches everything.
    }
    for (int i = 0; i < tokens.size(); i++) {
      String t = tokens.get(i);
      if (t.equals("-j") || t.equals("--jump") || t.equals("-g") || t.equals("--goto")) {
        return false; // Everything after the target is the target's own options.
      }
      if (NON_SELECTIVE_WITH_ARG.contains(t)) {
        i++;
      } else if (t.equals("-m") || t.equals("--match")) {
        if (i + 1 < tokens.size() && !NON_SELECTIVE_MATCHES.contains(tokens.get(i + 1))) {
          return true;
        }
        i++;
      } else if (t.equals("-p") || t.equals("--protocol")) {
        if (i + 1 < tokens.size() && !tokens.get(i + 1).equals("all")) {
          return true;
        }
        i++;
      } else if (!t.equals("!")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The one host address the rule's {@code -s} selects ({@code -s 10.0.0.7}, {@code -s
   * 10.0.0.7/32}, {@code /128}), canonical; null for a network, a list, a negation ({@code ! -s}),
   * no source, or nft syntax. Such a rule drops every packet of that source it sees.
   */
  String singleSource() {
    if (!isIptables()) {
      return null;
    }
    for (int i = 0; i + 1 < tokens.size(); i++) {
      String t = tokens.get(i);
      if (!t.equals("-s") && !t.equals("--source")) {
        continue;
      }
      if (i > 0 && tokens.get(i - 1).equals("!")) {
        return null;
      }
      String value = tokens.get(i + 1);
      int slash = value.indexOf('/');
      if (value.contains(",")
          || (slash >= 0
              && !value.endsWith("/32")
              && !value.endsWith("/128")
              && !value.endsWith("/255.255.255.255"))) {
        return null;
      }
      return Addresses.canonical(slash >= 0 ? value.substring(0, slash) : value).orElse(null);
    }
    return null;
  }

  /** The value of {@code --probability}, if the rule has one. */
  Double probability() {
    String value = optionValue("--probability");
    try {
      return value == null ? null : Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The value of {@code --every} (statistic nth mode), if the rule has one. */
  Long every() {
    String value = optionValue("--every");
    try {
      return value == null ? null : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * The rule without its leading {@code -A CHAIN}, probabilities written as set, for sentences and
   * fleet signatures (not for a shell: commands take {@link #deleteArguments()}).
   */
  public String match() {
    List<String> rest =
        new ArrayList<>(normalized().stream().map(FirewallRuleSpec::quoteIfNeeded).toList());
    if (isIptables() && rest.size() >= 2) {
      rest = rest.subList(2, rest.size());
    }
    return String.join(" ", rest);
  }

  /**
   * The arguments that delete the rule, one per word as iptables receives them (comments unquoted):
   * its text with {@code -A} turned into {@code -D}.
   */
  List<String> deleteArguments() {
    List<String> args = new ArrayList<>(normalized());
    if (isIptables()) {
      args.set(0, "-D");
    }
    return args;
  }

  String text() {
    return text;
  }

  private List<String> normalized() {
    List<String> out = new ArrayList<>(tokens);
    for (int i = 0; i + 1 < out.size(); i++) {
      if (out.get(i).equals("--probability")) {
        try {
          out.set(i + 1, Fmt.probability(Double.parseDouble(out.get(i + 1))));
        } catch (NumberFormatException e) {
          // Leave it as written.
        }
      }
    }
    return out;
  }

  private String optionValue(String option) {
    int at = tokens.indexOf(option);
    return at >= 0 && at + 1 < tokens.size() ? tokens.get(at + 1) : null;
  }

  private static String quoteIfNeeded(String token) {
    return token.isEmpty() || token.chars().anyMatch(Character::isWhitespace)
        ? "\"" + token.replace("\"", "\\\"") + "\""
        : token;
  }

  /** Splits on blanks, keeping double-quoted strings (comments) whole, as iptables-save quotes. */
  private static List<String> tokenize(String text) {
    List<String> tokens = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    boolean inToken = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\' && quoted && i + 1 < text.length()) {
        current.append(text.charAt(++i));
      } else if (c == '"') {
        quoted = !quoted;
        inToken = true;
      } else if (Character.isWhitespace(c) && !quoted) {
        if (inToken) {
          tokens.add(current.toString());
          current.setLength(0);
          inToken = false;
        }
      } else {
        current.append(c);
        inToken = true;
      }
    }
    if (inToken) {
      tokens.add(current.toString());
    }
    return tokens;
  }
}
