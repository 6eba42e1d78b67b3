package dev.culprit.collector.source.firewall;

import static dev.culprit.collector.source.firewall.IptablesSaveParserTest.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import org.junit.jupiter.api.Test;

class NftJsonParserTest {

  private static IptablesSaveParser.Ruleset nsA(boolean skip) throws ParseException {
    return NftJsonParser.parse(
        "nft", Fixtures.text("real/ns-a/nft-j-list-ruleset.json"), "nft", skip);
  }

  @Test
  void readsANativeCounterDropRule() throws Exception {
    IptablesSaveParser.Ruleset set = nsA(true);

    FirewallRule drop = rule(set.rules(), "culprit", "input", 1);
    assertThat(drop.getFamily()).isEqualTo("inet");
    assertThat(drop.getTarget()).isEqualTo("DROP");
    assertThat(drop.getComment()).isEqualTo("nft drop");
    assertThat(drop.getPackets()).isZero();
    assertThat(drop.getSpec()).isEqualTo("tcp dport == 9999 counter drop");
    FirewallRule counted = rule(set.rules(), "culprit", "input", 2);
    assertThat(counted.getTarget()).isNull();
    assertThat(counted.getPackets()).isPositive();
    assertThat(set.policies())
        .singleElement()
        .satisfies(p -> assertThat(p.getPolicy()).isEqualTo("ACCEPT"));
  }

  @Test
  void skipsTheTablesIptablesNftAlreadyReported() throws Exception {
    assertThat(nsA(true).rules()).allMatch(r -> r.getTable().equals("culprit"));
    IptablesSaveParser.Ruleset all = nsA(false);
    FirewallRule xt = rule(all.rules(), "filter", "INPUT", 1);
    assertThat(xt.getFamily()).isEqualTo("ipv4");
    assertThat(xt.getTarget()).isEqualTo("DROP");
    assertThat(xt.getPackets()).isEqualTo(4);
  }

  @Test
  void readsANumgenRandomMatchAsAStatisticProbability() throws Exception {
    // Captured in the lab's culprit-quiet: nftables' spelling of iptables -m statistic.
    IptablesSaveParser.Ruleset set =
        NftJsonParser.parse("nft", Fixtures.text("real/lab-quiet/nft-j-numgen.json"), "nft", true);

    FirewallRule thirty = rule(set.rules(), "culprit_t", "input", 1);
    assertThat(thirty.getSpec()).isEqualTo("tcp dport == 80 numgen random mod 10 < 3 counter drop");
    assertThat(thirty.getStatisticMode()).isEqualTo("random");
    assertThat(thirty.getStatisticProbability()).isEqualTo(0.3);
    assertThat(thirty.getPackets()).isPositive();
    FirewallRule quarter = rule(set.rules(), "culprit_t", "output", 1);
    assertThat(quarter.getTarget()).isEqualTo("REJECT");
    assertThat(quarter.getStatisticProbability()).isEqualTo(0.25);
    FirewallRule offset = rule(set.rules(), "culprit_t", "output", 2);
    assertThat(offset.getSpec()).contains("numgen random mod 100 offset 1 >= 96");
    // 96..100 of 1..100
    assertThat(offset.getStatisticProbability()).isEqualTo(0.05);
  }

  @Test
  void aCounterBeforeTheLastMatchCountsNoVerdictAndIsLeftOut() throws Exception {
    String json =
        "{\"nftables\": [{\"rule\": {\"family\": \"inet\", \"table\": \"t\", \"chain\":"
            + " \"input\", \"handle\": 3, \"expr\": [{\"counter\": {\"packets\": 100,"
            + " \"bytes\": 6000}}, {\"match\": {\"op\": \"<\", \"left\": {\"numgen\":"
            + " {\"mode\": \"random\", \"mod\": 10, \"offset\": 0}}, \"right\": 3}},"
            + " {\"drop\": null}]}}]}";

    FirewallRule rule =
        rule(NftJsonParser.parse("nft", json, "nft", true).rules(), "t", "input", 1);

    assertThat(rule.getPackets()).as("100 reached the rule; about 30 were dropped").isNull();
    assertThat(rule.getStatisticProbability()).isEqualTo(0.3);
    assertThat(rule.getTarget()).isEqualTo("DROP");
  }

  @Test
  void aRuleWithoutNumgenHasNoProbability() throws Exception {
    FirewallRule drop = rule(nsA(true).rules(), "culprit", "input", 1);
    assertThat(drop.getStatisticMode()).isNull();
    assertThat(drop.getStatisticProbability()).isNull();
  }

  @Test
  void readsAnEmptyRuleset() throws Exception {
    assertThat(
            NftJsonParser.parse(
                    "n", Fixtures.text("real/host/nft-j-list-ruleset.json"), "nft", true)
                .rules())
        .isEmpty();
  }

  @Test
  void rejectsOtherJson() {
    assertThatThrownBy(() -> NftJsonParser.parse("nft -j", "[]", "nft", true))
        .isInstanceOf(ParseException.class);
    assertThatThrownBy(() -> NftJsonParser.parse("nft -j", "{\"nftables\": [", "nft", true))
        .isInstanceOf(ParseException.class);
  }
}
