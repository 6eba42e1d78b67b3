package dev.culprit.processor.scenarios;

import dev.culprit.processor.SampleFactory;
import dev.culprit.processor.TopologyHarness;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A golden root-cause scenario: samples piped into the topology, and the exact events expected in
 * {@code src/test/resources/golden/<name>.jsonl} (empty for a near miss).
 *
 * @param name file name of the golden events
 * @param why one line on what the scenario proves
 * @param run pipes the samples and closes the windows
 * @param window the processor's window size (grace 2 s)
 */
public record Scenario(String name, String why, Consumer<TopologyHarness> run, Duration window) {

  /** A scenario at the default 10 s windows. */
  public Scenario(String name, String why, Consumer<TopologyHarness> run) {
    this(name, why, run, Duration.ofMillis(CYCLE_MS));
  }

  /** Window-aligned start: cycles fall 1 s into each 10 s window. */
  public static final long T0 = 1_700_000_001_000L;

  public static final long CYCLE_MS = 10_000;

  /** The sample time of cycle {@code n}. */
  public static long cycle(int n) {
    return T0 + n * CYCLE_MS;
  }

  /** A time that closes every window up to and including cycle {@code n}'s (10 s + 2 s grace). */
  public static long closing(int n) {
    return cycle(n) + CYCLE_MS + 2_000;
  }

  /**
   * A scenario of one host's samples in two cycles, then every window closed: cycle 0 is the
   * baseline, cycle 1 the window the rules judge.
   *
   * @param samples pipes cycle {@code c}'s samples, made by a factory already set to that cycle
   */
  static Scenario twoCycles(String name, String why, String host, CycleSamples samples) {
    return new Scenario(
        name,
        why,
        h -> {
          SampleFactory f = new SampleFactory(host, cycle(0));
          for (int c = 0; c < 2; c++) {
            f.at(cycle(c));
            samples.pipe(h, f, c);
          }
          h.advanceTo(closing(1));
        });
  }

  /** What a {@link #twoCycles} scenario pipes in cycle {@code c}. */
  @FunctionalInterface
  interface CycleSamples {
    void pipe(TopologyHarness h, SampleFactory f, int c);
  }

  @Override
  public String toString() {
    return name;
  }
}
