package dev.culprit.lab.oracle;

import dev.culprit.schemas.Cause;
import dev.culprit.schemas.DropReasons;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The judgement of a cause against what the kernel recorded during a fault ({@link #judge}), by
 * which of the kernel's drop reasons each of culprit's causes may explain ({@link DropReasons}, in
 * the contract, which the processor quotes from too).
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

  /** Reasons that are no evidence for or against any cause ({@link DropReasons#NOT_EVIDENCE}). */
  public static final Set<String> NOT_EVIDENCE = DropReasons.NOT_EVIDENCE;

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
      Set<String> rest = new TreeSet<>(knownReasons);
      rest.removeAll(DropReasons.modelled());
      rest.removeAll(NOT_EVIDENCE);
      return rest;
    }
    return DropReasons.explainedBy(cause);
  }

  /** The causes that may explain {@code reason} (none: only UNEXPLAINED_DROPS can). */
  public static Set<Cause> causesOf(String reason) {
    return DropReasons.causesOf(reason);
  }

  /** Every reason name the table uses, for checking them against a kernel's list. */
  public static Set<String> namesUsed() {
    return DropReasons.namesUsed();
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
