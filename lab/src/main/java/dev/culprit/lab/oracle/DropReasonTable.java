package dev.culprit.lab.oracle;

import dev.culprit.schemas.Cause;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of the kernel's drop reasons each of culprit's causes may explain, and the judgement of a
 * cause against what the kernel recorded during a fault ({@link #judge}).
 *
 * <p>The table is written from what each reason means in the kernel, not from what culprit's rules
 * read: a rule that reads the wrong counter then disagrees with the kernel. A reason no cause
 * explains is one only {@link Cause#UNEXPLAINED_DROPS} may stand for.
 *
 * <p>Some reasons are no evidence either way ({@link #NOT_EVIDENCE}): {@code NOT_SPECIFIED} is
 * every caller that gives no reason, drops or not; the others are the ends of healthy traffic
 * (queues purged when a socket closes, segments to a closed port, TCP discarding duplicates that
 * its own retransmits cause). They are recorded and shown, but they neither confirm nor contradict
 * a cause. Freed packets that were delivered ({@code SKB_CONSUMED}) go to the {@code consume_skb}
 * tracepoint on kernels that have it, and are never seen here.
 */
public final class DropReasonTable {

  /** How many more drops of a cause's reasons than the baseline confirm it. */
  static final double MIN_CONFIRMING = 3;

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

  /**
   * Causes whose drops the kernel does not report as drops with a reason, so that it can only
   * contradict them, never confirm: a SYN refused because the accept queue is full is counted in
   * ListenOverflows but freed as consumed ({@code tcp_conn_request} returns "acceptable"), and so
   * never reaches {@code kfree_skb}; only the handshake's last ACK gives TCP_LISTEN_OVERFLOW.
   * Likewise a SYN whose SYN-ACK has no route back is counted in Ip.OutNoRoutes and ListenDrops and
   * freed as consumed; only segments of established connections give IP_OUTNOROUTES.
   */
  public static final Set<Cause> CONFIRMED_ONLY_IN_PART =
      EnumSet.of(Cause.LISTEN_OVERFLOW, Cause.ROUTE_UNREACHABLE);

  private DropReasonTable() {}

  /** The reasons {@code cause} may explain; for UNEXPLAINED_DROPS, those no modelled cause does. */
  public static Set<String> explainedBy(Cause cause, Set<String> knownReasons) {
    if (cause == Cause.UNEXPLAINED_DROPS) {
      Set<String> modelled = new HashSet<>();
      EXPLAINS.values().forEach(modelled::addAll);
      Set<String> rest = new TreeSet<>(knownReasons);
      rest.removeAll(modelled);
      rest.removeAll(NOT_EVIDENCE);
      return rest;
    }
    return EXPLAINS.getOrDefault(cause, Set.of());
  }

  /** The causes that may explain {@code reason} (none: only UNEXPLAINED_DROPS can). */
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

  /** Every reason name the table uses, for checking them against a kernel's list. */
  public static Set<String> namesUsed() {
    Set<String> names = new TreeSet<>(NOT_EVIDENCE);
    EXPLAINS
        .values()
        .forEach(reasons -> reasons.forEach(r -> names.add(r.contains("@") ? r.split("@")[0] : r)));
    return names;
  }

  /**
   * The kernel's verdict on the causes culprit named for a fault.
   *
   * @param agrees the named causes' reasons rose by at least {@link #MIN_CONFIRMING} over the
   *     baseline, and by at least as much as every other reason that is evidence put together
   * @param confirming how much the named causes' reasons rose over the baseline
   * @param contrary how much the other evidential reasons rose, summed over those that rose
   * @param explanation the reasons, their counts in both windows and where they were dropped
   */
  public record Verdict(boolean agrees, double confirming, double contrary, String explanation) {}

  /**
   * Judges {@code named} against the kernel: the drops during the fault, less what the baseline
   * window (just before, scaled to the same length) would have given anyway — the tracepoint is
   * host-wide, so other tenants' drops are in both windows.
   */
  public static Verdict judge(
      Set<Cause> named, Set<String> knownReasons, ReasonCounts baseline, ReasonCounts fault) {
    Set<String> allowed = new TreeSet<>();
    named.forEach(cause -> allowed.addAll(explainedBy(cause, knownReasons)));
    double scale =
        baseline.span().isZero()
            ? 0
            : (double) fault.span().toNanos() / (double) baseline.span().toNanos();
    // Judged per drop point (reason@function), so that a table entry can name a function where
    // the kernel gives no reason; a plain reason covers all its drop points.
    Set<String> points = new TreeSet<>(fault.byLocation().keySet());
    points.addAll(baseline.byLocation().keySet());
    double confirming = 0;
    double contrary = 0;
    List<String> lines = new ArrayList<>();
    for (String point : points) {
      String reason = point.substring(0, point.indexOf('@'));
      long during = fault.byLocation().getOrDefault(point, 0L);
      long before = baseline.byLocation().getOrDefault(point, 0L);
      double rise = during - before * scale;
      String role;
      if (allowed.contains(point) || allowed.contains(reason)) {
        confirming += rise;
        role = "explained";
      } else if (NOT_EVIDENCE.contains(reason) && causesOf(point).isEmpty()) {
        role = "no evidence";
      } else {
        contrary += Math.max(0, rise);
        role = "NOT explained";
      }
      if (during > 0 || !role.equals("no evidence")) {
        lines.add(
            String.format(
                java.util.Locale.ROOT,
                "%s: %d during the fault, %d in the baseline (rise %.1f) — %s",
                point,
                during,
                before,
                rise,
                role));
      }
    }
    boolean partly = named.stream().anyMatch(CONFIRMED_ONLY_IN_PART::contains);
    boolean confirmed = confirming >= MIN_CONFIRMING && confirming >= contrary;
    boolean agrees = confirmed || (partly && contrary < MIN_CONFIRMING);
    StringBuilder text =
        new StringBuilder()
            .append("culprit named ")
            .append(named)
            .append(", which may explain ")
            .append(allowed)
            .append("; fault window ")
            .append(fault.span())
            .append(", baseline ")
            .append(baseline.span());
    if (!confirmed && agrees) {
      text.append(
          "; not confirmed (the kernel frees these drops without a reason), not contradicted");
    }
    if (fault.lost() > 0 || baseline.lost() > 0) {
      text.append("; events lost: ").append(fault.lost() + baseline.lost());
    }
    lines.forEach(line -> text.append("\n  ").append(line));
    return new Verdict(agrees, confirming, contrary, text.toString());
  }
}
