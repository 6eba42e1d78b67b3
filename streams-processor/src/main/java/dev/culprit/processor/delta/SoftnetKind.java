package dev.culprit.processor.delta;

import dev.culprit.schemas.SoftnetCpu;
import dev.culprit.schemas.SoftnetSample;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.function.Function;

/**
 * The host's per-CPU softnet statistics, matched by CPU number. The kernel prints them as 32-bit
 * values: a wrap (or a CPU taken offline and back, which keeps its counters) shows as a decrease,
 * and that CPU then gives no delta for the window, never a negative one.
 */
final class SoftnetKind implements SampleKind<SoftnetSample> {

  private static final int[] COUNTERS = CounterFields.of(SoftnetCpu.getClassSchema());
  private static final Function<SoftnetCpu, String> ID = c -> Integer.toString(c.getCpu());

  @Override
  public Topic<SoftnetSample> topic() {
    return Topics.SOFTNET;
  }

  @Override
  public void toDeltas(SoftnetSample previous, SoftnetSample current) {
    EntityDeltas.deltaInPlace(
        previous == null ? null : previous.getCpus(), current.getCpus(), ID, COUNTERS);
  }

  @Override
  public SoftnetSample merge(SoftnetSample earlier, SoftnetSample later) {
    EntityDeltas.mergeInPlace(earlier.getCpus(), later.getCpus(), ID, COUNTERS);
    return later;
  }
}
