package dev.culprit.processor.rules.packetloss;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RuleSpecTest {

  @Test
  void theSeedsRandomDropMatchesEverythingAndDeletesWithItsOwnText() {
    FirewallRuleSpec spec =
        FirewallRuleSpec.parse(
            "-A INPUT -m statistic --mode random --probability 0.29999999981 -j DROP");
    assertThat(spec.isSelective()).isFalse();
    assertThat(spec.probability()).isEqualTo(0.29999999981);
    assertThat(spec.match()).isEqualTo("-m statistic --mode random --probability 0.30 -j DROP");
    assertThat(spec.deleteArguments())
        .containsExactly(
            "-D",
            "INPUT",
            "-m",
            "statistic",
            "--mode",
            "random",
            "--probability",
            "0.30",
            "-j",
            "DROP");
  }

  @Test
  void addressesPortsAndStatesAreSelectiveInterfacesAndCommentsAreNot() {
    assertThat(FirewallRuleSpec.parse("-A INPUT -s 10.0.0.0/8 -j DROP").isSelective()).isTrue();
    assertThat(FirewallRuleSpec.parse("-A INPUT -p tcp -m tcp --dport 22 -j DROP").isSelective())
        .isTrue();
    assertThat(
            FirewallRuleSpec.parse("-A INPUT -m conntrack --ctstate INVALID -j DROP").isSelective())
        .isTrue();
    assertThat(FirewallRuleSpec.parse("-A INPUT -i eth0 -j DROP").isSelective()).isFalse();
    assertThat(
            FirewallRuleSpec.parse(
                    "-A INPUT -m comment --comment \"block all\" -j REJECT --reject-with"
                        + " icmp-port-unreachable")
                .isSelective())
        .isFalse();
  }

  @Test
  void aQuotedCommentIsOneArgumentOfTheDeleteCommandWithoutItsQuotes() {
    FirewallRuleSpec spec =
        FirewallRuleSpec.parse("-A OUTPUT -m comment --comment \"drop all out\" -j DROP");
    assertThat(spec.deleteArguments())
        .containsExactly(
            "-D", "OUTPUT", "-m", "comment", "--comment", "drop all out", "-j", "DROP");
  }

  @Test
  void anEscapedQuoteInACommentReachesTheArgumentAsAQuote() {
    // iptables-save writes a comment's " as \" inside the double quotes.
    FirewallRuleSpec spec =
        FirewallRuleSpec.parse("-A INPUT -m comment --comment \"x\\\";touch /tmp/y\" -j DROP");
    assertThat(spec.deleteArguments()).contains("x\";touch /tmp/y");
  }

  @Test
  void nthModeIsRecognised() {
    FirewallRuleSpec spec =
        FirewallRuleSpec.parse("-A INPUT -m statistic --mode nth --every 4 --packet 0 -j DROP");
    assertThat(spec.every()).isEqualTo(4L);
    assertThat(spec.isSelective()).isFalse();
  }

  @Test
  void nftRulesAreNotReadAsIptables() {
    FirewallRuleSpec spec = FirewallRuleSpec.parse("ip saddr 10.0.0.0/8 drop");
    assertThat(spec.isIptables()).isFalse();
    assertThat(spec.isSelective()).isTrue();
  }

  @Test
  void aSourceOfOneHostIsItsSingleSourceANetworkAListOrANegationIsNot() {
    assertThat(FirewallRuleSpec.parse("-A INPUT -s 10.253.0.21/32 -j DROP").singleSource())
        .isEqualTo("10.253.0.21");
    assertThat(FirewallRuleSpec.parse("-A INPUT -s 10.253.0.21 -p tcp -j DROP").singleSource())
        .isEqualTo("10.253.0.21");
    assertThat(FirewallRuleSpec.parse("-A INPUT -s 10.253.0.0/24 -j DROP").singleSource()).isNull();
    assertThat(FirewallRuleSpec.parse("-A INPUT -s 10.0.0.1/32,10.0.0.2/32 -j DROP").singleSource())
        .isNull();
    assertThat(FirewallRuleSpec.parse("-A INPUT ! -s 10.0.0.1/32 -j DROP").singleSource()).isNull();
    assertThat(FirewallRuleSpec.parse("-A INPUT -d 10.0.0.1/32 -j DROP").singleSource()).isNull();
    assertThat(FirewallRuleSpec.parse("ip saddr 10.0.0.1 drop").singleSource()).isNull();
  }
}
