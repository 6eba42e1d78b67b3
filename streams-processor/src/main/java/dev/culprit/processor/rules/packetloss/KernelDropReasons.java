package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.window.HostWindow;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.DropReasonCount;
import dev.culprit.schemas.DropReasonSample;
import dev.culprit.schemas.DropReasons;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the kernel itself said about a window's drops ({@code --drop-reasons}), quoted in the causes
 * it may explain: "the kernel dropped 412 packets as NETFILTER_DROP on this host in this window".
 * The rules decide from the counters; this only adds the kernel's own account to what they found,
 * so a cause of a host without the drop-reason sample is exactly what it was without it.
 *
 * <p>The tracepoint names no namespace, so the counts are the host's: the sentence says so. The
 * reasons are quoted only when they rose in the window: a cause whose reasons the kernel did not
 * report is left as it is (it may be one the kernel frees without a reason, or the ring may have
 * sampled other reasons; the rules, not the sample, decide). The counts are estimates scaled from
 * the records the agent's ring kept, and say so when the ring did not keep them all.
 */
public final class KernelDropReasons {

  /** Evidence key prefix of a reason's (estimated) drops in the window: {@value}NETFILTER_DROP. */
  public static final String REASON_PREFIX = "kernelDropReason.";

  private KernelDropReasons() {}

  /**
   * Adds the kernel's reasons to every cause of {@code window} they may explain, in place.
   *
   * @return the causes, for chaining
   */
  public static List<RootCause> quote(HostWindow window, List<RootCause> causes) {
    DropReasonSample sample = window.netns("").flatMap(NetnsWindow::dropReasons).orElse(null);
    if (sample == null || sample.getDrops() == null || sample.getSampled() == null) {
      return causes;
    }
    Map<String, DropReasonCount> rose = new TreeMap<>();
    for (DropReasonCount r : sample.getReasons()) {
      if (r.getEstimated() != null && r.getEstimated() > 0) {
        rose.put(r.getReason(), r);
      }
    }
    if (rose.isEmpty()) {
      return causes;
    }
    for (RootCause cause : causes) {
      Set<String> reasons = reasonsFor(cause.getCause(), rose.keySet());
      List<String> said = new ArrayList<>();
      for (String reason : reasons) {
        DropReasonCount r = rose.get(reason);
        if (r == null) {
          continue;
        }
        cause.getEvidence().put(REASON_PREFIX + reason, r.getEstimated());
        said.add(
            (exact(r) ? "" : "about ")
                + String.format(Locale.ROOT, "%,d", r.getEstimated())
                + (r.getEstimated() == 1 ? " packet as " : " packets as ")
                + reason);
      }
      if (said.isEmpty()) {
        continue;
      }
      cause.getEvidence().put("kernelDrops", sample.getDrops());
      cause.getEvidence().put("kernelDropsSampled", sample.getSampled());
      String sampling =
          sample.getSampled().equals(sample.getDrops())
              ? "every drop read"
              : String.format(
                  Locale.ROOT,
                  "reasons read from %,d of its %,d drops",
                  sample.getSampled(),
                  sample.getDrops());
      cause.setSummary(
          cause.getSummary()
              + " The kernel dropped "
              + String.join(", ", said)
              + " on this host in this window (host-wide; "
              + sampling
              + ").");
    }
    return causes;
  }

  /**
   * The reasons the kernel may have given for {@code cause}: those the table gives it, and for
   * UNEXPLAINED_DROPS those of the window's reasons no cause explains and that are evidence.
   */
  static Set<String> reasonsFor(Cause cause, Set<String> present) {
    if (cause == Cause.UNEXPLAINED_DROPS) {
      Set<String> rest = new TreeSet<>(present);
      rest.removeAll(DropReasons.modelled());
      rest.removeAll(DropReasons.NOT_EVIDENCE);
      return rest;
    }
    return DropReasons.reasonsOf(cause);
  }

  /** Whether every drop of the reason in the window was read (no scaling). */
  private static boolean exact(DropReasonCount r) {
    return r.getSampled() != null && r.getSampled().equals(r.getEstimated());
  }
}
