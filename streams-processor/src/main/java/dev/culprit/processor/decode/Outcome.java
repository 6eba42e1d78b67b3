package dev.culprit.processor.decode;

import dev.culprit.schemas.DeadLetter;

/**
 * The result of a step that may fail for one record without stopping the stream: a value, or the
 * dead letter that records why it could not be produced. Streams split on it, so the failures go to
 * {@code culprit.deadletter} and the values go on.
 *
 * @param <V> the value type
 */
public sealed interface Outcome<V> {

  /** A value that goes on downstream. */
  record Ok<V>(V value) implements Outcome<V> {}

  /** A record that goes to the dead-letter topic. */
  record Failed<V>(DeadLetter letter) implements Outcome<V> {}

  static <V> Outcome<V> ok(V value) {
    return new Ok<>(value);
  }

  static <V> Outcome<V> failed(DeadLetter letter) {
    return new Failed<>(letter);
  }

  default boolean isOk() {
    return this instanceof Ok<V>;
  }

  /** The value of an {@link Ok}. */
  default V value() {
    if (this instanceof Ok<V> ok) {
      return ok.value();
    }
    throw new IllegalStateException("not ok: " + this);
  }

  /** The dead letter of a {@link Failed}. */
  default DeadLetter letter() {
    if (this instanceof Failed<V> failed) {
      return failed.letter();
    }
    throw new IllegalStateException("not failed: " + this);
  }
}
