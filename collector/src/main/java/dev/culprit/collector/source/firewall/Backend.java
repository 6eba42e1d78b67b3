package dev.culprit.collector.source.firewall;

import java.util.List;

/**
 * A place firewall rules live, with the command that lists them with counters. iptables has two
 * kernels back ends (nf_tables through iptables-nft, x_tables through iptables-legacy) that can
 * both hold rules at once, and native nftables tables sit beside them.
 *
 * @param name the {@code backend} field of the records
 * @param family ipv4 or ipv6 (nft rules carry their own)
 * @param argv the command, with counters
 * @param fallbackArgv the generic command when the explicit one is not installed, or null
 */
public record Backend(String name, String family, List<String> argv, List<String> fallbackArgv) {

  public static final Backend IPTABLES_NFT =
      new Backend(
          "iptables-nft",
          "ipv4",
          List.of("iptables-nft-save", "-c"),
          List.of("iptables-save", "-c"));
  public static final Backend IPTABLES_LEGACY =
      new Backend("iptables-legacy", "ipv4", List.of("iptables-legacy-save", "-c"), null);
  public static final Backend IP6TABLES_NFT =
      new Backend(
          "ip6tables-nft",
          "ipv6",
          List.of("ip6tables-nft-save", "-c"),
          List.of("ip6tables-save", "-c"));
  public static final Backend IP6TABLES_LEGACY =
      new Backend("ip6tables-legacy", "ipv6", List.of("ip6tables-legacy-save", "-c"), null);
  public static final Backend NFT =
      new Backend("nft", "inet", List.of("nft", "-j", "list", "ruleset"), null);
}
