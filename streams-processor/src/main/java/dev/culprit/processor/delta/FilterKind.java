package dev.culprit.processor.delta;

import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Firewall rules, matched by backend, family, table, chain and rule text, not by position: a rule
 * inserted above another shifts its position but not its counters. Policies are matched by chain.
 *
 * <p>Only rules that decide a packet's fate (ACCEPT, DROP, REJECT) are kept, and the jumps into a
 * chain that drops (their counters are the packets entering it, the denominator of its drop share):
 * the rules read nothing else, and a Kubernetes node has thousands of jump, DNAT and MARK rules
 * that would otherwise fill every baseline and window.
 */
final class FilterKind implements SampleKind<FilterSample> {

  private static final int[] RULE_COUNTERS = CounterFields.of(FirewallRule.getClassSchema());
  private static final int[] POLICY_COUNTERS = CounterFields.of(ChainPolicy.getClassSchema());
  private static final Function<FirewallRule, String> RULE_ID =
      r ->
          r.getBackend()
              + "|"
              + r.getFamily()
              + "|"
              + r.getTable()
              + "|"
              + r.getChain()
              + "|"
              + r.getSpec();
  private static final Function<ChainPolicy, String> POLICY_ID =
      p -> p.getBackend() + "|" + p.getFamily() + "|" + p.getTable() + "|" + p.getChain();

  @Override
  public Topic<FilterSample> topic() {
    return Topics.FILTER;
  }

  @Override
  public FilterSample trim(FilterSample sample) {
    Set<String> droppingChains = new HashSet<>();
    for (FirewallRule rule : sample.getRules()) {
      if (FirewallTargets.isDropping(rule.getTarget())) {
        droppingChains.add(chainId(rule, rule.getChain()));
      }
    }
    List<FirewallRule> kept = new ArrayList<>();
    for (FirewallRule rule : sample.getRules()) {
      if (FirewallTargets.isDeciding(rule.getTarget())
          || (rule.getTarget() != null
              && droppingChains.contains(chainId(rule, rule.getTarget())))) {
        kept.add(rule);
      }
    }
    sample.setRules(kept);
    return sample;
  }

  /** A chain of the rule's own backend, family and table. */
  private static String chainId(FirewallRule rule, String chain) {
    return rule.getBackend() + "|" + rule.getFamily() + "|" + rule.getTable() + "|" + chain;
  }

  @Override
  public void toDeltas(FilterSample previous, FilterSample current) {
    EntityDeltas.deltaInPlace(
        previous == null ? null : previous.getRules(), current.getRules(), RULE_ID, RULE_COUNTERS);
    EntityDeltas.deltaInPlace(
        previous == null ? null : previous.getPolicies(),
        current.getPolicies(),
        POLICY_ID,
        POLICY_COUNTERS);
  }

  @Override
  public FilterSample merge(FilterSample earlier, FilterSample later) {
    EntityDeltas.mergeInPlace(earlier.getRules(), later.getRules(), RULE_ID, RULE_COUNTERS);
    EntityDeltas.mergeInPlace(
        earlier.getPolicies(), later.getPolicies(), POLICY_ID, POLICY_COUNTERS);
    return later;
  }
}
