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
      state = add(state, sample);
    }
    return HostWindow.decode(host, 0, 10_000, state);
  }

  /**
   * The window [10000, 20000) holding the same samples as {@code previous} (the window {@link #of}
   * made, already judged by the rules under test), with the drops they recorded there continuing.
   */
  public static HostWindow next(HostWindow previous, SpecificRecord... deltaShapedSamples) {
    HostWindowState state = HostWindows.empty();
    for (SpecificRecord sample : deltaShapedSamples) {
      state = add(state, sample);
    }
    return HostWindow.decode(
        previous.host(),
        10_000,
        20_000,
        state,
        DropStreaks.continuing(10_000, 10_000, previous.streaks().toBytes()));
  }

  /** Adds one delta-shaped sample covering 10 s. */
  @SuppressWarnings("unchecked")
  static <S extends SpecificRecord> HostWindowState add(HostWindowState state, SpecificRecord s) {
    SampleKind<S> kind =
        (SampleKind<S>)
            SampleKinds.network().stream()
                .filter(k -> k.topic().valueType().isInstance(s))
                .findFirst()
                .orElseThrow();
    return HostWindows.add(state, kind, new SampleDelta<>((S) s, 10_000, DeltaBasis.CONTINUED));
  }
}
