package dev.culprit.schemas;

import java.util.function.Supplier;

/**
 * A value made on first use, once, by double-checked locking; later reads are one volatile read and
 * allocate nothing.
 */
final class Lazy<T> {

  private final Supplier<T> make;
  private volatile T value;

  Lazy(Supplier<T> make) {
    this.make = make;
  }

  T get() {
    T v = value;
    if (v == null) {
      synchronized (this) {
        v = value;
        if (v == null) {
          v = make.get();
          value = v;
        }
      }
    }
    return v;
  }
}
