package dev.culprit.collector.testing;

import java.time.Duration;
import java.util.function.Supplier;

/** Polls a condition until it holds or a deadline passes: synchronisation for tests, not sleeps. */
public final class Poll {

  private Poll() {}

  /** Returns the first non-null value {@code probe} yields, or fails after {@code timeout}. */
  public static <T> T until(Duration timeout, String what, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  /** Waits until {@code condition} is true. */
  public static void untilTrue(Duration timeout, String what, Supplier<Boolean> condition) {
    until(timeout, what, () -> condition.get() ? Boolean.TRUE : null);
  }
}
