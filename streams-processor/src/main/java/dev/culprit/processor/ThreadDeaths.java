package dev.culprit.processor;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Counts stream-thread deaths in a sliding window. A thread that died of the environment (a broker
 * unreachable for a while) may be replaced and go on; one that dies again and again within minutes
 * is failing on the same record or state, and replacing it forever is a crash loop that judges no
 * host while looking alive. Past the limit the instance stops with the error instead.
 */
final class ThreadDeaths {

  static final int DEFAULT_MAX_DEATHS = 3;
  static final Duration DEFAULT_WINDOW = Duration.ofMinutes(5);

  private final int maxDeaths;
  private final long windowNanos;
  private final Deque<Long> deaths = new ArrayDeque<>();

  ThreadDeaths(int maxDeaths, Duration window) {
    if (maxDeaths < 1) {
      throw new IllegalArgumentException("maxDeaths must be at least 1, got " + maxDeaths);
    }
    this.maxDeaths = maxDeaths;
    this.windowNanos = window.toNanos();
  }

  /** Records a death at {@code nowNanos}; true when it is one too many for the window. */
  synchronized boolean tooMany(long nowNanos) {
    deaths.addLast(nowNanos);
    while (nowNanos - deaths.peekFirst() > windowNanos) {
      deaths.removeFirst();
    }
    return deaths.size() >= maxDeaths;
  }

  /** How many deaths within the window stop the instance. */
  int maxDeaths() {
    return maxDeaths;
  }

  Duration window() {
    return Duration.ofNanos(windowNanos);
  }
}
