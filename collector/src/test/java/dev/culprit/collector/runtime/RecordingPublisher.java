package dev.culprit.collector.runtime;

import dev.culprit.collector.publish.Publisher;
import dev.culprit.collector.publish.PublisherStats;
import dev.culprit.collector.spi.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Keeps every published cycle in memory; reports the stats it is given. */
final class RecordingPublisher implements Publisher {

  private final List<List<Sample>> cycles = new ArrayList<>();
  private final List<List<Sample>> handedOver = new ArrayList<>();
  private Consumer<List<Sample>> onAdd = samples -> {};
  private PublisherStats stats = PublisherStats.NONE;
  private boolean closed;

  @Override
  public synchronized void publish(List<Sample> samples) {
    cycles.add(List.copyOf(samples));
    notifyAll();
  }

  /** Records each part of a cycle as it is handed over, then publishes the cycle in one go. */
  @Override
  public Cycle startCycle() {
    Cycle held = Publisher.super.startCycle();
    return new Cycle() {
      @Override
      public void add(List<Sample> samples) {
        Consumer<List<Sample>> hook;
        synchronized (RecordingPublisher.this) {
          handedOver.add(List.copyOf(samples));
          hook = onAdd;
        }
        hook.accept(samples);
        held.add(samples);
      }

      @Override
      public void publish(List<Sample> last) {
        held.publish(last);
      }

      @Override
      public void abandon() {
        held.abandon();
      }
    };
  }

  /** Called with every part of a cycle handed over, on the thread that hands it over. */
  synchronized void onAdd(Consumer<List<Sample>> hook) {
    this.onAdd = hook;
  }

  /** The parts of cycles handed over so far, in order. */
  synchronized List<List<Sample>> handedOver() {
    return List.copyOf(handedOver);
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
