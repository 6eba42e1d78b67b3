package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.FirewallTargets;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.rules.Sh;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.FixScope;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * FIREWALL_DROP: a DROP or REJECT rule, or a DROP chain policy, whose packet counter rose.
 *
 * <p>A counter of the dropping rule itself is direct proof that the firewall discarded those
 * packets. Whether that is a fault depends on the rule: one that drops at random (statistic match)
 * or drops everything in its chain always is; one that selects particular traffic (addresses,
 * ports, states), like a DROP policy, is usually a firewall doing its job, so it is named only when
 * it drops a real share of its chain's packets ({@link
 * PacketLossThresholds#firewallSelectiveMinShare()}). That share is the rule's packets over the
 * packets that entered its chain: for a user-defined chain, the packets of the rules that jump to
 * it; for a built-in chain, the packets it decided on (every ACCEPT/DROP/REJECT rule of the chain
 * and its policy). An nftables base chain counts nothing itself (its policy has no counter), so
 * there the share is taken over the namespace's IP packets at the chain's hook (Ip.InReceives for
 * input, …): an upper bound of its traffic, so the share is never overstated. With neither, a
 * selective rule is not judged.
 *
 * <p>A selective rule dropping a small share is a cause too when it cuts a client off: its match
 * selects one source address ({@code -s ADDR}), so every packet it matched was dropped, the drops
 * went on in every window for {@value QuietOutage#MIN_MS} ms, and that address belongs to a
 * namespace of the host that retransmitted its SYNs all that time ({@link QuietOutage}). Blocking
 * an address no sampled namespace has (a scanner) stays the firewall's job.
 *
 * <p>Specific evidence: the packet counter of the DROP/REJECT rule or of the DROP policy itself,
 * raised only for packets that verdict was given to. The chain's other counters and the namespace's
 * IP counters only size the share.
 */
record FirewallDropRule(PacketLossThresholds thresholds) implements PacketLossRule {

  private static final Pattern KNOWN_BACKEND =
      Pattern.compile("(ip|ip6|arp|eb)tables(-legacy|-nft)?");

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<RootCause> causes = new ArrayList<>();
    for (FirewallRule rule : window.firewallRules()) {
      Long dropped = rule.getPackets();
      if (dropped == null || dropped <= 0 || !FirewallTargets.isDropping(rule.getTarget())) {
        continue;
      }
      Traffic traffic =
          Traffic.entering(
              window, rule.getBackend(), rule.getFamily(), rule.getTable(), rule.getChain());
      Double share = traffic == null ? null : traffic.shareOf(dropped);
      FirewallRuleSpec spec = FirewallRuleSpec.parse(rule.getSpec());
      Double probability =
          rule.getStatisticProbability() != null
              ? rule.getStatisticProbability()
              : spec.probability();
      boolean random =
          "random".equals(rule.getStatisticMode()) || (probability != null && spec.isIptables());
      Long every = spec.every();
      boolean selective = spec.isSelective();
      String location = rule.getTable() + " " + rule.getChain() + " rule " + rule.getPosition();
      String source = random || every != null ? null : spec.singleSource();
      long lastedMs =
          source == null ? 0 : QuietOutage.lastedMs(window, location + " " + rule.getSpec());
      Optional<QuietOutage.Client> cutOff =
          source == null ? Optional.empty() : QuietOutage.failingOwner(window, source, lastedMs);
      if (!random
          && every == null
          && selective
          && (share == null || share < thresholds.firewallSelectiveMinShare())
          && cutOff.isEmpty()) {
        continue;
      }
      String what;
      double confidence;
      if (cutOff.isPresent()) {
        QuietOutage.Client client = cutOff.get();
        what =
            String.format(
                Locale.ROOT,
                "drops every packet from %s, the address of %s, whose SYNs have been"
                    + " retransmitted in every window for %s (TcpExt.TCPSynRetrans %d in this"
                    + " window: a client cut off entirely, TCP's backoff keeps the count low)",
                source,
                NetnsWindow.label(client.netns()),
                Fmt.seconds(Math.min(lastedMs, client.lastedMs())),
                client.synRetrans());
        confidence = 0.85;
      } else if (random && probability != null) {
        what = "drops " + Fmt.percent(probability) + " of packets at random";
        confidence = 0.95;
      } else if (every != null) {
        what = "drops one packet in " + every;
        confidence = 0.95;
      } else if (!selective) {
        what = "drops every packet of its chain";
        confidence = 0.9;
      } else {
        what = "drops the packets it matches";
        confidence = 0.7;
      }
      causes.add(
          CauseBuilder.of(window, Cause.FIREWALL_DROP, Layer.FIREWALL, location)
              .evidenceFrom(
                  rule,
                  "backend",
                  "family",
                  "table",
                  "chain",
                  "position",
                  "target",
                  "spec",
                  "statisticMode")
              .evidence("statisticProbability", probability)
              .evidence("droppedPackets", dropped)
              .evidence("droppedBytes", rule.getBytes())
              .evidence(
                  traffic == null ? "chainPackets" : traffic.evidenceKey(),
                  traffic == null ? null : Math.max(traffic.packets(), dropped))
              .evidence("dropShare", share)
              .evidence("intervalMs", window.deltaMs(SampleKinds.FILTER))
              .evidence("source", cutOff.isPresent() ? source : null)
              .evidence("sourceNetns", cutOff.map(QuietOutage.Client::netns).orElse(null))
              .evidence("persistedMs", cutOff.isPresent() ? lastedMs : null)
              .evidence("matchedDropShare", cutOff.isPresent() ? 1.0 : null)
              .confidence(confidence)
              .summary(
                  String.format(
                      Locale.ROOT,
                      "%s %s %s rule %d (%s) %s in %s: %d packets dropped in %s%s.",
                      tool(rule.getBackend()),
                      rule.getTable(),
                      rule.getChain(),
                      rule.getPosition(),
                      spec.isIptables() ? spec.match() : spec.text(),
                      what,
                      window.label(),
                      dropped,
                      Fmt.seconds(window.deltaMs(SampleKinds.FILTER)),
                      traffic == null ? "" : ", " + traffic.describe(share)))
              .fix(deleteCommand(Fixes.of(window), rule, spec))
              .build());
    }
    for (ChainPolicy policy : window.chainPolicies()) {
      Long dropped = policy.getPackets();
      if (dropped == null || dropped <= 0 || !"DROP".equals(upper(policy.getPolicy()))) {
        continue;
      }
      // Counted here (its packets rose), so the chain's decisions are too.
      long decided =
          Traffic.decided(window, policy.getBackend(), policy.getTable(), policy.getChain());
      double share = Fmt.ratio(dropped, Math.max(decided, dropped));
      if (share < thresholds.firewallSelectiveMinShare()) {
        continue;
      }
      String location = policy.getTable() + " " + policy.getChain() + " policy DROP";
      causes.add(
          CauseBuilder.of(window, Cause.FIREWALL_DROP, Layer.FIREWALL, location)
              .evidenceFrom(policy, "backend", "family", "table", "chain", "policy")
              .evidence("droppedPackets", dropped)
              .evidence("droppedBytes", policy.getBytes())
              .evidence("chainPackets", Math.max(decided, dropped))
              .evidence("dropShare", share)
              .evidence("intervalMs", window.deltaMs(SampleKinds.FILTER))
              .confidence(0.7)
              .summary(
                  String.format(
                      Locale.ROOT,
                      "The %s %s chain's DROP policy in %s drops every packet no rule accepted:"
                          + " %d packets dropped in %s, about %s of the chain's traffic.",
                      policy.getTable(),
                      policy.getChain(),
                      window.label(),
                      dropped,
                      Fmt.seconds(window.deltaMs(SampleKinds.FILTER)),
                      Fmt.percent(share)))
              .fix(
                  Fixes.inNetns(
                      window,
                      List.of(
                          tool(policy.getBackend()),
                          "-t",
                          policy.getTable(),
                          "-P",
                          policy.getChain(),
                          "ACCEPT"),
                      "or add ACCEPT rules for the traffic that must pass"))
              .build());
    }
    return causes;
  }

  private static Fix deleteCommand(FixScope scope, FirewallRule rule, FirewallRuleSpec spec) {
    if (!spec.isIptables()) {
      // nft deletes a rule only by handle, which the sample does not carry: list to find it.
      List<String> chain = List.of(rule.getFamily(), rule.getTable(), rule.getChain());
      List<String> list = new ArrayList<>(List.of("nft", "-a", "list", "chain"));
      list.addAll(chain);
      List<String> delete = new ArrayList<>(List.of("nft", "delete", "rule"));
      delete.addAll(chain);
      return Fixes.command(
          scope,
          list,
          "then " + Sh.join(delete) + " handle <the handle printed beside: " + spec.text() + ">");
    }
    List<String> argv = new ArrayList<>(List.of(tool(rule.getBackend()), "-t", rule.getTable()));
    argv.addAll(spec.deleteArguments());
    return Fixes.command(scope, argv, null);
  }

  /**
   * The command of a backend: iptables-nft → iptables, ip6tables-legacy stays as it is. The backend
   * comes from the sample and becomes the program a root shell runs, so only the known names pass;
   * anything else is iptables.
   */
  private static String tool(String backend) {
    if (backend == null || !KNOWN_BACKEND.matcher(backend).matches()) {
      return "iptables";
    }
    return backend.endsWith("-nft") ? backend.substring(0, backend.length() - 4) : backend;
  }

  private static String upper(String s) {
    return s == null ? "" : s.toUpperCase(Locale.ROOT);
  }
}
