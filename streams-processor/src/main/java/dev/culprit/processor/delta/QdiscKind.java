package dev.culprit.processor.delta;

import dev.culprit.schemas.QdiscSample;
import dev.culprit.schemas.QdiscStats;
import dev.culprit.schemas.Topics;

/**
 * Qdiscs, matched by device, handle, parent and kind: a qdisc replaced by another kind under the
 * same handle is another entity, a re-added one of the same kind restarts its counters.
 */
final class QdiscKind extends EntityListKind<QdiscSample, QdiscStats> {

  QdiscKind() {
    super(
        Topics.QDISC,
        QdiscSample::getQdiscs,
        QdiscStats.getClassSchema(),
        q -> q.getDevice() + "|" + q.getHandle() + "|" + q.getParent() + "|" + q.getKind());
  }
}
