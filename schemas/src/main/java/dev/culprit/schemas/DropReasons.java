package dev.culprit.schemas;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of the kernel's drop reasons (the {@code skb:kfree_skb} tracepoint's {@code reason}) each
 * of culprit's causes may explain. It lives in the contract because three parties read it: the
 * lab's oracle judges culprit's causes against it, the collector's {@code --drop-reasons} source
 * lists these reasons from its first sample (so the processor has a baseline for each before it
 * first rises), and the processor quotes them as evidence in the causes they explain.
 *
 * <p>The table is written from what each reason means in the kernel, not from what culprit's rules
 * read: a rule that reads the wrong counter then disagrees with the kernel. A reason no cause
 * explains is one only {@link Cause#UNEXPLAINED_DROPS} may stand for.
 *
 * <p>Some reasons are no evidence either way ({@link #NOT_EVIDENCE}): {@code NOT_SPECIFIED} is
 * every caller that gives no reason, drops or not; the others are the ends of healthy traffic
 * (queues purged when a socket closes, segments to a closed port, TCP discarding duplicates that
 * its own retransmits cause). Freed packets that were delivered ({@code SKB_CONSUMED}) go to the
 * {@code consume_skb} tracepoint on kernels that have it, and are never seen here.
 */
public final class DropReasons {

  /**
   * Per cause, the reasons it explains. An entry {@code REASON@function} names one drop point of a
   * reason, where the kernel gives no better reason there.
   */
  private static final Map<Cause, Set<String>> EXPLAINS =
      Map.ofEntries(
          // An iptables/nftables verdict DROP, and conntrack refusing a new entry (its hook
          // returns NF_DROP when the table is full).
          Map.entry(Cause.FIREWALL_DROP, Set.of("NETFILTER_DROP")),
          Map.entry(Cause.CONNTRACK_TABLE_FULL, Set.of("NETFILTER_DROP")),
          Map.entry(Cause.REVERSE_PATH_FILTER, Set.of("IP_RPFILTER")),
          // Every qdisc's own drop: the generic tail/overlimit drops and the AQMs' and schedulers'
          // named ones; TC_EGRESS is a tc filter's "drop" action on the way out.
          Map.entry(
              Cause.QDISC_LOSS,
              Set.of(
                  "QDISC_DROP",
                  "QDISC_OVERLIMIT",
                  "QDISC_CONGESTED",
                  "CAKE_FLOOD",
                  "FQ_BAND_LIMIT",
                  "FQ_HORIZON_LIMIT",
                  "FQ_FLOW_LIMIT",
                  "DUALPI2_STEP_DROP",
                  "TC_EGRESS")),
          // A frame larger than the receiving device's MTU. A veth refuses it in
          // __dev_forward_skb2 without a reason (NOT_SPECIFIED there, on 6.18), so that drop
          // point is named with its function.
          Map.entry(Cause.MTU_MISMATCH, Set.of("PKT_TOO_BIG", "NOT_SPECIFIED@__dev_forward_skb2")),
          Map.entry(Cause.LISTEN_OVERFLOW, Set.of("TCP_LISTEN_OVERFLOW")),
          Map.entry(
              Cause.SOCKET_BUFFER_OVERFLOW,
              Set.of("SOCKET_RCVBUFF", "SOCKET_BACKLOG", "PROTO_MEM")),
          Map.entry(Cause.SOFTNET_BACKLOG_DROP, Set.of("CPU_BACKLOG")),
          Map.entry(Cause.NIC_RING_OVERFLOW, Set.of("FULL_RING")),
          // A route lookup that failed for a packet the stack had made (an established
          // connection's segment) or was forwarding. Measured on 6.18: a blackhole, unreachable
          // or prohibit route met by forwarded traffic gives NOT_SPECIFIED (dst_discard,
          // ip_error), and a SYN whose SYN-ACK cannot be routed is freed as consumed.
          Map.entry(Cause.ROUTE_UNREACHABLE, Set.of("IP_OUTNOROUTES", "IP_INNOROUTES")),
          // Packets queued on a neighbour entry whose resolution failed (NEIGH_FAILED), or that
          // overflowed its queue while it was INCOMPLETE (NEIGH_QUEUEFULL), or met an entry being
          // destroyed (NEIGH_DEAD).
          Map.entry(
              Cause.NEIGHBOUR_UNRESOLVED, Set.of("NEIGH_FAILED", "NEIGH_QUEUEFULL", "NEIGH_DEAD")));

  /** Reasons that are no evidence for or against any cause (see the class comment). */
  public static final Set<String> NOT_EVIDENCE =
      Set.of(
          "NOT_SPECIFIED",
          "NO_SOCKET",
          "SOCKET_CLOSE",
          "SOCKET_FILTER",
          "QUEUE_PURGE",
          "TCP_CLOSE",
          "TCP_RESET",
          "TCP_OLD_DATA",
          "TCP_OLD_SEQUENCE",
          "TCP_OFOMERGE",
          "TCP_OLD_ACK",
          "TCP_TOO_OLD_ACK",
          "TCP_FLAGS",
          "TCP_ABORT_ON_DATA",
          "UNIX_DISCONNECT",
          "UNIX_SKIP_OOB",
          "TCP_INVALID_SYN",
          "OTHERHOST");

  private DropReasons() {}

  /**
   * The reasons and drop points ({@code REASON@function}) {@code cause} explains; empty for a cause
   * the kernel has no reason for (and for UNEXPLAINED_DROPS, whose reasons are the rest).
   */
  public static Set<String> explainedBy(Cause cause) {
    return EXPLAINS.getOrDefault(cause, Set.of());
  }

  /**
   * The plain reason names {@code cause} explains (drop points reduced to their reason, except
   * those of {@link #NOT_EVIDENCE}, which only a function makes evidence).
   */
  public static Set<String> reasonsOf(Cause cause) {
    Set<String> names = new TreeSet<>();
    for (String r : explainedBy(cause)) {
      if (!r.contains("@")) {
        names.add(r);
      }
    }
    return names;
  }

  /** The causes that may explain {@code reason} or drop point {@code REASON@function}. */
  public static Set<Cause> causesOf(String reason) {
    Set<Cause> causes = EnumSet.noneOf(Cause.class);
    String plain = reason.contains("@") ? reason.substring(0, reason.indexOf('@')) : reason;
    EXPLAINS.forEach(
        (cause, reasons) -> {
          if (reasons.contains(reason) || reasons.contains(plain)) {
            causes.add(cause);
          }
        });
    return causes;
  }

  /** Every plain reason some cause explains (drop points of no-evidence reasons left out). */
  public static Set<String> modelled() {
    Set<String> names = new TreeSet<>();
    EXPLAINS.keySet().forEach(c -> names.addAll(reasonsOf(c)));
    return names;
  }

  /** Every reason name the table uses, drop points reduced to their reason. */
  public static Set<String> namesUsed() {
    Set<String> names = new TreeSet<>(NOT_EVIDENCE);
    EXPLAINS
        .values()
        .forEach(reasons -> reasons.forEach(r -> names.add(r.contains("@") ? r.split("@")[0] : r)));
    return names;
  }
}
