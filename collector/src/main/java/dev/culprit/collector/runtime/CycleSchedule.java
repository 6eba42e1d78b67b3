package dev.culprit.collector.runtime;

/**
 * When cycles run: on wall-clock multiples of the interval (12:00:00, 12:00:05, ...), so every host
 * of a fleet samples at the same instants and their samples fall into the same windows.
 */
final class CycleSchedule {

  private CycleSchedule() {}

  /** The first multiple of {@code intervalMs} strictly after {@code nowMs}. */
  static long nextTick(long nowMs, long intervalMs) {
    return (Math.floorDiv(nowMs, intervalMs) + 1) * intervalMs;
  }

  /** Ticks between {@code previousTick} and {@code nextTick} that did not run. */
  static long missedTicks(long previousTick, long nextTick, long intervalMs) {
    return Math.max(0, (nextTick - previousTick) / intervalMs - 1);
  }
}
