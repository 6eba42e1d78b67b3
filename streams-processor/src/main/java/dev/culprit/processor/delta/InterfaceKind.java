package dev.culprit.processor.delta;

import dev.culprit.schemas.InterfaceSample;
import dev.culprit.schemas.InterfaceStats;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.function.Function;

/**
 * Interfaces, matched by name and ifindex: a device deleted and re-created under the same name gets
 * a new ifindex, so its restarted counters are never compared with the old device's.
 */
final class InterfaceKind implements SampleKind<InterfaceSample> {

  private static final int[] COUNTERS = CounterFields.of(InterfaceStats.getClassSchema());
  private static final Function<InterfaceStats, String> ID =
      i -> i.getIfindex() == null ? i.getName() : i.getName() + "@" + i.getIfindex();

  @Override
  public Topic<InterfaceSample> topic() {
    return Topics.INTERFACE;
  }

  @Override
  public void toDeltas(InterfaceSample previous, InterfaceSample current) {
    EntityDeltas.deltaInPlace(
        previous == null ? null : previous.getInterfaces(), current.getInterfaces(), ID, COUNTERS);
  }

  @Override
  public InterfaceSample merge(InterfaceSample earlier, InterfaceSample later) {
    EntityDeltas.mergeInPlace(earlier.getInterfaces(), later.getInterfaces(), ID, COUNTERS);
    return later;
  }
}
