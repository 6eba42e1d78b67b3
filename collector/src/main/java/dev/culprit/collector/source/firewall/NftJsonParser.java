package dev.culprit.collector.source.firewall;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.culprit.collector.records.ChainPolicy;
import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.source.JsonArrayOutput;
import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses {@code nft -j list ruleset} (nftables 0.9+ JSON), for rules written in native nftables.
 *
 * <pre>
 * {"nftables": [{"metainfo": {...}},
 *   {"chain": {"family": "inet", "table": "culprit", "name": "input", "handle": 1,
 *              "type": "filter", "hook": "input", "prio": 10, "policy": "accept"}},
 *   {"rule": {"family": "inet", "table": "culprit", "chain": "input", "handle": 2,
 *             "comment": "nft drop",
 *             "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "tcp",
 *                      "field": "dport"}}, "right": 9999}},
 *                      {"counter": {"packets": 0, "bytes": 0}}, {"drop": null}]}}]}
 * </pre>
 *
 * <p>The verdict ({@code drop}, {@code accept}, {@code reject}, {@code jump}/{@code goto}) becomes
 * the target in iptables' upper case so rules read alike whatever their back end. Counters come
 * from a {@code counter} statement; a rule without one has null counters (nftables counts nothing
 * unless asked). The spec is a compact rendering of the expressions ({@code tcp dport == 9999
 * counter drop}). Base-chain policies have no counters in nftables. A {@code numgen random} match
 * (random loss, like iptables' statistic match) sets the statistic mode and probability.
 *
 * <p>Tables that iptables-nft manages (families ip/ip6, tables filter, nat, mangle, raw, security)
 * also appear here, with their xt matches opaque; the caller skips them when it read the same rules
 * from {@code iptables-nft-save}.
 */
public final class NftJsonParser {

  /** The tables iptables-nft creates. */
  public static final Set<String> IPTABLES_TABLES =
      Set.of("filter", "nat", "mangle", "raw", "security");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> FAMILIES =
      Map.of(
          "ip", "ipv4", "ip6", "ipv6", "inet", "inet", "arp", "arp", "bridge", "bridge", "netdev",
          "netdev");
  private static final Set<String> VERDICTS =
      Set.of("accept", "drop", "reject", "jump", "goto", "return", "queue", "continue");

  private NftJsonParser() {}

  /**
   * Parses the command's stdout.
   *
   * @param skipIptablesTables whether to leave out the tables iptables-nft manages
   */
  public static IptablesSaveParser.Ruleset parse(
      String source, String json, String backend, boolean skipIptablesTables)
      throws ParseException {
    JsonNode root = JsonArrayOutput.readTree(source, json);
    JsonNode items = root == null ? null : root.get("nftables");
    if (items == null || !items.isArray()) {
      throw new ParseException(source, 0, "expected {\"nftables\": [...]}");
    }
    List<FirewallRule> rules = new ArrayList<>();
    List<ChainPolicy> policies = new ArrayList<>();
    Map<String, Integer> positions = new HashMap<>();
    for (JsonNode item : items) {
      JsonNode chain = item.get("chain");
      JsonNode rule = item.get("rule");
      if (chain != null && !skipped(chain, skipIptablesTables) && chain.hasNonNull("policy")) {
        policies.add(
            ChainPolicy.newBuilder()
                .setBackend(backend)
                .setFamily(family(chain))
                .setTable(chain.path("table").asText())
                .setChain(chain.path("name").asText())
                .setPolicy(chain.get("policy").asText().toUpperCase(Locale.ROOT))
                .build());
      }
      if (rule != null && !skipped(rule, skipIptablesTables)) {
        String table = rule.path("table").asText();
        String chainName = rule.path("chain").asText();
        int position =
            positions.merge(
                family(rule) + "\u0000" + table + "\u0000" + chainName, 1, Integer::sum);
        rules.add(rule(rule, backend, table, chainName, position));
      }
    }
    return new IptablesSaveParser.Ruleset(rules, policies);
  }

  /**
   * The families that hold an iptables-nft table ({@code ip}, {@code ip6}): where iptables-nft-save
   * has something to print. Unparseable JSON yields null, meaning "ask anyway".
   */
  public static Set<String> tables(String json) {
    Set<String> families = new java.util.HashSet<>();
    try {
      JsonNode items = JSON.readTree(json).path("nftables");
      for (JsonNode item : items) {
        JsonNode table = item.get("table");
        if (table != null && IPTABLES_TABLES.contains(table.path("name").asText())) {
          families.add(table.path("family").asText());
        }
      }
      return families;
    } catch (JsonProcessingException | RuntimeException e) {
      return null;
    }
  }

  private static FirewallRule rule(
      JsonNode rule, String backend, String table, String chain, int position) {
    Long packets = null;
    Long bytes = null;
    String target = null;
    Double probability = null;
    StringBuilder spec = new StringBuilder();
    for (JsonNode expr : rule.path("expr")) {
      Iterator<Map.Entry<String, JsonNode>> fields = expr.fields();
      if (!fields.hasNext()) {
        continue;
      }
      Map.Entry<String, JsonNode> e = fields.next();
      String key = e.getKey();
      JsonNode value = e.getValue();
      if (key.equals("counter") && value.isObject()) {
        packets = value.path("packets").asLong();
        bytes = value.path("bytes").asLong();
      } else if (key.equals("match") && packets != null) {
        // "counter numgen random mod 10 < 3 drop": the counter counts every packet that reached
        // the rule, not the ones the verdict applies to; read as drops it would overstate them.
        packets = null;
        bytes = null;
        if (value.path("left").has("numgen")) {
          Double p = randomShare(value);
          if (p != null) {
            probability = probability == null ? p : probability * p;
          }
        }
      } else if (key.equals("match") && value.path("left").has("numgen")) {
        Double p = randomShare(value);
        if (p != null) {
          probability = probability == null ? p : probability * p;
        }
      } else if (VERDICTS.contains(key)) {
        target =
            (key.equals("jump") || key.equals("goto")) && value.hasNonNull("target")
                ? value.get("target").asText()
                : key.toUpperCase(Locale.ROOT);
      }
      if (spec.length() > 0) {
        spec.append(' ');
      }
      spec.append(render(key, value));
    }
    return FirewallRule.newBuilder()
        .setBackend(backend)
        .setFamily(family(rule))
        .setTable(table)
        .setChain(chain)
        .setPosition(position)
        .setTarget(target)
        .setSpec(spec.toString())
        .setComment(rule.hasNonNull("comment") ? rule.get("comment").asText() : null)
        .setStatisticMode(probability == null ? null : "random")
        .setStatisticProbability(probability)
        .setPackets(packets)
        .setBytes(bytes)
        .build();
  }

  private static String render(String key, JsonNode value) {
    switch (key) {
      case "match" -> {
        return operand(value.path("left"))
            + " "
            + value.path("op").asText("==")
            + " "
            + operand(value.path("right"));
      }
      case "counter" -> {
        return "counter";
      }
      case "jump", "goto" -> {
        return key + " " + value.path("target").asText();
      }
      case "xt" -> {
        return "xt " + value.path("type").asText() + " " + value.path("name").asText();
      }
      default -> {
        return value == null || value.isNull() ? key : key + " " + value;
      }
    }
  }

  /**
   * The share of packets a {@code numgen random mod N [offset O] OP K} match lets through: the
   * values of O..O+N-1 that satisfy the comparison, over N (nftables' equivalent of iptables'
   * statistic match). Null for other numgen modes or operands.
   */
  static Double randomShare(JsonNode match) {
    JsonNode numgen = match.path("left").path("numgen");
    JsonNode right = match.path("right");
    long mod = numgen.path("mod").asLong(0);
    if (!"random".equals(numgen.path("mode").asText()) || mod <= 0 || !right.canConvertToLong()) {
      return null;
    }
    long offset = numgen.path("offset").asLong(0);
    long k = right.asLong();
    long lo = offset;
    long hi = offset + mod - 1;
    long hits;
    switch (match.path("op").asText("==")) {
      case "==" -> hits = k >= lo && k <= hi ? 1 : 0;
      case "!=" -> hits = mod - (k >= lo && k <= hi ? 1 : 0);
      case "<" -> hits = clamp(k - lo, mod);
      case "<=" -> hits = clamp(k - lo + 1, mod);
      case ">" -> hits = clamp(hi - k, mod);
      case ">=" -> hits = clamp(hi - k + 1, mod);
      default -> {
        return null;
      }
    }
    return (double) hits / mod;
  }

  private static long clamp(long hits, long mod) {
    return Math.max(0, Math.min(mod, hits));
  }

  private static String operand(JsonNode node) {
    if (node.isValueNode()) {
      return node.asText();
    }
    if (node.has("numgen")) {
      JsonNode n = node.get("numgen");
      long offset = n.path("offset").asLong(0);
      return "numgen "
          + n.path("mode").asText()
          + " mod "
          + n.path("mod").asText()
          + (offset == 0 ? "" : " offset " + offset);
    }
    if (node.has("payload")) {
      JsonNode p = node.get("payload");
      return p.path("protocol").asText() + " " + p.path("field").asText();
    }
    if (node.has("meta")) {
      return "meta " + node.get("meta").path("key").asText();
    }
    if (node.has("prefix")) {
      JsonNode p = node.get("prefix");
      return p.path("addr").asText() + "/" + p.path("len").asText();
    }
    if (node.has("set") && node.get("set").isArray()) {
      List<String> members = new ArrayList<>();
      node.get("set").forEach(m -> members.add(operand(m)));
      return "{ " + String.join(", ", members) + " }";
    }
    return node.toString();
  }

  private static boolean skipped(JsonNode node, boolean skipIptablesTables) {
    String family = node.path("family").asText();
    return skipIptablesTables
        && (family.equals("ip") || family.equals("ip6"))
        && IPTABLES_TABLES.contains(node.path("table").asText());
  }

  private static String family(JsonNode node) {
    String family = node.path("family").asText();
    return FAMILIES.getOrDefault(family, family);
  }
}
