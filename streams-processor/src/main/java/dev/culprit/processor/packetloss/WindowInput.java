package dev.culprit.processor.packetloss;

import dev.culprit.processor.delta.SampleDelta;
import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.probe.ProbeObservation;
import dev.culprit.processor.window.HostWindowState;
import dev.culprit.processor.window.HostWindows;
import org.apache.avro.specific.SpecificRecord;

/**
 * One thing to fold into a host's window: a delta-shaped sample of one kind, or a probe round
 * joined to one of the host's namespaces. Only passed between nodes of one sub-topology (never
 * serialised): every sample kind's deltas and the probe rounds merge into one stream for {@link
 * HostWindowProcessor}.
 */
abstract sealed class WindowInput {

  /** The topic whose progress this input shows, or null for a probe round (another host's time). */
  abstract String progressTopic();

  /** The name late inputs are counted under (a sample kind's, or {@code probe}). */
  abstract String lateName();

  /** The aggregate with this input folded in. */
  abstract HostWindowState addTo(HostWindowState aggregate);

  static <S extends SpecificRecord> WindowInput sample(SampleKind<S> kind, SampleDelta<S> delta) {
    return new Sample<>(kind, delta);
  }

  static WindowInput probe(ProbeObservation round) {
    return new Probe(round);
  }

  private static final class Sample<S extends SpecificRecord> extends WindowInput {
    private final SampleKind<S> kind;
    private final SampleDelta<S> delta;

    Sample(SampleKind<S> kind, SampleDelta<S> delta) {
      this.kind = kind;
      this.delta = delta;
    }

    @Override
    String progressTopic() {
      return kind.topic().name();
    }

    @Override
    String lateName() {
      return kind.name();
    }

    @Override
    HostWindowState addTo(HostWindowState aggregate) {
      return HostWindows.add(aggregate, kind, delta);
    }
  }

  private static final class Probe extends WindowInput {
    private final ProbeObservation round;

    Probe(ProbeObservation round) {
      this.round = round;
    }

    @Override
    String progressTopic() {
      return null;
    }

    @Override
    String lateName() {
      return "probe";
    }

    @Override
    HostWindowState addTo(HostWindowState aggregate) {
      return HostWindows.addProbe(aggregate, round);
    }
  }
}
