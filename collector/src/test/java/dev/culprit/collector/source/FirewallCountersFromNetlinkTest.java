package dev.culprit.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.netlink.DumpRequest;
import dev.culprit.collector.platform.netlink.NfRules;
import dev.culprit.collector.platform.netlink.ReplayedNetnsHandles;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.records.FilterSample;
import dev.culprit.collector.source.firewall.FirewallSource;
import dev.culprit.collector.spi.Header;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a captured namespace with iptables-nft and native nftables rules ({@code fixtures/netlink/fw}:
 * the nf_tables dumps and the listings of the same moment), the firewall source reads counters from
 * netlink and forks only while it has no listing for the ruleset's generation — publishing what the
 * forking path publishes.
 */
class FirewallCountersFromNetlinkTest extends OnFixtureNamespace {

  private static final String FW = "/fixtures/netlink/fw";
  private static final Header HEADER = new Header("h", "ns", 1L, "c", null);

  @BeforeEach
  void listings() {
    replayNftListings(
        FW + "/iptables-nft-save-c.txt",
        FW + "/ip6tables-nft-save-c.txt",
        FW + "/nft-j-list-ruleset.json");
  }

  @Test
  void theRuleDumpHoldsEachRulesHandleCounterVerdictAndStatisticMatch() throws Exception {
    List<NfRules.Rule> rules = NfRules.rules(ReplayedNetnsHandles.bytes(FW, DumpRequest.NFT_RULES));

    assertThat(rules)
        .filteredOn(r -> r.family().equals("ip") && r.chain().equals("INPUT"))
        .extracting(NfRules.Rule::verdict)
        .containsExactly("DROP", "CULPRIT-LOG", "REJECT");
    NfRules.Rule randomDrop =
        rules.stream().filter(r -> r.chain().equals("INPUT")).findFirst().orElseThrow();
    // iptables-nft-save printed [11:924] for it in the same moment
    assertThat(randomDrop.counter()).isEqualTo(new NfRules.Counter(11, 924));
    assertThat(randomDrop.statistic().modeName()).isEqualTo("random");
    // 0.3 as a 31-bit fraction, the way iptables stores it
    assertThat(randomDrop.statistic().probability()).isEqualTo(644245094L);
    assertThat(rules)
        .filteredOn(r -> r.chain().equals("CULPRIT-LOG"))
        .extracting(r -> r.statistic() == null ? null : r.statistic().modeName())
        .containsExactly("nth", null);
    assertThat(rules)
        .filteredOn(r -> r.family().equals("inet"))
        .extracting(NfRules.Rule::verdict)
        .containsExactly("ACCEPT", "DROP", "DROP", null);
    // handles are unique per table, not per namespace
    assertThat(rules)
        .extracting(r -> r.family() + " " + r.table() + " " + r.handle())
        .doesNotHaveDuplicates();
  }

  @Test
  void theGenerationReplyNamesTheRulesetsGeneration() throws Exception {
    assertThat(
            NfRules.capturedGeneration(ReplayedNetnsHandles.bytes(FW, DumpRequest.NFT_GENERATION)))
        .isPositive();
  }

  @Test
  void countersComeFromNetlinkAndTheListingIsForkedOnlyForANewGeneration() throws Exception {
    ReplayedNetnsHandles handles = new ReplayedNetnsHandles(FW);
    FirewallSource netlink = new FirewallSource(access(handles), 1);
    FilterSample forked =
        collect(new FirewallSource(access(new ReplayedNetnsHandles(FW)), 1, false));
    int before = runner.calls().size();

    FilterSample first = collect(netlink);
    int afterFirst = runner.calls().size();
    FilterSample second = collect(netlink);

    assertThat(afterFirst - before).as("the first cycle lists the rules").isEqualTo(3);
    assertThat(runner.calls()).as("the second forks nothing").hasSize(afterFirst);
    assertThat(first).isEqualTo(forked);
    assertThat(second).isEqualTo(forked);
    assertThat(second.getBackends()).containsExactly("iptables-nft", "ip6tables-nft", "nft");
    assertThat(second.getRules()).hasSize(12);
  }

  private NetnsAccess access(ReplayedNetnsHandles handles) {
    return new NetnsAccess(tree.paths(), runner, Duration.ofSeconds(1), -1, handles);
  }

  private FilterSample collect(FirewallSource source) throws Exception {
    return (FilterSample) source.collect(ns, HEADER).get(0).value();
  }
}
