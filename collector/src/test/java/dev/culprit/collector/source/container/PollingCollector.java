package dev.culprit.collector.source.container;

import dev.culprit.collector.spi.Header;
import java.time.Duration;
import java.util.UUID;

/** Runs collection cycles like the collector loop until a condition holds or a deadline passes. */
final class PollingCollector {

  /** The pace of the test's cycles: faster than the collector's default, far from busy. */
  private static final long CYCLE_MS = 500;

  interface Cycle {
    /** Collects once with {@code header}; true when the test has seen what it waits for. */
    boolean collect(Header header) throws Exception;
  }

  private PollingCollector() {}

  static void run(Duration deadline, String what, Cycle cycle) throws Exception {
    String collectorId = UUID.randomUUID().toString();
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      long start = System.nanoTime();
      Header header = new Header("test-host", "", System.currentTimeMillis(), collectorId, null);
      if (cycle.collect(header)) {
        return;
      }
      if (System.nanoTime() > end) {
        throw new AssertionError("timed out after " + deadline + " waiting for " + what);
      }
      long spentMs = (System.nanoTime() - start) / 1_000_000;
      Thread.sleep(Math.max(0, CYCLE_MS - spentMs));
    }
  }
}
