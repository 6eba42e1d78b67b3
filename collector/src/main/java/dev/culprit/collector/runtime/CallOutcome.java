package dev.culprit.collector.runtime;

import dev.culprit.collector.records.SourceState;

/**
 * How one call ended.
 *
 * @param key what was called
 * @param state OK, NO_DATA, ERROR, TIMEOUT or SKIPPED
 * @param reason why it was not OK; null when it was
 * @param durationUs how long it ran (until it was abandoned, for a timeout), microseconds
 * @param value what it returned; null unless OK
 * @param <T> the result type
 */
record CallOutcome<T>(CallKey key, SourceState state, String reason, long durationUs, T value) {

  static <T> CallOutcome<T> ok(CallKey key, long durationUs, T value) {
    return new CallOutcome<>(key, SourceState.OK, null, durationUs, value);
  }

  /** This outcome without its value, once the value has been passed on. */
  CallOutcome<T> withoutValue() {
    return value == null ? this : new CallOutcome<>(key, state, reason, durationUs, null);
  }

  static <T> CallOutcome<T> failed(CallKey key, SourceState state, String reason, long durationUs) {
    return new CallOutcome<>(key, state, reason, durationUs, null);
  }
}
