package dev.culprit.processor.rules.packetloss;

import static dev.culprit.processor.rules.packetloss.Deltas.value;

import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.ConntrackSample;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * CONNTRACK_TABLE_FULL: the connection tracking table is (nearly) full, so new connections are
 * dropped ("nf_conntrack: table full, dropping packet").
 *
 * <p>Specific evidence, either of: the fill level at or above {@link
 * PacketLossThresholds#conntrackNearFull()}; or {@code early_drop} rising (the kernel evicts an
 * unassured entry only when a new one finds the table at its maximum) with the table at least
 * {@link PacketLossThresholds#conntrackMinFillWithDrops()} full, so the full moment fell between
 * two samples. Corroborating only: {@code drop}, which {@code nf_conntrack_in} counts for every
 * packet it could not track (a full table, but also allocation failures and lost insertion races),
 * and {@code insert_failed}, which counts those races (the well-known UDP/DNS clash) on a table
 * that may be almost empty; a bigger table fixes neither. The seed's 182 of 262144 is never the
 * cause.
 */
record ConntrackTableFullRule(PacketLossThresholds thresholds) implements PacketLossRule {

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<RootCause> causes = new ArrayList<>();
    ConntrackSample ct = window.conntrack().orElse(null);
    if (ct == null
        || !ct.getAvailable()
        || ct.getCount() == null
        || ct.getMax() == null
        || ct.getMax() <= 0) {
      return causes;
    }
    double fill = Fmt.ratio(ct.getCount(), ct.getMax());
    Map<String, Long> stats = ct.getStats();
    long drop = value(stats.get("drop"));
    long earlyDrop = value(stats.get("early_drop"));
    long insertFailed = value(stats.get("insert_failed"));
    boolean dropping = drop > 0 || earlyDrop > 0 || insertFailed > 0;
    boolean full = fill >= thresholds.conntrackNearFull();
    if (!full && !(earlyDrop > 0 && fill >= thresholds.conntrackMinFillWithDrops())) {
      return causes;
    }
    long intervalMs = window.deltaMs(SampleKinds.CONNTRACK);
    String head =
        String.format(
            Locale.ROOT,
            "The conntrack table of %s is %s full (%d of %d entries)",
            window.label(),
            Fmt.percent(fill),
            ct.getCount(),
            ct.getMax());
    String tail =
        dropping
            ? String.format(
                Locale.ROOT,
                " and new connections are being dropped: drop %d, early_drop %d, insert_failed %d"
                    + " in %s.",
                drop,
                earlyDrop,
                insertFailed,
                Fmt.seconds(intervalMs))
            : ": new connections are dropped as soon as it fills.";
    causes.add(
        CauseBuilder.of(window, Cause.CONNTRACK_TABLE_FULL, Layer.CONNTRACK, "nf_conntrack")
            .evidenceFrom(ct, "count", "max", "buckets")
            .evidence("fill", fill)
            .evidence("drop", stats.get("drop"))
            .evidence("early_drop", stats.get("early_drop"))
            .evidence("insert_failed", stats.get("insert_failed"))
            .evidence("intervalMs", intervalMs)
            .confidence(dropping ? (full ? 0.95 : 0.8) : 0.6)
            .summary(head + tail)
            .fix(
                Fixes.sysctl(
                    Fixes.of(window),
                    List.of("net.netfilter.nf_conntrack_max=" + ct.getMax() * 2),
                    null))
            .build());
    return causes;
  }
}
