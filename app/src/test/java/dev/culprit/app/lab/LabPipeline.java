package dev.culprit.app.lab;

import java.time.Duration;

/**
 * The real culprit pipeline in this JVM against a broker: the collector for this host and every
 * namespace on it, sampling every {@code sampleInterval}, and the processor with {@code window}
 * tumbling windows. The end-to-end tests and the detection-latency bench drive the lab against it.
 */
public interface LabPipeline extends AutoCloseable {

  /** The test settings of issue 5: 1 s sampling, 5 s windows. */
  Duration FAST_SAMPLING = Duration.ofSeconds(1);

  Duration FAST_WINDOW = Duration.ofSeconds(5);

  /**
   * Starts collector and processor; returns once both run.
   *
   * <p>Phase 2 of issue 5: wired when the collector runtime and the processor are on main.
   */
  static LabPipeline start(String bootstrapServers, Duration sampleInterval, Duration window) {
    throw new UnsupportedOperationException(
        "the in-process collector and processor are not on main yet (issue 5, phase 2)");
  }

  @Override
  void close();
}
