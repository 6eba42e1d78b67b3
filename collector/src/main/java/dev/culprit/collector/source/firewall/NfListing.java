package dev.culprit.collector.source.firewall;

import dev.culprit.collector.records.ChainPolicy;
import dev.culprit.collector.records.FirewallRule;
import java.util.List;

/**
 * What the listings of a namespace's nf_tables rules printed: {@code iptables-nft-save} per family
 * and {@code nft -j list ruleset}, each a part of the published sample in publishing order. The
 * iptables-legacy listings are not in it: their rules are not in nf_tables, and they are forked
 * every cycle.
 *
 * @param ipv4 what {@code iptables-nft-save} (or {@code iptables-save}) printed, or null when not
 *     asked or not installed
 * @param ipv6 the same for ip6tables
 * @param nft what {@code nft -j list ruleset} printed beyond iptables' tables, or null
 * @param nftNamedOnly nft is installed but had nothing beyond iptables' tables to list: it is still
 *     named among the back ends, as listing it would have
 * @param complete no listing failed: this is the whole nf_tables ruleset as the tools print it
 */
record NfListing(Part ipv4, Part ipv6, Part nft, boolean nftNamedOnly, boolean complete) {

  /**
   * One back end's rules and policies.
   *
   * @param backend the back end it turned out to be: iptables-nft, or iptables-legacy when the
   *     generic {@code iptables-save} printed legacy tables
   */
  record Part(String backend, List<FirewallRule> rules, List<ChainPolicy> policies) {

    /** Whether this part's rules live in nf_tables, so netlink can count them. */
    boolean inNfTables() {
      return backend.endsWith("-nft") || backend.equals("nft");
    }
  }

  /** The back end a family's part was read as, or null. */
  String readAs(boolean v4) {
    Part p = v4 ? ipv4 : ipv6;
    return p == null ? null : p.backend();
  }
}
