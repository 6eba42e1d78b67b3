package dev.culprit.processor.delta;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the records that the tumbling-window aggregate right after a {@link DeltaProcessor} will
 * drop as late, by applying the aggregate's own test to the records on their way to it: the
 * aggregate keeps the largest timestamp it has seen, and drops a record whose window ended a grace
 * period or more before that. Each sample kind feeds its own aggregate node (one per cogrouped
 * stream), and the delta processor forwards every record with its timestamp unchanged, so tracking
 * the largest timestamp here sees exactly what that node sees. Kafka Streams' task-level {@code
 * dropped-records-total} lumps these with every other drop of the task.
 *
 * <p>One instance per processor instance (per task), like the aggregate's own stream time.
 */
public final class LateRecords {

  private final long sizeMs;
  private final long graceMs;
  private final LongAdder late;
  private long observedMs = Long.MIN_VALUE;

  /**
   * @param size the window size of the aggregate
   * @param grace its grace period
   * @param late where to count
   */
  public LateRecords(Duration size, Duration grace, LongAdder late) {
    this.sizeMs = size.toMillis();
    this.graceMs = grace.toMillis();
    this.late = late;
  }

  /** Sees one record on its way to the aggregate; true (and counted) when it will be dropped. */
  public boolean see(long timestampMs) {
    observedMs = Math.max(observedMs, timestampMs);
    long windowEnd = timestampMs - Math.floorMod(timestampMs, sizeMs) + sizeMs;
    if (windowEnd <= observedMs - graceMs) {
      late.increment();
      return true;
    }
    return false;
  }
}
