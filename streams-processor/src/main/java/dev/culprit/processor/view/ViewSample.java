package dev.culprit.processor.view;

import dev.culprit.schemas.CollectorHealth;
import dev.culprit.schemas.ContainerSample;
import dev.culprit.schemas.ContainerStats;
import dev.culprit.schemas.FilterSample;
import dev.culprit.schemas.FirewallRule;
import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.NetnsKind;
import dev.culprit.schemas.ProbeSample;
import dev.culprit.schemas.ProtocolSample;
import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.SourceState;
import dev.culprit.schemas.SourceStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * What the view takes from a sample, extracted the moment it is decoded: the delta step rewrites
 * decoded samples in place (cumulative counters become the cycle's increases), so the view must
 * read them before it does. Small on purpose: only the few totals the view keeps.
 */
sealed interface ViewSample {

  long timeMs();

  /**
   * Cumulative totals of one source in one namespace (the view makes its own deltas).
   *
   * @param source "i" interface, "p" protocol, "q" qdisc, "f" filter
   * @param totals per source: RX dropped, TX dropped, RX errors | Tcp.RetransSegs | qdisc drops |
   *     DROP/REJECT rule packets; empty when the kernel did not report them (absent is not zero)
   */
  record Totals(
      String source, String netns, NetnsKind kind, String collectorId, long timeMs, long[] totals)
      implements ViewSample {}

  /** One probe round: sent and lost in this round (not cumulative). */
  record Probes(String netns, NetnsKind kind, long timeMs, long sent, long lost)
      implements ViewSample {}

  /** The containers a container sample lists; {@code complete} for a periodic full listing. */
  record Containers(long timeMs, boolean complete, List<HostView.Container> containers)
      implements ViewSample {}

  /** A collector health record, reduced to what the fleet page shows. */
  record Health(
      long timeMs,
      List<String> failing,
      long spooledRecords,
      long spooledBytes,
      long spoolDroppedRecords)
      implements ViewSample {}

  static ViewSample of(InterfaceSample s) {
    long rxDropped = 0;
    long txDropped = 0;
    long rxErrors = 0;
    for (InterfaceStats i : s.getInterfaces()) {
      rxDropped += orZero(i.getRxDropped());
      txDropped += orZero(i.getTxDropped());
      rxErrors += orZero(i.getRxErrors());
    }
    return totals(
        "i",
        s.getNetns(),
        s.getNetnsKind(),
        s.getCollectorId(),
        s.getSampleTimeMs(),
        rxDropped,
        txDropped,
        rxErrors);
  }

  static ViewSample of(ProtocolSample s) {
    Long retrans = s.getCounters() == null ? null : s.getCounters().get("Tcp.RetransSegs");
    return retrans == null
        ? totals("p", s.getNetns(), s.getNetnsKind(), s.getCollectorId(), s.getSampleTimeMs())
        : totals(
            "p", s.getNetns(), s.getNetnsKind(), s.getCollectorId(), s.getSampleTimeMs(), retrans);
  }

  static ViewSample of(QdiscSample s) {
    long drops = 0;
    for (QdiscStats q : s.getQdiscs()) {
      drops += orZero(q.getDrops());
    }
    return totals(
        "q", s.getNetns(), s.getNetnsKind(), s.getCollectorId(), s.getSampleTimeMs(), drops);
  }

  static ViewSample of(FilterSample s) {
    long drops = 0;
    for (FirewallRule r : s.getRules()) {
      String target = r.getTarget() == null ? "" : r.getTarget().toString();
      if (target.equals("DROP") || target.equals("REJECT")) {
        drops += orZero(r.getPackets());
      }
    }
    return totals(
        "f", s.getNetns(), s.getNetnsKind(), s.getCollectorId(), s.getSampleTimeMs(), drops);
  }

  static ViewSample of(ProbeSample s) {
    long sent = Math.max(0, s.getSent());
    return new Probes(
        HostView.name(s.getNetns()),
        s.getNetnsKind(),
        s.getSampleTimeMs(),
        sent,
        Math.max(0, sent - s.getAnswered()));
  }

  static ViewSample of(ContainerSample s) {
    List<HostView.Container> list = new ArrayList<>();
    for (ContainerStats c : s.getContainers()) {
      String pod =
          c.getPodName() == null
              ? ""
              : HostView.name(
                  (c.getPodNamespace() == null ? "" : c.getPodNamespace() + "/") + c.getPodName());
      list.add(
          new HostView.Container(
              HostView.name(c.getId()),
              HostView.name(c.getName()),
              pod,
              HostView.name(c.getState()),
              s.getSampleTimeMs()));
      if (list.size() > 4 * HostView.MAX_CONTAINERS) {
        break; // the view keeps fewer anyway
      }
    }
    return new Containers(s.getSampleTimeMs(), s.getTrigger() == null, list);
  }

  static ViewSample of(CollectorHealth h) {
    List<String> failing = new ArrayList<>();
    for (SourceStatus s : h.getSources()) {
      boolean failed = s.getStatus() == SourceState.ERROR || s.getStatus() == SourceState.TIMEOUT;
      if (failed && failing.size() < HostView.MAX_FAILING_SOURCES) {
        failing.add(
            HostView.cut(
                s.getSource()
                    + (s.getNetns().length() == 0 ? "" : " in " + s.getNetns())
                    + " "
                    + s.getStatus()
                    + (s.getReason() == null ? "" : ": " + s.getReason()),
                HostView.MAX_TEXT));
      }
    }
    return new Health(
        h.getSampleTimeMs(),
        failing,
        h.getSpooledRecords(),
        h.getSpooledBytes(),
        h.getSpoolDroppedRecords());
  }

  private static Totals totals(
      String source,
      CharSequence netns,
      NetnsKind kind,
      CharSequence collectorId,
      long timeMs,
      long... totals) {
    return new Totals(
        source, HostView.name(netns), kind, HostView.name(collectorId), timeMs, totals);
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
