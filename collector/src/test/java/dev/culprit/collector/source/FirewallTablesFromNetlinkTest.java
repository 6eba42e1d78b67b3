package dev.culprit.collector.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.collector.platform.netlink.DumpRequest;
import dev.culprit.collector.platform.netlink.ReplayedNetnsHandles;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.records.FilterSample;
import dev.culprit.collector.source.firewall.FirewallSource;
import dev.culprit.collector.spi.Header;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With the nf_tables table list from netlink, the firewall source forks only the listings that have
 * something to print: none for a namespace without tables.
 */
class FirewallTablesFromNetlinkTest extends OnFixtureNamespace {

  private static final Header HEADER = new Header("h", "ns", 1L, "c", null);

  @BeforeEach
  void listings() {
    replayNftListings(
        "/fixtures/real/ns-a/iptables-save-c.txt",
        "/fixtures/real/ns-a/ip6tables-save-c.txt",
        "/fixtures/real/ns-a/nft-j-list-ruleset.json");
  }

  @Test
  void aNamespaceWithoutTablesCostsNoFork() throws Exception {
    ReplayedNetnsHandles handles = new ReplayedNetnsHandles("/fixtures/netlink/ns-b");

    FilterSample sample = collect(handles);

    assertThat(runner.calls()).isEmpty();
    // the ruleset generation first (not in this capture: answered as by a kernel without it)
    assertThat(handles.requests())
        .containsExactly(DumpRequest.NFT_GENERATION, DumpRequest.NFT_TABLES);
    assertThat(sample.getRules()).isEmpty();
    assertThat(sample.getPolicies()).isEmpty();
    // nft is installed: listing it would have found nothing, and the record says it was asked.
    assertThat(sample.getBackends()).containsExactly("nft");
  }

  @Test
  void listsOnlyTheFamiliesAndBackEndsThatHoldTables() throws Exception {
    // culprit-fx-nl-a holds "ip filter" (iptables-nft) and "inet culprit" (native nft)
    FilterSample sample = collect(new ReplayedNetnsHandles("/fixtures/netlink/ns-a"));

    assertThat(runner.calls())
        .extracting(c -> c.get(2))
        .containsExactly("iptables-nft-save", "nft");
    assertThat(sample.getBackends()).containsExactly("iptables-nft", "nft");
    assertThat(sample.getRules()).filteredOn(r -> r.getBackend().equals("nft")).isNotEmpty();
  }

  @Test
  void withoutNftInstalledAnEmptyNamespaceStillPublishesAnEmptyListing() throws Exception {
    runner.missing("nft");

    FilterSample sample = collect(new ReplayedNetnsHandles("/fixtures/netlink/ns-b"));

    assertThat(runner.calls()).isEmpty();
    assertThat(sample.getBackends()).isEmpty();
    assertThat(sample.getRules()).isEmpty();
  }

  private FilterSample collect(ReplayedNetnsHandles handles) throws Exception {
    NetnsAccess access = new NetnsAccess(tree.paths(), runner, Duration.ofSeconds(1), -1, handles);
    return (FilterSample) new FirewallSource(access, 1).collect(ns, HEADER).get(0).value();
  }
}
