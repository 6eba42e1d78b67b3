package dev.culprit.collector.source.firewall;

import dev.culprit.collector.platform.netlink.NfRules;
import dev.culprit.collector.records.ChainPolicy;
import dev.culprit.collector.records.FirewallRule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A namespace's nf_tables listing at one ruleset generation, each rule tied to its kernel handle:
 * while the generation stays, the rules, their order and text cannot have changed, so a netlink
 * rule dump refreshes the counters (and the statistic match, read from its xt struct) of exactly
 * the records the listing printed — no fork.
 *
 * <p>The tie is made by position: a chain's n-th rule in the listing is its n-th rule in the dump,
 * which walks each chain in rule order. It is made only when the two agree everywhere — the same
 * number of rules in every chain listed, the same verdict where both name one, a counter wherever
 * the listing printed one, the same statistic match — else the source keeps forking, which is
 * slower but never wrong.
 */
final class CachedListing {

  private final long generation;
  private final NfListing listing;

  /** Per part (ipv4, ipv6, nft), its rules' ties; null for an absent part. */
  private final List<List<Tie>> ties;

  private CachedListing(long generation, NfListing listing, List<List<Tie>> ties) {
    this.generation = generation;
    this.listing = listing;
    this.ties = ties;
  }

  /** A rule of the listing and the kernel rule it is. */
  private record Tie(FirewallRule rule, Key key, boolean counted) {}

  private record Key(String family, String table, String chain, long handle) {}

  private record ChainKey(String family, String table, String chain) {}

  /**
   * Ties {@code listing}, printed at {@code generation}, to the rules a dump of the same generation
   * returned.
   *
   * @return null when the listing is not wholly in nf_tables or does not match the dump
   */
  static CachedListing tie(long generation, NfListing listing, List<NfRules.Rule> dump) {
    if (!listing.complete()) {
      return null;
    }
    shareStrings(listing);
    Map<ChainKey, List<NfRules.Rule>> chains = new HashMap<>();
    for (NfRules.Rule r : dump) {
      chains
          .computeIfAbsent(new ChainKey(r.family(), r.table(), r.chain()), k -> new ArrayList<>())
          .add(r);
    }
    List<List<Tie>> ties = new ArrayList<>();
    Map<ChainKey, Integer> listed = new HashMap<>();
    for (NfListing.Part part : parts(listing)) {
      if (part == null) {
        ties.add(null);
        continue;
      }
      if (!part.inNfTables()) {
        return null;
      }
      List<Tie> partTies = new ArrayList<>();
      for (FirewallRule rule : part.rules()) {
        ChainKey chain =
            new ChainKey(nftFamily(rule.getFamily()), rule.getTable(), rule.getChain());
        List<NfRules.Rule> kernel = chains.getOrDefault(chain, List.of());
        int index = rule.getPosition() - 1;
        if (index < 0 || index >= kernel.size() || !agree(rule, kernel.get(index))) {
          return null;
        }
        listed.merge(chain, 1, Integer::sum);
        NfRules.Rule k = kernel.get(index);
        partTies.add(
            new Tie(
                rule,
                new Key(k.family().intern(), k.table().intern(), k.chain().intern(), k.handle()),
                rule.getPackets() != null));
      }
      ties.add(partTies);
    }
    for (Map.Entry<ChainKey, Integer> e : listed.entrySet()) {
      if (chains.get(e.getKey()).size() != e.getValue()) {
        return null; // a rule the listing did not print, or printed twice
      }
    }
    return new CachedListing(generation, listing, ties);
  }

  /**
   * Makes the listing's texts the JVM's shared copies ({@link String#intern}) before it is kept for
   * the ruleset's life: the pods of a node mostly hold the same rules (a service mesh's init
   * container writes the same 20 into every pod), and each namespace's listing parsed its own copy
   * of every table, chain, target and rule text — about 10 KB per namespace kept, the largest
   * per-namespace part of the agent's heap at 100 mesh pods.
   */
  private static void shareStrings(NfListing listing) {
    for (NfListing.Part part :
        java.util.Arrays.asList(listing.ipv4(), listing.ipv6(), listing.nft())) {
      if (part == null) {
        continue;
      }
      for (FirewallRule r : part.rules()) {
        r.setBackend(r.getBackend().intern());
        r.setFamily(r.getFamily().intern());
        r.setTable(r.getTable().intern());
        r.setChain(r.getChain().intern());
        r.setSpec(r.getSpec().intern());
        r.setTarget(intern(r.getTarget()));
        r.setComment(intern(r.getComment()));
        r.setStatisticMode(intern(r.getStatisticMode()));
      }
      for (ChainPolicy p : part.policies()) {
        p.setBackend(p.getBackend().intern());
        p.setFamily(p.getFamily().intern());
        p.setTable(p.getTable().intern());
        p.setChain(p.getChain().intern());
        p.setPolicy(p.getPolicy().intern());
      }
    }
  }

  private static String intern(String s) {
    return s == null ? null : s.intern();
  }

  long generation() {
    return generation;
  }

  /**
   * The listing with every counter and statistic match from {@code dump}, a dump of the same
   * generation.
   *
   * @return null when a tied rule is missing from the dump (the cache must be rebuilt)
   */
  NfListing refresh(List<NfRules.Rule> dump) {
    Map<Key, NfRules.Rule> byHandle = new HashMap<>();
    for (NfRules.Rule r : dump) {
      byHandle.put(new Key(r.family(), r.table(), r.chain(), r.handle()), r);
    }
    List<NfListing.Part> parts = parts(listing);
    for (int i = 0; i < parts.size(); i++) {
      NfListing.Part part = parts.get(i);
      if (part == null) {
        continue;
      }
      List<FirewallRule> rules = new ArrayList<>();
      for (Tie tie : ties.get(i)) {
        NfRules.Rule kernel = byHandle.get(tie.key());
        if (kernel == null || (tie.counted() && kernel.counter() == null)) {
          return null;
        }
        rules.add(withKernelState(tie.rule(), kernel, tie.counted()));
      }
      parts.set(i, new NfListing.Part(part.backend(), rules, part.policies()));
    }
    return new NfListing(parts.get(0), parts.get(1), parts.get(2), listing.nftNamedOnly(), true);
  }

  private static FirewallRule withKernelState(
      FirewallRule printed, NfRules.Rule kernel, boolean counted) {
    // The record's constructor, not newBuilder(printed): the builder validates and deep-copies
    // every field of every rule of every namespace at every cycle.
    boolean statistic = kernel.statistic() != null;
    return new FirewallRule(
        printed.getBackend(),
        printed.getFamily(),
        printed.getTable(),
        printed.getChain(),
        printed.getPosition(),
        printed.getTarget(),
        printed.getSpec(),
        printed.getComment(),
        statistic ? kernel.statistic().modeName() : printed.getStatisticMode(),
        statistic ? probability(kernel.statistic()) : printed.getStatisticProbability(),
        counted ? Long.valueOf(kernel.counter().packets()) : printed.getPackets(),
        counted ? Long.valueOf(kernel.counter().bytes()) : printed.getBytes());
  }

  /** Whether a printed rule and a kernel rule can be the same rule. */
  private static boolean agree(FirewallRule printed, NfRules.Rule kernel) {
    if (printed.getPackets() != null && kernel.counter() == null) {
      return false;
    }
    if (printed.getTarget() != null
        && kernel.verdict() != null
        && !printed
            .getTarget()
            .toUpperCase(Locale.ROOT)
            .equals(kernel.verdict().toUpperCase(Locale.ROOT))) {
      return false;
    }
    if (kernel.statistic() != null) {
      return kernel.statistic().modeName().equals(printed.getStatisticMode())
          && Objects.equals(probability(kernel.statistic()), printed.getStatisticProbability());
    }
    return true;
  }

  /**
   * The probability as the listing reports it: iptables-save prints {@code probability / 2^31} with
   * 11 decimals, which the parser reads and rounds; the same steps give the same double.
   */
  private static Double probability(NfRules.Statistic s) {
    if (s.mode() != 0) {
      return null; // nth mode prints --every/--packet, no probability
    }
    return IptablesSaveParser.probability(
        String.format(Locale.ROOT, "%.11f", s.probability() / (double) 0x80000000L));
  }

  private static List<NfListing.Part> parts(NfListing listing) {
    // a list that holds nulls: absent parts keep their index
    return new ArrayList<>(java.util.Arrays.asList(listing.ipv4(), listing.ipv6(), listing.nft()));
  }

  /** nft's family name of a record's family (ipv4 → ip). */
  private static String nftFamily(String family) {
    return switch (family) {
      case "ipv4" -> "ip";
      case "ipv6" -> "ip6";
      default -> family;
    };
  }
}
