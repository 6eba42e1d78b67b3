package dev.culprit.processor.delta;

import dev.culprit.schemas.ConntrackSample;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.function.Predicate;

/**
 * Connection tracking: count, max and buckets are gauges; the per-CPU stat totals are counters
 * except {@code entries}.
 */
final class ConntrackKind implements SampleKind<ConntrackSample> {

  private static final Predicate<String> IS_COUNTER = name -> !"entries".equals(name);

  @Override
  public Topic<ConntrackSample> topic() {
    return Topics.CONNTRACK;
  }

  @Override
  public void toDeltas(ConntrackSample previous, ConntrackSample current) {
    current.setStats(
        EntityDeltas.deltaMap(
            previous == null ? null : previous.getStats(), current.getStats(), IS_COUNTER));
  }

  @Override
  public ConntrackSample merge(ConntrackSample earlier, ConntrackSample later) {
    later.setStats(EntityDeltas.mergeMap(earlier.getStats(), later.getStats(), IS_COUNTER));
    return later;
  }
}
