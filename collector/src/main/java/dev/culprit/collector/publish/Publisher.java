package dev.culprit.collector.publish;

import dev.culprit.collector.spi.Sample;
import java.time.Duration;
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
}
