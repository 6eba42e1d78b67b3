package dev.culprit.lab.oracle;

import dev.culprit.schemas.Cause;
import java.util.ArrayList;
import java.util.Comparator;
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
          // A frame larger than the receiving device's MTU (a veth peer refuses it).
          Map.entry(Cause.MTU_MISMATCH, Set.of("PKT_TOO_BIG")),
          Map.entry(Cause.LISTEN_OVERFLOW, Set.of("TCP_LISTEN_OVERFLOW")),
          Map.entry(
              Cause.SOCKET_BUFFER_OVERFLOW,
              Set.of("SOCKET_RCVBUFF", "SOCKET_BACKLOG", "PROTO_MEM")),
          Map.entry(Cause.SOFTNET_BACKLOG_DROP, Set.of("CPU_BACKLOG")),
          Map.entry(Cause.NIC_RING_OVERFLOW, Set.of("FULL_RING")));

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
          "OTHERHOST");

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
    EXPLAINS.forEach(
        (cause, reasons) -> {
          if (reasons.contains(reason)) {
            causes.add(cause);
          }
        });
    return causes;
  }

  /** Every reason name the table uses, for checking them against a kernel's list. */
  public static Set<String> namesUsed() {
    Set<String> names = new TreeSet<>(NOT_EVIDENCE);
    EXPLAINS.values().forEach(names::addAll);
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
    Set<String> reasons = new TreeSet<>(fault.byReason().keySet());
    reasons.addAll(baseline.byReason().keySet());
    double confirming = 0;
    double contrary = 0;
    List<String> lines = new ArrayList<>();
    for (String reason : reasons) {
      double rise = fault.count(reason) - baseline.count(reason) * scale;
      String role;
      if (allowed.contains(reason)) {
        confirming += rise;
        role = "explained";
      } else if (NOT_EVIDENCE.contains(reason)) {
        role = "no evidence";
      } else {
        contrary += Math.max(0, rise);
        role = "NOT explained";
      }
      lines.add(
          String.format(
              java.util.Locale.ROOT,
              "%s: %d during the fault, %d in the baseline (rise %.1f) — %s",
              reason,
              fault.count(reason),
              baseline.count(reason),
              rise,
              role));
    }
    boolean agrees = confirming >= MIN_CONFIRMING && confirming >= contrary;
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
    if (fault.lost() > 0 || baseline.lost() > 0) {
      text.append("; events lost: ").append(fault.lost() + baseline.lost());
    }
    lines.forEach(line -> text.append("\n  ").append(line));
    fault.byLocation().entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
        .limit(8)
        .forEach(e -> text.append("\n  at ").append(e.getKey()).append(": ").append(e.getValue()));
    return new Verdict(agrees, confirming, contrary, text.toString());
  }
}
