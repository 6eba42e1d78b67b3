package dev.culprit.collector.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The agent's worker threads: cycle after cycle the same few threads run the source calls, so the
 * thread count (and the stacks' memory) stays at the concurrency limit instead of growing with
 * every moment a just-finished thread was not yet back at the queue.
 */
class TimedCallsThreadsTest {

  @Test
  void cyclesOfQuickCallsReuseAboutAsManyThreadsAsRunAtOnce() throws Exception {
    Set<String> threads = new HashSet<>();
    try (TimedCalls calls = new TimedCalls(4, Instant::now)) {
      for (int cycle = 0; cycle < 300; cycle++) {
        List<TimedCalls.Call<String>> batch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
          batch.add(
              new TimedCalls.Call<>(
                  new CallKey("s" + i, ""),
                  () -> {
                    LockSupport.parkNanos(100_000); // a source call's read or dump
                    return Thread.currentThread().getName();
                  }));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        for (CallOutcome<String> o : calls.runAll(batch, Duration.ofSeconds(5), deadline)) {
          threads.add(o.value());
        }
      }
    }
    // 4 at a time; a thread descheduled for longer than the hand-off wait may add one now and
    // then on a loaded machine, never one per race.
    assertThat(threads).hasSizeLessThanOrEqualTo(5);
  }
}
