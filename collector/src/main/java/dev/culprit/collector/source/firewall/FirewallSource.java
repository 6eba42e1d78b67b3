package dev.culprit.collector.source.firewall;

import dev.culprit.collector.platform.netlink.DumpRequest;
import dev.culprit.collector.platform.netlink.NetlinkException;
import dev.culprit.collector.platform.netlink.NetnsHandles;
import dev.culprit.collector.platform.netlink.NfRules;
import dev.culprit.collector.platform.netlink.NfTables;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.records.ChainPolicy;
import dev.culprit.collector.records.FilterSample;
import dev.culprit.collector.records.FirewallRule;
import dev.culprit.collector.records.WireTopics;
import dev.culprit.collector.spi.Header;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Sample;
import dev.culprit.collector.spi.Source;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code filter} source: every firewall rule and chain policy of a namespace with counters,
 * from every back end that has rules there.
 *
 * <ul>
 *   <li>{@code iptables-nft-save -c} / {@code ip6tables-nft-save -c} (or plain {@code iptables-save
 *       -c} where only that exists; its header says which back end it is);
 *   <li>{@code iptables-legacy-save -c} / {@code ip6tables-legacy-save -c}, only when the
 *       namespace's {@code net/ip_tables_names} / {@code ip6_tables_names} lists a legacy table — a
 *       per-namespace procfs read that saves a fork in the usual case of no legacy rules;
 *   <li>{@code nft -j list ruleset} for native nftables tables (iptables-nft's own tables are
 *       skipped there when iptables-nft-save was read, so no rule is counted twice).
 * </ul>
 *
 * <p>Which listings run: with namespace handles (netlink available) one nf_tables table dump over
 * the namespace's NETLINK_NETFILTER socket says which tables exist, so {@code iptables-nft-save} /
 * {@code ip6tables-nft-save} run only for families that hold an iptables table and {@code nft} only
 * when there is a table iptables does not manage: a namespace without rules costs no fork at all.
 * Without handles, {@code nft -j list ruleset} runs first and its table list decides the same (one
 * fork, about 3 ms of CPU here, for a namespace without rules). The records are the same either
 * way; when nft is installed but had nothing beyond iptables' tables to list, "nft" is still named
 * among the back ends, as listing it would have.
 *
 * <p>Counters without forks: with namespace handles, the rule text of nf_tables rules (iptables-nft
 * and native nft) is listed only when the namespace's ruleset generation changed; every other cycle
 * an nf_tables rule dump refreshes the counters and statistic matches of that cached listing (see
 * {@link CachedListing}). The records are the same as the listings would print. iptables-legacy
 * rules are not in nf_tables and are listed every cycle.
 *
 * <p>Cadence: a listing older than the processor's window would hide a burst of drops, so the
 * source publishes every cycle by default ({@code everyCycles = 1}). With {@code everyCycles = N}
 * it publishes only every N-th call per namespace and returns nothing in between: the processor
 * then sees the same cumulative counters over a longer interval, never stale ones labelled fresh.
 *
 * <p>No tool at all is NO_DATA; one back end failing while another works publishes what was read
 * and logs the failure.
 */
public final class FirewallSource implements Source {

  private static final Logger LOG = LoggerFactory.getLogger(FirewallSource.class);

  /**
   * Rules one namespace's sample may hold. Anyone can load tens of thousands of rules into a user
   * namespace of their own; a sample of 5,000 is about 1 MB, Kafka's default record limit, and
   * parsing far more would take the agent's whole heap. Beyond it the namespace's rules are
   * reported too large (NO_DATA with the count), never read into memory.
   */
  static final int MAX_RULES = 5_000;

  private final NetnsAccess access;
  private final int everyCycles;
  private final Map<Long, AtomicLong> calls = new ConcurrentHashMap<>();
  private final AtomicBoolean tableDumpFailureLogged = new AtomicBoolean();
  private final AtomicBoolean ruleDumpFailureLogged = new AtomicBoolean();
  private final boolean countersFromNetlink;
  private final Map<String, CachedListing> cache = new ConcurrentHashMap<>();

  /**
   * Namespaces whose nf_tables ruleset was too large, with the generation it was counted at: while
   * it stands, the namespace costs one generation query a cycle, not a count or a listing.
   */
  private final Map<String, TooLarge> tooLarge = new ConcurrentHashMap<>();

  private record TooLarge(long generation, String message) {}

  /** Counters from netlink where it can; rule text forked only when the ruleset changed. */
  public FirewallSource(NetnsAccess access, int everyCycles) {
    this(access, everyCycles, true);
  }

  /**
   * @param countersFromNetlink false forks every listing every cycle (the path the netlink one is
   *     checked against)
   */
  public FirewallSource(NetnsAccess access, int everyCycles, boolean countersFromNetlink) {
    if (everyCycles < 1) {
      throw new IllegalArgumentException("everyCycles must be >= 1, got " + everyCycles);
    }
    this.access = access;
    this.everyCycles = everyCycles;
    this.countersFromNetlink = countersFromNetlink;
  }

  @Override
  public String name() {
    return "filter";
  }

  @Override
  public Scope scope() {
    return Scope.PER_NETNS;
  }

  @Override
  public List<Sample> collect(Netns netns, Header header) throws Exception {
    long call = calls.computeIfAbsent(netns.inode(), k -> new AtomicLong()).getAndIncrement();
    if (call % everyCycles != 0) {
      return List.of();
    }
    List<Exception> failures = new ArrayList<>();
    Map<String, String> legacyNames =
        access.readNetFiles(netns, List.of("ip_tables_names", "ip6_tables_names"));
    NetnsHandles handles = access.handles(netns);
    NfListing nf = countersFromNetlink && handles != null ? fromCache(netns, handles) : null;
    // whether netlink said which tables exist: then an empty listing is an answer, not NO_DATA
    boolean tablesKnown = nf != null;
    if (nf == null) {
      Long generation = countersFromNetlink && handles != null ? generation(handles) : null;
      if (generation != null) {
        refuseIfTooMany(netns, handles, generation);
      }
      List<NfTables.Table> tables = netlinkTables(handles);
      tablesKnown = tables != null;
      nf = listNfTables(netns, tables, failures);
      if (generation != null) {
        nf = cache(netns, handles, generation, nf);
      }
    }

    List<FirewallRule> rules = new ArrayList<>();
    List<ChainPolicy> policies = new ArrayList<>();
    List<String> backends = new ArrayList<>();
    for (Backend legacy : new Backend[] {Backend.IPTABLES_LEGACY, Backend.IP6TABLES_LEGACY}) {
      boolean v4 = legacy.family().equals("ipv4");
      add(v4 ? nf.ipv4() : nf.ipv6(), rules, policies, backends);
      boolean legacyInUse =
          !legacyNames.getOrDefault(v4 ? "ip_tables_names" : "ip6_tables_names", "").isBlank();
      // legacy rules are not in nf_tables: they are listed every cycle
      if (legacyInUse && !legacy.name().equals(nf.readAs(v4))) {
        try {
          add(readIptables(netns, legacy), rules, policies, backends);
        } catch (TooManyRules e) {
          throw new NoDataException(e.getMessage());
        } catch (NoDataException e) {
          // not installed
        } catch (Exception e) {
          failures.add(e);
        }
      }
    }
    add(nf.nft(), rules, policies, backends);
    if (nf.nftNamedOnly()) {
      backends.add("nft"); // its listing would hold only iptables' tables, which are skipped
    }
    try {
      checkRuleCount(rules.size(), String.join(", ", backends));
    } catch (TooManyRules e) {
      throw new NoDataException(e.getMessage());
    }
    if (backends.isEmpty() && !tablesKnown) {
      if (!failures.isEmpty()) {
        throw failures.get(0);
      }
      throw new NoDataException("no iptables-save, ip6tables-save or nft installed");
    }
    for (Exception failure : failures) {
      LOG.warn("firewall back end failed in netns '{}': {}", netns.label(), failure.getMessage());
    }
    FilterSample sample = header.stamp(new FilterSample());
    sample.setBackends(backends);
    sample.setRules(rules);
    sample.setPolicies(policies);
    return List.of(new Sample(WireTopics.FILTER, header.host(), sample));
  }

  private static void add(
      NfListing.Part part,
      List<FirewallRule> rules,
      List<ChainPolicy> policies,
      List<String> backends) {
    if (part != null) {
      rules.addAll(part.rules());
      policies.addAll(part.policies());
      backends.add(part.backend());
    }
  }

  /**
   * The namespace's nf_tables listing with this moment's counters, when its ruleset generation is
   * still the one the cached listing was printed at: a generation, a rule dump and the generation
   * again (so the dump saw that same ruleset), no fork. Null when it must be listed again.
   */
  private NfListing fromCache(Netns netns, NetnsHandles handles) {
    CachedListing cached = cache.get(cacheKey(netns));
    if (cached == null) {
      return null;
    }
    Long before = generation(handles);
    if (before == null || before != cached.generation()) {
      return null;
    }
    List<NfRules.Rule> dump = ruleDump(handles);
    Long after = generation(handles);
    if (dump == null || !before.equals(after)) {
      return null;
    }
    return cached.refresh(dump);
  }

  /**
   * Ties a fresh listing to the kernel's rules, when the ruleset did not change while it was
   * printed, and returns it with the counters of the same dump: from then on every cycle reads them
   * from netlink until the generation changes. Without a tie the listing is returned as printed and
   * the next cycle lists again.
   */
  private NfListing cache(Netns netns, NetnsHandles handles, long generation, NfListing listing) {
    String key = cacheKey(netns);
    List<NfRules.Rule> dump = ruleDump(handles);
    Long after = generation(handles);
    CachedListing cached =
        dump != null && after != null && after == generation
            ? CachedListing.tie(generation, listing, dump)
            : null;
    NfListing refreshed = cached == null ? null : cached.refresh(dump);
    if (refreshed == null) {
      cache.remove(key);
      return listing;
    }
    cache.put(key, cached);
    return refreshed;
  }

  /** A namespace inode can be reused by a later namespace; its label tells them apart too. */
  private static String cacheKey(Netns netns) {
    return netns.inode() + "/" + netns.label();
  }

  /** The ruleset generation, or null when netlink cannot say. */
  private Long generation(NetnsHandles handles) {
    long[] gen = {-1};
    try {
      handles.dump(DumpRequest.NFT_GENERATION, NfRules.generationInto(gen));
    } catch (IOException e) {
      logNetlinkFailure("generation", e);
      return null;
    }
    return gen[0] < 0 ? null : gen[0];
  }

  /**
   * NO_DATA, before anything is listed or parsed, when the namespace's nf_tables hold more than
   * {@link #MAX_RULES} rules: counted by netlink as the dump streams past (a fork of
   * iptables-nft-save over 50,000 rules took seconds of CPU every cycle), and remembered until the
   * ruleset's generation changes.
   */
  private void refuseIfTooMany(Netns netns, NetnsHandles handles, long generation)
      throws NoDataException {
    String key = cacheKey(netns);
    TooLarge known = tooLarge.get(key);
    if (known != null && known.generation() == generation) {
      throw new NoDataException(known.message());
    }
    long[] count = {0};
    try {
      handles.dump(DumpRequest.NFT_RULES, NfRules.countInto(count));
    } catch (IOException e) {
      logNetlinkFailure("rule count", e);
      return; // the listing's own count decides
    }
    if (count[0] > MAX_RULES) {
      String message =
          "too large: "
              + count[0]
              + " firewall rules (nf_tables), more than the "
              + MAX_RULES
              + " sampled per namespace";
      tooLarge.put(key, new TooLarge(generation, message));
      throw new NoDataException(message);
    }
    tooLarge.remove(key);
  }

  @Override
  public void retainOnly(List<Netns> present) {
    Set<Long> inodes = new HashSet<>();
    Set<String> keys = new HashSet<>();
    for (Netns netns : present) {
      inodes.add(netns.inode());
      keys.add(cacheKey(netns));
    }
    calls.keySet().retainAll(inodes);
    cache.keySet().retainAll(keys);
    tooLarge.keySet().retainAll(keys);
  }

  /** Every nf_tables rule of the namespace, or null when the dump failed or was interrupted. */
  private List<NfRules.Rule> ruleDump(NetnsHandles handles) {
    List<NfRules.Rule> rules = new ArrayList<>();
    try {
      return handles.dump(DumpRequest.NFT_RULES, NfRules.collectInto(rules)) ? null : rules;
    } catch (IOException e) {
      logNetlinkFailure("rule dump", e);
      return null;
    }
  }

  private void logNetlinkFailure(String what, IOException e) {
    if (ruleDumpFailureLogged.compareAndSet(false, true)) {
      LOG.info(
          "nf_tables {} failed ({}); listing firewall rules with a fork every cycle",
          what,
          e.getMessage());
    }
  }

  /**
   * Lists the namespace's nf_tables rules by forking {@code iptables-nft-save} per family that
   * holds an iptables table and {@code nft} when another table exists ({@code tables} from
   * netlink), or, without that list, nft first and its table list deciding the same.
   */
  private NfListing listNfTables(Netns netns, List<NfTables.Table> tables, List<Exception> failures)
      throws Exception {
    int failuresBefore = failures.size();
    String nftJson = tables == null ? listNft(netns, failures) : null;
    Set<String> nftTables =
        tables != null
            ? iptablesFamilies(tables)
            : nftJson == null ? null : NftJsonParser.tables(nftJson);
    NfListing.Part[] iptables = new NfListing.Part[2];
    boolean nftIptables = false;
    for (Backend backend : new Backend[] {Backend.IPTABLES_NFT, Backend.IP6TABLES_NFT}) {
      boolean v4 = backend.family().equals("ipv4");
      if (nftTables == null || nftTables.contains(v4 ? "ip" : "ip6")) {
        try {
          NfListing.Part part = readIptables(netns, backend);
          iptables[v4 ? 0 : 1] = part;
          nftIptables |= part.backend().equals(backend.name());
        } catch (TooManyRules e) {
          throw new NoDataException(e.getMessage());
        } catch (NoDataException e) {
          // this iptables flavour is not installed
        } catch (Exception e) {
          failures.add(e);
        }
      }
    }
    // With the table list from netlink, nft is needed only for tables iptables-nft did not print.
    boolean nftNeeded =
        tables == null
            || hasNonIptablesTable(tables)
            || (!iptablesFamilies(tables).isEmpty() && !nftIptables);
    if (tables != null && nftNeeded) {
      nftJson = listNft(netns, failures);
    }
    NfListing.Part nft = null;
    if (nftJson != null) {
      try {
        IptablesSaveParser.Ruleset parsed =
            NftJsonParser.parse(String.join(" ", Backend.NFT.argv()), nftJson, "nft", nftIptables);
        checkRuleCount(parsed.rules().size(), "nft");
        nft = new NfListing.Part("nft", parsed.rules(), parsed.policies());
      } catch (TooManyRules e) {
        throw new NoDataException(e.getMessage());
      } catch (Exception e) {
        failures.add(e);
      }
    }
    boolean namedOnly =
        nftJson == null && !nftNeeded && access.runner().installed(Backend.NFT.argv().get(0));
    return new NfListing(
        iptables[0], iptables[1], nft, namedOnly, failures.size() == failuresBefore);
  }

  /** {@code nft -j list ruleset}'s output; null when nft is not installed or failed. */
  private String listNft(Netns netns, List<Exception> failures) {
    try {
      return access.run(netns, Backend.NFT.argv());
    } catch (NoDataException e) {
      return null; // no nft: every iptables back end is asked
    } catch (Exception e) {
      failures.add(e);
      return null;
    }
  }

  /** The namespace's nf_tables tables from netlink; null when that cannot be asked here. */
  private List<NfTables.Table> netlinkTables(NetnsHandles handles) throws IOException {
    if (handles == null) {
      return null;
    }
    List<NfTables.Table> tables = new ArrayList<>();
    try {
      handles.dump(DumpRequest.NFT_TABLES, NfTables.collectInto(tables));
      return tables;
    } catch (NetlinkException e) {
      if (tableDumpFailureLogged.compareAndSet(false, true)) {
        LOG.info(
            "nf_tables table dump failed ({}); listing with nft to find tables", e.getMessage());
      }
      return null;
    }
  }

  private static boolean hasNonIptablesTable(List<NfTables.Table> tables) {
    for (NfTables.Table t : tables) {
      if (!isIptablesTable(t)) {
        return true;
      }
    }
    return false;
  }

  /** The families (ip, ip6) that hold a table iptables-nft manages, as NftJsonParser.tables. */
  private static Set<String> iptablesFamilies(List<NfTables.Table> tables) {
    Set<String> families = new HashSet<>();
    for (NfTables.Table t : tables) {
      if (isIptablesTable(t)) {
        families.add(t.family());
      }
    }
    return families;
  }

  private static boolean isIptablesTable(NfTables.Table t) {
    return (t.family().equals("ip") || t.family().equals("ip6"))
        && NftJsonParser.IPTABLES_TABLES.contains(t.name());
  }

  /** Reads one iptables back end, named as the back end it turned out to be. */
  private NfListing.Part readIptables(Netns netns, Backend backend) throws Exception {
    String text;
    String name = backend.name();
    List<String> argv = backend.argv();
    try {
      text = access.run(netns, argv);
    } catch (NoDataException e) {
      if (backend.fallbackArgv() == null) {
        throw e;
      }
      argv = backend.fallbackArgv();
      text = access.run(netns, argv);
      // "# Generated by iptables-save v1.8.9 (nf_tables)" vs "(legacy)" or no suffix (< 1.8).
      if (!text.contains("(nf_tables)")) {
        name = backend.family().equals("ipv4") ? "iptables-legacy" : "ip6tables-legacy";
      }
    }
    // Counted before parsing: a flood of rules must not become a flood of records.
    checkRuleCount(countRules(text), name);
    IptablesSaveParser.Ruleset parsed =
        IptablesSaveParser.parse(String.join(" ", argv), text, name, backend.family());
    return new NfListing.Part(name, parsed.rules(), parsed.policies());
  }

  /**
   * iptables-save's rule lines: {@code -A CHAIN …}, or {@code [PACKETS:BYTES] -A CHAIN …} with
   * {@code -c}.
   */
  static int countRules(String text) {
    int n = 0;
    for (int start = 0; start < text.length(); ) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      int at = start;
      if (at < end && text.charAt(at) == '[') {
        int close = text.indexOf("] ", at);
        at = close < 0 || close > end ? end : close + 2;
      }
      if (text.startsWith("-A ", at) && at < end) {
        n++;
      }
      start = end + 1;
    }
    return n;
  }

  private static void checkRuleCount(int rules, String backend) throws TooManyRules {
    if (rules > MAX_RULES) {
      throw new TooManyRules(
          "too large: "
              + rules
              + " firewall rules (with "
              + backend
              + "), more than the "
              + MAX_RULES
              + " sampled per namespace");
    }
  }

  /** A namespace's rules are too many to sample; reported as NO_DATA with the count. */
  private static final class TooManyRules extends Exception {
    TooManyRules(String message) {
      super(message);
    }
  }
}
