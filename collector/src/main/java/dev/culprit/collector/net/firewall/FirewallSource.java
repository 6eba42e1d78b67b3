package dev.culprit.collector.net.firewall;

import dev.culprit.collector.Header;
import dev.culprit.collector.Netns;
import dev.culprit.collector.NoDataException;
import dev.culprit.collector.Sample;
import dev.culprit.collector.Source;
import dev.culprit.collector.net.NetnsAccess;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>Cadence: counters only come with the rule listing, so a listing older than the processor's
 * window would hide a burst of drops. The source therefore lists every cycle by default ({@code
 * everyCycles = 1}). {@code nft -j list ruleset} runs first and its table list decides whether
 * {@code iptables-nft-save} / {@code ip6tables-nft-save} have anything to print, so a namespace
 * without iptables rules costs one fork (about 3 ms of CPU here, see the bench), not three. With
 * {@code everyCycles = N} it publishes only every N-th call per namespace and returns nothing in
 * between: the processor then sees the same cumulative counters over a longer interval, never stale
 * ones labelled fresh.
 *
 * <p>No tool at all is NO_DATA; one back end failing while another works publishes what was read
 * and logs the failure.
 */
public final class FirewallSource implements Source {

  private static final Logger LOG = LoggerFactory.getLogger(FirewallSource.class);

  private final NetnsAccess access;
  private final int everyCycles;
  private final Map<Long, AtomicLong> calls = new ConcurrentHashMap<>();

  public FirewallSource(NetnsAccess access, int everyCycles) {
    if (everyCycles < 1) {
      throw new IllegalArgumentException("everyCycles must be >= 1, got " + everyCycles);
    }
    this.access = access;
    this.everyCycles = everyCycles;
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
    List<FirewallRule> rules = new ArrayList<>();
    List<ChainPolicy> policies = new ArrayList<>();
    List<String> backends = new ArrayList<>();
    List<Exception> failures = new ArrayList<>();
    Map<String, String> legacyNames =
        access.readNetFiles(netns, List.of("ip_tables_names", "ip6_tables_names"));

    // nft first: its table list says whether iptables-nft holds anything in this namespace, which
    // saves one or two forks per namespace in the common case of no IPv6 (or no) iptables rules.
    String nftJson = null;
    try {
      nftJson = access.run(netns, Backend.NFT.argv());
    } catch (NoDataException e) {
      // no nft: ask every iptables back end
    } catch (Exception e) {
      failures.add(e);
    }
    java.util.Set<String> nftTables = nftJson == null ? null : NftJsonParser.tables(nftJson);

    boolean nftIptables = false;
    for (Backend[] pair :
        new Backend[][] {
          {Backend.IPTABLES_NFT, Backend.IPTABLES_LEGACY},
          {Backend.IP6TABLES_NFT, Backend.IP6TABLES_LEGACY}
        }) {
      boolean v4 = pair[0].family().equals("ipv4");
      boolean legacyInUse =
          !legacyNames.getOrDefault(v4 ? "ip_tables_names" : "ip6_tables_names", "").isBlank();
      String readAs = null;
      if (nftTables == null || nftTables.contains(v4 ? "ip" : "ip6")) {
        try {
          readAs = readIptables(netns, pair[0], rules, policies);
          backends.add(readAs);
          nftIptables |= readAs.equals(pair[0].name());
        } catch (NoDataException e) {
          // this iptables flavour is not installed
        } catch (Exception e) {
          failures.add(e);
        }
      }
      if (legacyInUse && !pair[1].name().equals(readAs)) {
        try {
          readIptables(netns, pair[1], rules, policies);
          backends.add(pair[1].name());
        } catch (NoDataException e) {
          // not installed
        } catch (Exception e) {
          failures.add(e);
        }
      }
    }
    if (nftJson != null) {
      try {
        IptablesSaveParser.Ruleset nft =
            NftJsonParser.parse(String.join(" ", Backend.NFT.argv()), nftJson, "nft", nftIptables);
        rules.addAll(nft.rules());
        policies.addAll(nft.policies());
        backends.add("nft");
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (backends.isEmpty()) {
      if (!failures.isEmpty()) {
        throw failures.get(0);
      }
      throw new NoDataException("no iptables-save, ip6tables-save or nft installed");
    }
    for (Exception failure : failures) {
      LOG.warn("firewall back end failed in netns '{}': {}", netns.label(), failure.getMessage());
    }
    FilterSample sample =
        FilterSample.newBuilder()
            .setHost(header.host())
            .setNetns(header.netns())
            .setSampleTimeMs(header.sampleTimeMs())
            .setCollectorId(header.collectorId())
            .setBootId(header.bootId())
            .setSeq(0)
            .setBackends(backends)
            .setRules(rules)
            .setPolicies(policies)
            .build();
    return List.of(new Sample(Topics.FILTER, header.host(), sample));
  }

  /** Reads one iptables back end; returns the back end it turned out to be. */
  private String readIptables(
      Netns netns, Backend backend, List<FirewallRule> rules, List<ChainPolicy> policies)
      throws Exception {
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
    IptablesSaveParser.Ruleset parsed =
        IptablesSaveParser.parse(String.join(" ", argv), text, name, backend.family());
    rules.addAll(parsed.rules());
    policies.addAll(parsed.policies());
    return name;
  }
}
