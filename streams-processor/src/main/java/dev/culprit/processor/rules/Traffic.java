package dev.culprit.processor.rules;

import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FirewallRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The packets a firewall chain saw in a window, and how that was measured: what jumped into it,
 * what it decided on, or, when the chain counts nothing itself (an nftables base chain), the
 * namespace's IP packets at its hook, an upper bound.
 *
 * @param packets the packets
 * @param ofChain whether they are the chain's own traffic (else the namespace's IP traffic)
 */
record Traffic(long packets, boolean ofChain) {

  private static final Set<String> DECIDING = Set.of("ACCEPT", "DROP", "REJECT");

  /** The dropped packets' share, 0..1 (a counter read a moment later may be the larger). */
  double shareOf(long dropped) {
    return Fmt.ratio(dropped, Math.max(packets, dropped));
  }

  /** The evidence key of {@link #packets}. */
  String evidenceKey() {
    return ofChain ? "chainPackets" : "ipPackets";
  }

  /** "about 20 % of the chain's traffic". */
  String describe(double share) {
    return ofChain
        ? "about " + Fmt.percent(share) + " of the chain's traffic"
        : "at least " + Fmt.percent(share) + " of the namespace's IP traffic at that hook";
  }

  /**
   * The traffic of a chain in the window, or null when nothing measures it.
   *
   * <p>A user-defined chain: the packets of the rules that jump (or go) to it. A chain whose policy
   * has a counter (iptables' built-in chains): its deciding rules' and its policy's packets. An
   * nftables base chain has neither: the namespace's IP packets at the hook its name says.
   */
  static Traffic entering(
      NetnsWindow window, String backend, String family, String table, String chain) {
    long jumped = 0;
    boolean counted = false;
    for (FirewallRule r : window.firewallRules()) {
      if (chain.equals(r.getTarget())
          && r.getBackend().equals(backend)
          && Objects.equals(r.getFamily(), family)
          && r.getTable().equals(table)
          && r.getPackets() != null) {
        counted = true;
        jumped += r.getPackets();
      }
    }
    if (counted) {
      return new Traffic(jumped, true);
    }
    if (policyCounted(window, backend, table, chain)) {
      return new Traffic(decided(window, backend, table, chain), true);
    }
    Long ip = ipPackets(window, family, chain);
    return ip == null ? null : new Traffic(ip, false);
  }

  /** Packets the chain decided on in the window: its deciding rules' and its policy's. */
  static long decided(NetnsWindow window, String backend, String table, String chain) {
    long decided = 0;
    for (FirewallRule r : window.firewallRules()) {
      if (r.getPackets() != null
          && r.getBackend().equals(backend)
          && r.getTable().equals(table)
          && r.getChain().equals(chain)
          && r.getTarget() != null
          && DECIDING.contains(r.getTarget().toUpperCase(Locale.ROOT))) {
        decided += r.getPackets();
      }
    }
    for (ChainPolicy p : window.chainPolicies()) {
      if (p.getPackets() != null
          && p.getBackend().equals(backend)
          && p.getTable().equals(table)
          && p.getChain().equals(chain)) {
        decided += p.getPackets();
      }
    }
    return decided;
  }

  private static boolean policyCounted(
      NetnsWindow window, String backend, String table, String chain) {
    for (ChainPolicy p : window.chainPolicies()) {
      if (p.getPackets() != null
          && p.getBackend().equals(backend)
          && p.getTable().equals(table)
          && p.getChain().equals(chain)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The namespace's IP packets at the hook a chain's name stands for (input and prerouting see what
   * arrives, output and postrouting what leaves, forward what passes; any other name all of it),
   * for the chain's family (inet: both); null without protocol counters.
   */
  private static Long ipPackets(NetnsWindow window, String family, String chain) {
    String hook = chain.toLowerCase(Locale.ROOT);
    boolean v4 = !"ipv6".equals(family);
    boolean v6 = !"ipv4".equals(family);
    List<ProtocolCounter> counters = new ArrayList<>();
    boolean in = hook.equals("input") || hook.equals("prerouting");
    boolean out = hook.equals("output") || hook.equals("postrouting");
    boolean forward = hook.equals("forward");
    boolean any = !in && !out && !forward;
    if (v4) {
      if (in || any) {
        counters.add(ProtocolCounter.IP_IN_RECEIVES);
      }
      if (out || any) {
        counters.add(ProtocolCounter.IP_OUT_REQUESTS);
      }
      if (forward || any) {
        counters.add(ProtocolCounter.IP_FORW_DATAGRAMS);
      }
    }
    if (v6) {
      if (in || any) {
        counters.add(ProtocolCounter.IP6_IN_RECEIVES);
      }
      if (out || any) {
        counters.add(ProtocolCounter.IP6_OUT_REQUESTS);
      }
      if (forward || any) {
        counters.add(ProtocolCounter.IP6_OUT_FORW_DATAGRAMS);
      }
    }
    Long total = null;
    for (ProtocolCounter c : counters) {
      Long v = window.protocol(c);
      if (v != null) {
        total = (total == null ? 0 : total) + v;
      }
    }
    return total;
  }
}
