package dev.culprit.processor.probe;

import dev.culprit.schemas.ProbeSample;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Probe rounds as observations of a target namespace, and their merging within a window. */
public final class ProbeObservations {

  /** The order of a window's observations: target address, port, prober host, prober netns. */
  public static final Comparator<ProbeObservation> ORDER =
      Comparator.comparing(ProbeObservation::getTargetAddress)
          .thenComparingInt(ProbeObservation::getTargetPort)
          .thenComparing(ProbeObservation::getProberHost)
          .thenComparing(ProbeObservation::getProberNetns);

  private ProbeObservations() {}

  /** One probe round, joined to the namespace that owns its target address. */
  static ProbeObservation of(String targetNetns, ProbeSample probe) {
    return ProbeObservation.newBuilder()
        .setTargetNetns(targetNetns)
        .setTargetAddress(probe.getTargetAddress())
        .setTargetPort(probe.getTargetPort())
        .setProberHost(probe.getHost())
        .setProberNetns(probe.getNetns())
        .setRounds(1)
        .setSent(probe.getSent())
        .setAnswered(probe.getAnswered())
        .setRttMinMs(probe.getRttMinMs())
        .setRttAvgMs(probe.getRttAvgMs())
        .setRttMaxMs(probe.getRttMaxMs())
        .setFirstSampleMs(probe.getSampleTimeMs())
        .setLastSampleMs(probe.getSampleTimeMs())
        .build();
  }

  /** A window's observations with {@code round} added: merged into its prober's, kept sorted. */
  public static ProbeWindow add(ProbeWindow window, ProbeObservation round) {
    List<ProbeObservation> out =
        new ArrayList<>(window == null ? List.of() : window.getObservations());
    int at = 0;
    while (at < out.size() && ORDER.compare(out.get(at), round) < 0) {
      at++;
    }
    if (at < out.size() && ORDER.compare(out.get(at), round) == 0) {
      out.set(at, merge(out.get(at), round));
    } else {
      out.add(at, round);
    }
    return new ProbeWindow(out);
  }

  /** Two observations of the same prober and target: counts summed, RTTs combined. */
  static ProbeObservation merge(ProbeObservation a, ProbeObservation b) {
    return ProbeObservation.newBuilder(a)
        .setRounds(a.getRounds() + b.getRounds())
        .setSent(a.getSent() + b.getSent())
        .setAnswered(a.getAnswered() + b.getAnswered())
        .setRttMinMs(extreme(a.getRttMinMs(), b.getRttMinMs(), true))
        .setRttMaxMs(extreme(a.getRttMaxMs(), b.getRttMaxMs(), false))
        .setRttAvgMs(weighted(a, b))
        .setFirstSampleMs(Math.min(a.getFirstSampleMs(), b.getFirstSampleMs()))
        .setLastSampleMs(Math.max(a.getLastSampleMs(), b.getLastSampleMs()))
        .build();
  }

  private static Double extreme(Double a, Double b, boolean min) {
    if (a == null || b == null) {
      return a == null ? b : a;
    }
    return min ? Math.min(a, b) : Math.max(a, b);
  }

  /** The average RTT over both, weighted by answered probes (the ones an RTT was measured on). */
  private static Double weighted(ProbeObservation a, ProbeObservation b) {
    Double x = a.getRttAvgMs();
    Double y = b.getRttAvgMs();
    if (x == null || y == null) {
      return x == null ? y : x;
    }
    long wa = a.getAnswered();
    long wb = b.getAnswered();
    if (wa + wb <= 0) {
      return Math.max(x, y);
    }
    return (x * wa + y * wb) / (wa + wb);
  }
}
