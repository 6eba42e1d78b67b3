package dev.culprit.processor.window;

import dev.culprit.processor.delta.DeltaBasis;
import dev.culprit.processor.delta.SampleDelta;
import dev.culprit.processor.delta.SampleKind;
import dev.culprit.processor.delta.SampleKinds;
import org.apache.avro.specific.SpecificRecord;

/** Builds host windows from delta-shaped samples for rule and window tests. */
public final class Windows {

  private Windows() {}

  /** The window [0, 10000) of {@code host} holding these samples as they are. */
  public static HostWindow of(String host, SpecificRecord... deltaShapedSamples) {
    HostWindowState state = HostWindows.empty();
    for (SpecificRecord sample : deltaShapedSamples) {
      add(state, host, sample);
    }
    return HostWindow.decode(host, 0, 10_000, state);
  }

  @SuppressWarnings("unchecked")
  static <S extends SpecificRecord> void add(HostWindowState state, String host, SpecificRecord s) {
    SampleKind<S> kind =
        (SampleKind<S>)
            SampleKinds.network().stream()
                .filter(k -> k.topic().valueType().isInstance(s))
                .findFirst()
                .orElseThrow();
    HostWindows.add(state, host, kind, new SampleDelta<>((S) s, 10_000, DeltaBasis.CONTINUED));
  }
}
