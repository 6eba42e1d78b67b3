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

  public static final Backend IPTABLES_NFT = nft("iptables", "ipv4");
  public static final Backend IPTABLES_LEGACY = legacy("iptables", "ipv4");
  public static final Backend IP6TABLES_NFT = nft("ip6tables", "ipv6");
  public static final Backend IP6TABLES_LEGACY = legacy("ip6tables", "ipv6");
  public static final Backend NFT =
      new Backend("nft", "inet", List.of("nft", "-j", "list", "ruleset"), null);

  /** {@code <tool>-nft-save -c}, or the generic {@code <tool>-save -c} where that is missing. */
  private static Backend nft(String tool, String family) {
    return new Backend(
        tool + "-nft", family, List.of(tool + "-nft-save", "-c"), List.of(tool + "-save", "-c"));
  }

  /** {@code <tool>-legacy-save -c}, without a fallback. */
  private static Backend legacy(String tool, String family) {
    return new Backend(tool + "-legacy", family, List.of(tool + "-legacy-save", "-c"), null);
  }
}
