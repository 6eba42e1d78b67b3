package dev.culprit.collector.source.firewall;

import static dev.culprit.collector.source.firewall.IptablesSaveParserTest.policy;
import static dev.culprit.collector.source.firewall.IptablesSaveParserTest.rule;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.source.Fixtures;
import dev.culprit.collector.spi.ParseException;
import org.junit.jupiter.api.Test;

class IptablesListParserTest {

  @Test
  void readsTheSeedsListingWithBothRandomDropRules() throws Exception {
    IptablesSaveParser.Ruleset set =
        IptablesListParser.parse(
            "seed", Fixtures.text("seed/iptables-t-filter-nvL.txt"), "iptables", "ipv4", "filter");

    assertThat(policy(set.policies(), "filter", "INPUT").getPackets()).isEqualTo(25);
    assertThat(policy(set.policies(), "filter", "INPUT").getBytes()).isEqualTo(1000);
    assertThat(policy(set.policies(), "filter", "OUTPUT").getPackets()).isEqualTo(15);
    assertThat(policy(set.policies(), "filter", "OUTPUT").getBytes()).isEqualTo(660);
    FirewallRule input = rule(set.rules(), "filter", "INPUT", 1);
    assertThat(input.getTarget()).isEqualTo("DROP");
    assertThat(input.getPackets()).isEqualTo(6);
    assertThat(input.getBytes()).isEqualTo(240);
    assertThat(input.getStatisticMode()).isEqualTo("random");
    assertThat(input.getStatisticProbability()).isEqualTo(0.3);
    FirewallRule output = rule(set.rules(), "filter", "OUTPUT", 1);
    assertThat(output.getBytes()).isEqualTo(264);
    assertThat(set.rules()).hasSize(2);
  }

  /** The listing and iptables-save -c taken together here must give the same rules and counters. */
  @Test
  void agreesWithIptablesSaveOnTheSameNamespace() throws Exception {
    IptablesSaveParser.Ruleset listed =
        IptablesListParser.parse(
            "nvxL", Fixtures.text("real/ns-a/iptables-nvxL.txt"), "iptables-nft", "ipv4", "filter");
    IptablesSaveParser.Ruleset saved =
        IptablesSaveParser.parse(
            "save", Fixtures.text("real/ns-a/iptables-save-c.txt"), "iptables-nft", "ipv4");

    long savedFilterRules =
        saved.rules().stream().filter(r -> r.getTable().equals("filter")).count();
    assertThat(listed.rules()).hasSize((int) savedFilterRules);
    for (FirewallRule l : listed.rules()) {
      FirewallRule s = rule(saved.rules(), "filter", l.getChain(), l.getPosition());
      assertThat(l.getTarget()).as(l.getSpec()).isEqualTo(s.getTarget());
      assertThat(l.getPackets()).as(l.getSpec()).isEqualTo(s.getPackets());
      assertThat(l.getBytes()).as(l.getSpec()).isEqualTo(s.getBytes());
      assertThat(l.getStatisticProbability()).isEqualTo(s.getStatisticProbability());
      assertThat(l.getComment()).isEqualTo(s.getComment());
    }
  }

  @Test
  void readsAbbreviatedCountersAndARuleWithoutTarget() throws Exception {
    String text =
        "Chain INPUT (policy DROP 12K packets, 3M bytes)\n"
            + " pkts bytes target     prot opt in     out     source               destination\n"
            + "  120  9K            all  --  eth0   *       10.0.0.0/8           0.0.0.0/0\n";

    IptablesSaveParser.Ruleset set = IptablesListParser.parse("t", text, "b", "ipv4", "filter");

    assertThat(set.policies().get(0).getPolicy()).isEqualTo("DROP");
    assertThat(set.policies().get(0).getPackets()).isEqualTo(12_000);
    assertThat(set.rules().get(0).getTarget()).isNull();
    assertThat(set.rules().get(0).getBytes()).isEqualTo(9_000);
  }

  @Test
  void rejectsARuleOutsideAChain() {
    assertThatThrownBy(
            () -> IptablesListParser.parse("t", "  1 2 DROP all -- * * a b\n", "b", "ipv4", "f"))
        .isInstanceOf(ParseException.class)
        .hasMessageContaining("t:1");
  }
}
