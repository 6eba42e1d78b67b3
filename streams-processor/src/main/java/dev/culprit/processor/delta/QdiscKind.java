package dev.culprit.processor.delta;

import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;
import java.util.function.Function;

/**
 * Qdiscs, matched by device, handle, parent and kind: a qdisc replaced by another kind under the
 * same handle is another entity, a re-added one of the same kind restarts its counters.
 */
final class QdiscKind implements SampleKind<QdiscSample> {

  private static final int[] COUNTERS = CounterFields.of(QdiscStats.getClassSchema());
  private static final Function<QdiscStats, String> ID =
      q -> q.getDevice() + "|" + q.getHandle() + "|" + q.getParent() + "|" + q.getKind();

  @Override
  public Topic<QdiscSample> topic() {
    return Topics.QDISC;
  }

  @Override
  public void toDeltas(QdiscSample previous, QdiscSample current) {
    EntityDeltas.deltaInPlace(
        previous == null ? null : previous.getQdiscs(), current.getQdiscs(), ID, COUNTERS);
  }

  @Override
  public QdiscSample merge(QdiscSample earlier, QdiscSample later) {
    EntityDeltas.mergeInPlace(earlier.getQdiscs(), later.getQdiscs(), ID, COUNTERS);
    return later;
  }
}
