package dev.culprit.collector.publish;

import dev.culprit.collector.spi.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the collector's records go: Kafka (through the on-disk spool) or JSON lines on stdout. A
 * publisher stamps each record's {@code seq}: per topic, strictly increasing for the life of the
 * publisher (one collector instance), starting at 1; a gap means records were lost.
 */
public interface Publisher extends AutoCloseable {

  /**
   * Takes one cycle's records, in order. Never waits for the network. A record that cannot be
   * encoded or is too large is logged, counted as rejected and skipped; the others still go.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  void publish(List<Sample> samples);

  /**
   * Starts a cycle whose records are handed over as they are made ({@link Cycle#add}), in order,
   * and which ends with its last records ({@link Cycle#publish}). Readers see the records as one
   * {@link #publish} of all of them in that order would give them: every topic in {@code seq}
   * order, each record once, a type's schema before its first record. A publisher may encode and
   * store each part at once, so the cycle's samples need not outlive their part of it. A cycle is
   * driven by one thread.
   *
   * <p>This default holds the samples and publishes them with one {@link #publish}.
   */
  default Cycle startCycle() {
    return new HeldCycle(this);
  }

  /** Delivery and spool counters for the collector's health record. */
  PublisherStats stats();

  /**
   * Waits until everything published so far is delivered.
   *
   * @return true when it is, false when {@code timeout} passed first
   */
  boolean flush(Duration timeout) throws InterruptedException;

  /** Delivers what it can promptly, keeps the rest for the next start, and releases resources. */
  @Override
  void close();

  /**
   * One cycle's records on their way to the publisher. Ends once, by {@link #publish} or {@link
   * #abandon}; nothing can be added after.
   */
  interface Cycle {

    /**
     * Adds records to the cycle, after those added before. A record that cannot be encoded or is
     * too large is logged, counted as rejected and skipped, as by {@link Publisher#publish}.
     *
     * @throws IllegalStateException after the cycle ended, or the publisher closed
     */
    void add(List<Sample> samples);

    /**
     * Ends the cycle (also when it throws): publishes what was added, followed by {@code last}.
     *
     * @throws IllegalStateException after the cycle ended, or the publisher closed
     */
    void publish(List<Sample> last);

    /**
     * Ends the cycle without its last records. What was added is either on its way already (a
     * publisher that stores each part at once) or dropped (one that holds the parts); either way no
     * record goes twice and no {@code seq} is skipped. Nothing after the cycle ended.
     */
    void abandon();
  }

  /** {@link Publisher#startCycle()}'s default: the samples held until one publish. */
  final class HeldCycle implements Cycle {
    private final Publisher publisher;
    private List<Sample> held = new ArrayList<>();

    HeldCycle(Publisher publisher) {
      this.publisher = publisher;
    }

    @Override
    public void add(List<Sample> samples) {
      open().addAll(samples);
    }

    @Override
    public void publish(List<Sample> last) {
      List<Sample> all = open();
      all.addAll(last);
      held = null;
      publisher.publish(all);
    }

    @Override
    public void abandon() {
      held = null;
    }

    private List<Sample> open() {
      if (held == null) {
        throw new IllegalStateException("the cycle has ended");
      }
      return held;
    }
  }
}
