package dev.culprit.collector.runtime;

import dev.culprit.collector.publish.Publisher;
import dev.culprit.collector.publish.PublisherStats;
import dev.culprit.collector.spi.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Keeps every published cycle in memory; reports the stats it is given. */
final class RecordingPublisher implements Publisher {

  private final List<List<Sample>> cycles = new ArrayList<>();
  private PublisherStats stats = PublisherStats.NONE;
  private boolean closed;

  @Override
  public synchronized void publish(List<Sample> samples) {
    cycles.add(List.copyOf(samples));
    notifyAll();
  }

  @Override
  public synchronized PublisherStats stats() {
    return stats;
  }

  synchronized void setStats(PublisherStats stats) {
    this.stats = stats;
  }

  @Override
  public boolean flush(Duration timeout) {
    return true;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }

  synchronized boolean closed() {
    return closed;
  }

  synchronized List<List<Sample>> cycles() {
    return List.copyOf(cycles);
  }

  /** Waits until {@code count} cycles were published or {@code timeout} passed. */
  synchronized List<List<Sample>> awaitCycles(int count, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cycles.size() < count) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return List.copyOf(cycles);
  }
}
