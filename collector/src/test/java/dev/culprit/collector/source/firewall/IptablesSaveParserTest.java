package dev.culprit.collector.source.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.records.ChainPolicy;
import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import java.util.List;
import org.junit.jupiter.api.Test;

class IptablesSaveParserTest {

  static FirewallRule rule(List<FirewallRule> rules, String table, String chain, int position) {
    return rules.stream()
        .filter(r -> r.getTable().equals(table) && r.getChain().equals(chain))
        .filter(r -> r.getPosition() == position)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no rule " + table + "/" + chain + "/" + position));
  }

  static ChainPolicy policy(List<ChainPolicy> policies, String table, String chain) {
    return policies.stream()
        .filter(p -> p.getTable().equals(table) && p.getChain().equals(chain))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no policy " + table + "/" + chain));
  }

  private static IptablesSaveParser.Ruleset realNsA() throws ParseException {
    return IptablesSaveParser.parse(
        "iptables-save -c", Fixtures.text("real/ns-a/iptables-save-c.txt"), "iptables-nft", "ipv4");
  }

  @Test
  void readsTheSeedsRandomDropRuleWithoutAComment() throws Exception {
    FirewallRule drop = rule(realNsA().rules(), "filter", "INPUT", 1);

    assertThat(drop.getTarget()).isEqualTo("DROP");
    assertThat(drop.getComment()).isNull();
    assertThat(drop.getStatisticMode()).isEqualTo("random");
    assertThat(drop.getStatisticProbability()).isEqualTo(0.3);
    assertThat(drop.getPackets()).isEqualTo(4);
    assertThat(drop.getBytes()).isEqualTo(438);
    assertThat(drop.getSpec())
        .isEqualTo("-A INPUT -m statistic --mode random --probability 0.29999999981 -j DROP");
    assertThat(drop.getBackend()).isEqualTo("iptables-nft");
    assertThat(drop.getFamily()).isEqualTo("ipv4");
  }

  @Test
  void unquotesACommentWithEscapedQuotes() throws Exception {
    FirewallRule drop = rule(realNsA().rules(), "filter", "OUTPUT", 1);

    assertThat(drop.getComment()).isEqualTo("seed: random \"30%\" drop");
    assertThat(drop.getPackets()).isEqualTo(32);
    assertThat(drop.getStatisticProbability()).isEqualTo(0.3);
  }

  @Test
  void numbersRulesPerChainAndKeepsEveryTable() throws Exception {
    IptablesSaveParser.Ruleset set = realNsA();

    assertThat(rule(set.rules(), "filter", "INPUT", 2).getTarget()).isEqualTo("REJECT");
    assertThat(rule(set.rules(), "filter", "INPUT", 3).getTarget()).isEqualTo("CULPRIT-LOG");
    assertThat(rule(set.rules(), "filter", "CULPRIT-LOG", 1).getTarget()).isEqualTo("RETURN");
    assertThat(rule(set.rules(), "nat", "POSTROUTING", 1).getPackets()).isEqualTo(8);
    assertThat(set.rules()).hasSize(6);
    assertThat(policy(set.policies(), "filter", "CULPRIT-LOG").getPolicy()).isEqualTo("-");
    assertThat(policy(set.policies(), "filter", "INPUT").getPolicy()).isEqualTo("ACCEPT");
    assertThat(set.policies()).hasSize(8);
  }

  @Test
  void readsLegacyPolicyCountersAndIp6tables() throws Exception {
    IptablesSaveParser.Ruleset legacy =
        IptablesSaveParser.parse(
            "l", Fixtures.text("real/ns-a/iptables-legacy-save-c.txt"), "iptables-legacy", "ipv4");
    IptablesSaveParser.Ruleset v6 =
        IptablesSaveParser.parse(
            "6", Fixtures.text("real/ns-a/ip6tables-save-c.txt"), "ip6tables-nft", "ipv6");

    assertThat(policy(legacy.policies(), "filter", "OUTPUT").getPackets()).isPositive();
    // iptables-nft prints [0:0] for every policy whatever passed: unknown, not zero.
    assertThat(policy(realNsA().policies(), "filter", "INPUT").getPackets()).isNull();
    assertThat(policy(v6.policies(), "filter", "INPUT").getBytes()).isNull();
    assertThat(rule(legacy.rules(), "filter", "INPUT", 1).getSpec())
        .isEqualTo("-A INPUT -s 10.250.9.99/32 -j DROP");
    assertThat(rule(v6.rules(), "filter", "INPUT", 1).getFamily()).isEqualTo("ipv6");
  }

  @Test
  void roundsTheKernelsThirtyOneBitProbabilityBack() {
    assertThat(IptablesSaveParser.probability("0.30000000000")).isEqualTo(0.3);
    assertThat(IptablesSaveParser.probability("0.29999999981")).isEqualTo(0.3);
    assertThat(IptablesSaveParser.probability("0.00100000005")).isEqualTo(0.001);
  }

  @Test
  void leavesCountersNullWithoutDashC() throws Exception {
    String text = "*filter\n:INPUT ACCEPT\n-A INPUT -p tcp -j DROP\nCOMMIT\n";

    IptablesSaveParser.Ruleset set = IptablesSaveParser.parse("t", text, "iptables-nft", "ipv4");

    assertThat(set.rules().get(0).getPackets()).isNull();
    assertThat(set.policies().get(0).getPackets()).isNull();
  }

  @Test
  void acceptsAnEmptyRuleset() throws Exception {
    IptablesSaveParser.Ruleset set =
        IptablesSaveParser.parse("t", Fixtures.text("real/ns-b/iptables-save-c.txt"), "x", "ipv4");

    assertThat(set.rules()).isEmpty();
  }

  @Test
  void rejectsHostileLines() {
    assertThatThrownBy(() -> IptablesSaveParser.parse("t", "-A INPUT -j DROP\n", "x", "ipv4"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("t:1");
    assertThatThrownBy(
            () ->
                IptablesSaveParser.parse(
                    "t", "*filter\n[1:2] -A INPUT -m comment --comment \"open\n", "x", "ipv4"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("unterminated quote");
    assertThatThrownBy(
            () -> IptablesSaveParser.parse("t", "*filter\n[x:2] -A INPUT\n", "x", "ipv4"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("t:2");
    assertThatThrownBy(() -> IptablesSaveParser.parse("t", "*filter\n[1:2 -A INPUT\n", "x", "ipv4"))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> IptablesSaveParser.parse("t", "*filter\ngarbage\n", "x", "ipv4"))
        .isInstanceOf(ParseException.class);
  }
}
