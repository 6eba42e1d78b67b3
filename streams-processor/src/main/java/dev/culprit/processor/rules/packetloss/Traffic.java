package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.FirewallTargets;
import dev.culprit.processor.delta.ProtocolCounter;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.ChainPolicy;
import dev.culprit.schemas.FirewallRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The packets a firewall chain saw in a window, and how that was measured: what jumped into it,
 * what it decided on, or, when the chain counts nothing itself (an nftables base chain), the
 * namespace's IP packets at its hook, an upper bound.
 *
 * @param packets the packets
 * @param ofChain whether they are the chain's own traffic (else the namespace's IP traffic)
 * @param withoutDropped whether {@code packets} was counted after the chain, so leaves out what it
 *     dropped (Ip.OutRequests and Ip.ForwDatagrams are counted past their hooks)
 */
record Traffic(long packets, boolean ofChain, boolean withoutDropped) {

  /** The dropped packets' share, 0..1 (a counter read a moment later may be the larger). */
  double shareOf(long dropped) {
    return Fmt.ratio(dropped, withoutDropped ? packets + dropped : Math.max(packets, dropped));
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
      return new Traffic(jumped, true, false);
    }
    Long decided = decided(window, backend, table, chain);
    if (decided != null) {
      return new Traffic(decided, true, false);
    }
    return ipPackets(window, family, chain);
  }

  /**
   * Packets the chain decided on in the window, its deciding rules' and its policy's; null when its
   * policy counts nothing (iptables-nft, nftables), so the total would leave out what the policy
   * took.
   */
  static Long decided(NetnsWindow window, String backend, String table, String chain) {
    Long policy = null;
    for (ChainPolicy p : window.chainPolicies()) {
      if (p.getPackets() != null
          && p.getBackend().equals(backend)
          && p.getTable().equals(table)
          && p.getChain().equals(chain)) {
        policy = (policy == null ? 0 : policy) + p.getPackets();
      }
    }
    if (policy == null) {
      return null;
    }
    long decided = policy;
    for (FirewallRule r : window.firewallRules()) {
      if (r.getPackets() != null
          && r.getBackend().equals(backend)
          && r.getTable().equals(table)
          && r.getChain().equals(chain)
          && FirewallTargets.isDeciding(r.getTarget())) {
        decided += r.getPackets();
      }
    }
    return decided;
  }

  /**
   * The namespace's IP packets at the hook a chain's name stands for, for the chain's family (inet:
   * both), or null: without protocol counters, or for bridge, arp and netdev chains, whose frames
   * IP never counts. Input and prerouting: Ip.InReceives, counted before the hooks, so it holds the
   * dropped packets too. Output, postrouting and forward: Ip.OutRequests / Ip.ForwDatagrams,
   * counted past the hooks, so without them. Any other name: all of it, plus the drops.
   */
  private static Traffic ipPackets(NetnsWindow window, String family, String chain) {
    boolean v4 = "ipv4".equals(family) || "inet".equals(family);
    boolean v6 = "ipv6".equals(family) || "inet".equals(family);
    if (!v4 && !v6) {
      return null;
    }
    String hook = chain.toLowerCase(Locale.ROOT);
    boolean in = hook.equals("input") || hook.equals("prerouting");
    boolean out = hook.equals("output") || hook.equals("postrouting");
    boolean forward = hook.equals("forward");
    boolean any = !in && !out && !forward;
    List<ProtocolCounter> counters = new ArrayList<>();
    if (in || any) {
      add(counters, v4, ProtocolCounter.IP_IN_RECEIVES, v6, ProtocolCounter.IP6_IN_RECEIVES);
    }
    if (out || any) {
      add(counters, v4, ProtocolCounter.IP_OUT_REQUESTS, v6, ProtocolCounter.IP6_OUT_REQUESTS);
    }
    if (forward || any) {
      add(
          counters,
          v4,
          ProtocolCounter.IP_FORW_DATAGRAMS,
          v6,
          ProtocolCounter.IP6_OUT_FORW_DATAGRAMS);
    }
    Long total = null;
    for (ProtocolCounter c : counters) {
      Long v = window.protocol(c);
      if (v != null) {
        total = (total == null ? 0 : total) + v;
      }
    }
    return total == null ? null : new Traffic(total, false, !in);
  }

  private static void add(
      List<ProtocolCounter> to,
      boolean v4,
      ProtocolCounter ipv4,
      boolean v6,
      ProtocolCounter ipv6) {
    if (v4) {
      to.add(ipv4);
    }
    if (v6) {
      to.add(ipv6);
    }
  }
}
