package dev.culprit.processor.delta;

import dev.culprit.schemas.DropReasonCount;
import dev.culprit.schemas.DropReasonSample;
import dev.culprit.schemas.Topic;
import dev.culprit.schemas.Topics;

/**
 * The kernel's drop reasons on a host ({@code --drop-reasons}): the total and the sampled records
 * are counters of the sample itself, the per-reason counts counters of entities matched by the
 * reason's name. A total that went down is a collector restarted under the same id (its counters
 * start at 0 with its instance): then no field of the sample gives a delta, never a negative one.
 */
final class DropReasonKind implements SampleKind<DropReasonSample> {

  private static final int[] REASON_COUNTERS = CounterFields.of(DropReasonCount.getClassSchema());

  @Override
  public Topic<DropReasonSample> topic() {
    return Topics.DROP_REASONS;
  }

  @Override
  public void toDeltas(DropReasonSample previous, DropReasonSample current) {
    boolean continued =
        previous != null
            && !decreased(previous.getDrops(), current.getDrops())
            && !decreased(previous.getSampled(), current.getSampled());
    Long drops = current.getDrops();
    Long sampled = current.getSampled();
    current.setDrops(continued ? minus(drops, previous.getDrops()) : null);
    current.setSampled(continued ? minus(sampled, previous.getSampled()) : null);
    EntityDeltas.deltaInPlace(
        continued ? previous.getReasons() : null,
        current.getReasons(),
        r -> r.getReason().toString(),
        REASON_COUNTERS);
  }

  @Override
  public DropReasonSample merge(DropReasonSample earlier, DropReasonSample later) {
    later.setDrops(sum(earlier.getDrops(), later.getDrops()));
    later.setSampled(sum(earlier.getSampled(), later.getSampled()));
    EntityDeltas.mergeInPlace(
        earlier.getReasons(), later.getReasons(), r -> r.getReason().toString(), REASON_COUNTERS);
    return later;
  }

  private static boolean decreased(Long before, Long after) {
    return before != null && after != null && after < before;
  }

  private static Long minus(Long after, Long before) {
    return after == null || before == null ? null : after - before;
  }

  private static Long sum(Long a, Long b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : a + b;
  }
}
