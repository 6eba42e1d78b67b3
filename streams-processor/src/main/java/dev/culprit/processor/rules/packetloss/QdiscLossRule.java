package dev.culprit.processor.rules.packetloss;

import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.rules.CauseBuilder;
import dev.culprit.processor.rules.Fixes;
import dev.culprit.processor.rules.Fmt;
import dev.culprit.processor.rules.Sh;
import dev.culprit.processor.window.NetnsWindow;
import dev.culprit.schemas.Cause;
import dev.culprit.schemas.Fix;
import dev.culprit.schemas.FixScope;
import dev.culprit.schemas.Layer;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.RootCause;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * QDISC_LOSS: a queueing discipline whose drop counter rose. Drops of a qdisc never show in the
 * device's own counters (the seed's {@code netstat -i} was clean while netem dropped), so this is
 * the only place they are seen.
 *
 * <p>A netem with a configured loss drops on purpose; a tbf or fifo drops when its limit overflows;
 * an AQM qdisc (fq_codel, ...) drops to signal congestion. Without a configured loss the drops must
 * be a real share of what the qdisc handled ({@link PacketLossThresholds#qdiscMinDropShare()}), and
 * a qdisc that only delays (overlimits rising, drops flat) loses nothing.
 *
 * <p>Specific evidence: {@code drops} of a netem with a configured loss, of a shaper (tbf, htb,
 * hfsc, ...) or of a plain fifo, whose only drops are their own policy or queue overflows. Not
 * specific: {@code drops} of an AQM qdisc ({@link #AQM_KINDS}), which sums the packets its
 * algorithm chose to drop early to keep the queue short (the link is congested, the qdisc is doing
 * its job) and those refused at its limit; the sample carries no per-reason split (fq_codel's
 * drop_overlimit), so an AQM's drops never name this cause, whatever its share. Neither is {@code
 * overlimits}, which counts packets delayed as well as dropped.
 */
record QdiscLossRule(PacketLossThresholds thresholds) implements PacketLossRule {

  /** Qdiscs that drop early by design (active queue management). */
  static final Set<String> AQM_KINDS =
      Set.of("fq_codel", "codel", "pie", "fq_pie", "cake", "red", "gred", "choke", "sfb");

  @Override
  public List<RootCause> evaluate(NetnsWindow window) {
    List<RootCause> causes = new ArrayList<>();
    for (QdiscStats q : window.qdiscs()) {
      Long drops = q.getDrops();
      if (drops == null
          || drops <= 0
          || AQM_KINDS.contains(q.getKind())
          || onlyAqmLeavesDropped(window.qdiscs(), q)
          || countedByRoot(window.qdiscs(), q)) {
        continue;
      }
      Long sent = q.getPackets();
      Double share = sent == null ? null : Fmt.ratio(drops, sent + drops);
      boolean configuredLoss =
          "netem".equals(q.getKind()) && q.getLossPercent() != null && q.getLossPercent() > 0;
      if (!configuredLoss && (share == null || share < thresholds.qdiscMinDropShare())) {
        continue;
      }
      String place = placement(q);
      long intervalMs = window.deltaMs(SampleKinds.QDISC);
      String counted =
          sent == null
              ? drops + " packets dropped in " + Fmt.seconds(intervalMs)
              : String.format(
                  Locale.ROOT,
                  "it dropped %d packets and sent %d in %s (%s)",
                  drops,
                  sent,
                  Fmt.seconds(intervalMs),
                  Fmt.percent(share));
      String head =
          String.format(
              Locale.ROOT,
              "qdisc %s %s (%s) on %s in %s",
              q.getKind(),
              q.getHandle(),
              place,
              q.getDevice(),
              window.label());
      String summary;
      double confidence;
      Fix fix;
      FixScope scope = Fixes.of(window);
      if (configuredLoss) {
        summary =
            head
                + " is configured to lose "
                + Fmt.percent(q.getLossPercent() / 100)
                + " of packets";
        confidence = 0.95;
        fix =
            Fixes.command(
                scope,
                concat(
                    List.of("tc", "qdisc", "del", "dev", q.getDevice()),
                    tcParent(q),
                    List.of("netem", "loss", Fmt.netemPercent(q.getLossPercent()))),
                null);
      } else if (isLimited(q)) {
        summary = head + " " + limits(q) + " and overflows";
        confidence = 0.85;
        fix = raiseLimit(scope, q);
      } else {
        summary = head + " drops packets";
        confidence = 0.6;
        fix =
            Fixes.command(
                scope,
                concat(List.of("tc", "qdisc", "del", "dev", q.getDevice()), tcParent(q)),
                "back to the default qdisc, or give the link more capacity");
      }
      CauseBuilder cause =
          CauseBuilder.of(
              window,
              Cause.QDISC_LOSS,
              Layer.QDISC,
              q.getDevice() + " " + q.getKind() + " " + q.getHandle() + " " + place);
      droppingLeaf(window.qdiscs(), q)
          .ifPresent(
              leaf ->
                  cause
                      .evidence("leafKind", leaf.getKind())
                      .evidence("leafHandle", leaf.getHandle())
                      .evidence("leafParent", leaf.getParent())
                      .evidence("leafDrops", leaf.getDrops())
                      .evidence("leafLimitPackets", leaf.getLimitPackets()));
      causes.add(
          cause
              .evidenceFrom(q, "device", "kind", "handle", "parent")
              .evidence("drops", drops)
              .evidence("packets", sent)
              .evidence("dropShare", share)
              .evidenceFrom(
                  q,
                  "overlimits",
                  "backlogPackets",
                  "lossPercent",
                  "delayUs",
                  "limitPackets",
                  "limitBytes",
                  "rateBitsPerSecond",
                  "burstBytes")
              .evidence("intervalMs", intervalMs)
              .confidence(confidence)
              .summary(summary + leafNote(window.qdiscs(), q) + ": " + counted + ".")
              .fix(fix)
              .build());
    }
    return causes;
  }

  /**
   * A child qdisc's drops are also counted by the classful root of its device (htb, hfsc, prio, ...
   * add every enqueue drop of a child to their own counter): one fault, reported once, at the root,
   * which is what an operator removes; the child that dropped is named in its evidence.
   */
  private static boolean countedByRoot(List<QdiscStats> all, QdiscStats q) {
    if (q.getRoot() || q.getParent() == null) {
      return false;
    }
    return all.stream()
        .anyMatch(
            r ->
                r.getRoot()
                    && r.getDevice().equals(q.getDevice())
                    && r.getDrops() != null
                    && r.getDrops() >= q.getDrops());
  }

  /**
   * A classful root counts its children's drops as its own: when all of them are AQM leaves' early
   * drops, the root's counter holds nothing specific either.
   */
  private static boolean onlyAqmLeavesDropped(List<QdiscStats> all, QdiscStats q) {
    if (!q.getRoot()) {
      return false;
    }
    long aqm = 0;
    for (QdiscStats c : all) {
      if (c.getRoot()
          || c.getParent() == null
          || !c.getDevice().equals(q.getDevice())
          || c.getDrops() == null
          || c.getDrops() <= 0) {
        continue;
      }
      if (!AQM_KINDS.contains(c.getKind())) {
        return false;
      }
      aqm += c.getDrops();
    }
    return aqm > 0 && aqm >= q.getDrops();
  }

  /** For a root qdisc, the child on its device that dropped the most, if any dropped. */
  private static java.util.Optional<QdiscStats> droppingLeaf(List<QdiscStats> all, QdiscStats q) {
    if (!q.getRoot()) {
      return java.util.Optional.empty();
    }
    return all.stream()
        .filter(c -> !c.getRoot() && c.getParent() != null && c.getDevice().equals(q.getDevice()))
        .filter(c -> c.getDrops() != null && c.getDrops() > 0)
        .max(java.util.Comparator.comparingLong(QdiscStats::getDrops));
  }

  private static String leafNote(List<QdiscStats> all, QdiscStats q) {
    return droppingLeaf(all, q)
        .map(
            leaf ->
                " in its leaf "
                    + leaf.getKind()
                    + " "
                    + leaf.getHandle()
                    + " (parent "
                    + leaf.getParent()
                    + (leaf.getLimitPackets() != null
                        ? ", at most " + leaf.getLimitPackets() + " packets queued"
                        : "")
                    + ")")
        .orElse("");
  }

  private static boolean isLimited(QdiscStats q) {
    return q.getLimitPackets() != null
        || q.getLimitBytes() != null
        || q.getRateBitsPerSecond() != null;
  }

  private static String limits(QdiscStats q) {
    List<String> parts = new ArrayList<>();
    if (q.getRateBitsPerSecond() != null) {
      parts.add("shapes to " + Fmt.tcRate(q.getRateBitsPerSecond()));
    }
    if (q.getLimitPackets() != null) {
      parts.add("queues at most " + q.getLimitPackets() + " packets");
    }
    if (q.getLimitBytes() != null) {
      parts.add("queues at most " + q.getLimitBytes() + " bytes");
    }
    return String.join(", ", parts);
  }

  private static Fix raiseLimit(FixScope scope, QdiscStats q) {
    List<String> cmd = new ArrayList<>(List.of("tc", "qdisc", "change", "dev", q.getDevice()));
    if (q.getRoot() || q.getParent() == null) {
      cmd.add("root");
    } else {
      cmd.addAll(List.of("parent", q.getParent()));
    }
    cmd.addAll(List.of("handle", q.getHandle(), q.getKind()));
    if (q.getRateBitsPerSecond() != null) {
      cmd.addAll(List.of("rate", Fmt.tcRate(q.getRateBitsPerSecond() * 2)));
    }
    if (q.getBurstBytes() != null) {
      cmd.addAll(List.of("burst", "" + q.getBurstBytes()));
    }
    if (q.getLimitPackets() != null) {
      cmd.addAll(List.of("limit", "" + q.getLimitPackets() * 2));
    } else if (q.getLimitBytes() != null) {
      cmd.addAll(List.of("limit", "" + q.getLimitBytes() * 2));
    }
    List<String> remove = concat(List.of("tc", "qdisc", "del", "dev", q.getDevice()), tcParent(q));
    return Fixes.command(scope, cmd, "or remove it: " + Sh.join(remove));
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    List<String> all = new ArrayList<>();
    for (List<String> part : parts) {
      all.addAll(part);
    }
    return all;
  }

  /** "root" or "parent 1:1", as the location says it. */
  private static String placement(QdiscStats q) {
    return q.getRoot() || q.getParent() == null ? "root" : "parent " + q.getParent();
  }

  /** "root" or "parent 1:1 handle 10:", as tc takes it. */
  private static List<String> tcParent(QdiscStats q) {
    return q.getRoot() || q.getParent() == null
        ? List.of("root")
        : List.of("parent", q.getParent(), "handle", q.getHandle());
  }
}
