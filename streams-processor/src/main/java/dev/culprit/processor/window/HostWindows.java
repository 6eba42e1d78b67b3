package dev.culprit.processor.window;

import dev.culprit.processor.decode.SampleHeader;
import dev.culprit.processor.delta.SampleDelta;
import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.delta.SampleKinds;
import dev.culprit.processor.probe.ProbeObservation;
import dev.culprit.processor.probe.ProbeObservations;
import dev.culprit.processor.probe.ProbeSerdes;
import dev.culprit.processor.probe.ProbeWindow;
import dev.culprit.schemas.Topics;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * The cogroup aggregator: folds one delta-shaped sample into the aggregate of its host's window.
 * Entries are kept sorted by namespace label and source order, so the aggregate (and everything
 * judged from it) does not depend on arrival order.
 */
public final class HostWindows {

  private HostWindows() {}

  /** The aggregate of a window nothing was added to yet. */
  public static HostWindowState empty() {
    return HostWindowState.empty();
  }

  /** Adds one delta-shaped sample; returns the new aggregate. */
  public static <S extends SpecificRecord> HostWindowState add(
      HostWindowState aggregate, SampleKind<S> kind, SampleDelta<S> delta) {
    SampleHeader header = SampleHeader.of(delta.values());
    String topic = kind.topic().name();
    List<HostWindowState.Entry> entries = aggregate.entries();
    int at = 0;
    while (at < entries.size() && compare(entries.get(at), header.netns(), topic) < 0) {
      at++;
    }
    boolean present = at < entries.size() && compare(entries.get(at), header.netns(), topic) == 0;
    if (!present) {
      return aggregate.with(
          at,
          false,
          HostWindowState.Entry.of(
              header.netns(),
              topic,
              1,
              delta.sinceMs(),
              header.sampleTimeMs(),
              header.sampleTimeMs(),
              kind.topic().valueSerde().encode(delta.values())));
    }
    // A second sample of the same source in one window (a collector sampling faster than the
    // window): merge, the later one's gauges winning.
    HostWindowState.Entry held = entries.get(at);
    S previous = decode(kind, held);
    boolean newer = header.sampleTimeMs() >= held.lastSampleMs();
    S merged = newer ? kind.merge(previous, delta.values()) : kind.merge(delta.values(), previous);
    return aggregate.with(
        at,
        true,
        HostWindowState.Entry.of(
            header.netns(),
            topic,
            held.samples() + 1,
            held.deltaMs() + delta.sinceMs(),
            Math.min(held.firstSampleMs(), header.sampleTimeMs()),
            Math.max(held.lastSampleMs(), header.sampleTimeMs()),
            kind.topic().valueSerde().encode(merged)));
  }

  /**
   * Adds one joined probe round to the probe entry of its target namespace (after the network
   * sources in entry order); returns the new aggregate.
   */
  public static HostWindowState addProbe(HostWindowState aggregate, ProbeObservation round) {
    String netns = round.getTargetNetns();
    String topic = Topics.PROBE.name();
    List<HostWindowState.Entry> entries = aggregate.entries();
    int at = 0;
    while (at < entries.size() && compare(entries.get(at), netns, topic) < 0) {
      at++;
    }
    boolean present = at < entries.size() && compare(entries.get(at), netns, topic) == 0;
    HostWindowState.Entry held = present ? entries.get(at) : null;
    ProbeWindow merged =
        ProbeObservations.add(
            held == null ? null : ProbeSerdes.WINDOW.decode(held.record()), round);
    return aggregate.with(
        at,
        present,
        HostWindowState.Entry.of(
            netns,
            topic,
            (held == null ? 0 : held.samples()) + 1,
            0,
            held == null
                ? round.getFirstSampleMs()
                : Math.min(held.firstSampleMs(), round.getFirstSampleMs()),
            held == null
                ? round.getLastSampleMs()
                : Math.max(held.lastSampleMs(), round.getLastSampleMs()),
            ProbeSerdes.WINDOW.encode(merged)));
  }

  static <S extends SpecificRecord> S decode(SampleKind<S> kind, HostWindowState.Entry entry) {
    return kind.topic().valueSerde().decode(entry.record());
  }

  /**
   * The sources a window holds, one {@code netns + '\0' + topic} each, sorted: what a host sent in
   * a window, to tell whether a later window of it has everything yet. Probe rounds are left out:
   * they reach the window through two repartition topics, later than the samples by design.
   */
  public static List<String> sources(HostWindowState aggregate) {
    List<String> out = new java.util.ArrayList<>();
    for (HostWindowState.Entry e : aggregate.entries()) {
      if (!e.topic().equals(Topics.PROBE.name())) {
        out.add(e.netns() + '\u0000' + e.topic());
      }
    }
    return out;
  }

  /**
   * Both aggregates of one window in one: every source of either, and of a source both hold, the
   * entry merged from more samples ({@code update}'s on a tie). A window emitted again can come
   * without sources it held before (its stored aggregate had expired when a late record reached it,
   * and the late record started it afresh), so what was held is kept.
   */
  public static HostWindowState union(HostWindowState held, HostWindowState update) {
    HostWindowState out = update;
    for (HostWindowState.Entry e : held.entries()) {
      List<HostWindowState.Entry> entries = out.entries();
      int at = 0;
      while (at < entries.size() && compare(entries.get(at), e.netns(), e.topic()) < 0) {
        at++;
      }
      boolean present = at < entries.size() && compare(entries.get(at), e.netns(), e.topic()) == 0;
      if (!present || entries.get(at).samples() < e.samples()) {
        out = out.with(at, present, e);
      }
    }
    return out;
  }

  private static int compare(HostWindowState.Entry entry, String netns, String topic) {
    int byNetns = entry.netns().compareTo(netns);
    return byNetns != 0 ? byNetns : Integer.compare(order(entry.topic()), order(topic));
  }

  // Probe entries sort after every network source (the order of a source this build does not know).
  private static int order(String topic) {
    List<SampleKind<?>> kinds = SampleKinds.network();
    for (int i = 0; i < kinds.size(); i++) {
      if (kinds.get(i).topic().name().equals(topic)) {
        return i;
      }
    }
    return kinds.size();
  }
}
