package dev.culprit.lab;

import static org.assertj.core.api.Assertions.assertThat;

import dev.culprit.lab.oracle.DropReasonOracle;
import dev.culprit.lab.oracle.DropReasonTable;
import dev.culprit.schemas.Cause;
import java.time.Duration;
import java.util.Set;

/**
 * The kernel's drop reasons as the lab tests' oracle: a baseline window just before a fault, the
 * fault's window, and the check that the causes named for it explain what the kernel dropped
 * ({@link DropReasonTable#judge}). Where the oracle cannot run (no root, no tracefs, a kernel
 * without the reason field), every check is skipped and the reason printed once, so that the test's
 * own assertions still run.
 */
final class KernelDropReasons implements AutoCloseable {

  /**
   * How long the baseline window lasts: a measurement of the host's other drops, not a wait for a
   * condition. Two seconds of the lab's traffic hold a few hundred requests.
   */
  static final Duration BASELINE = Duration.ofSeconds(2);

  /** How long the fault's window may stay open for the kernel to agree. */
  static final Duration AGREEMENT = Duration.ofSeconds(15);

  private final DropReasonOracle oracle;
  private final String unusable;

  private KernelDropReasons(DropReasonOracle oracle, String unusable) {
    this.oracle = oracle;
    this.unusable = unusable;
  }

  static KernelDropReasons open() {
    try {
      return new KernelDropReasons(DropReasonOracle.open(), null);
    } catch (LabException e) {
      System.out.println("drop-reason oracle skipped: " + e.getMessage());
      return new KernelDropReasons(null, e.getMessage());
    }
  }

  /** Why the oracle is not running, or null when it is. */
  String unusable() {
    return unusable;
  }

  /** Records the baseline window; call it right before injecting the fault. */
  Recording beforeFault() {
    if (oracle == null) {
      return new Recording(null, null);
    }
    DropReasonOracle.Mark start = oracle.mark();
    try {
      Thread.sleep(BASELINE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted during the baseline window", e);
    }
    return new Recording(start, oracle.mark());
  }

  /** A baseline recorded, the fault's window running since its end. */
  final class Recording {
    private final DropReasonOracle.Mark baselineStart;
    private final DropReasonOracle.Mark faultStart;

    private Recording(DropReasonOracle.Mark baselineStart, DropReasonOracle.Mark faultStart) {
      this.baselineStart = baselineStart;
      this.faultStart = faultStart;
    }

    /**
     * Ends the fault's window and asserts that the kernel's drops in it agree with {@code named}:
     * their reasons rose over the baseline, and more than any reason they do not explain.
     */
    void assertExplainedBy(Set<Cause> named) {
      if (oracle == null) {
        return;
      }
      // The window stays open until the kernel agrees or the deadline passes: a fault that has
      // just shown in its counter may have dropped only a packet or two yet.
      long deadline = System.nanoTime() + AGREEMENT.toNanos();
      DropReasonTable.Verdict verdict;
      do {
        DropReasonOracle.Mark end = oracle.mark();
        verdict =
            DropReasonTable.judge(
                named,
                oracle.knownReasons(),
                oracle.between(baselineStart, faultStart),
                oracle.between(faultStart, end));
        if (!verdict.agrees()) {
          LabContext.await(Duration.ofMillis(250), () -> false);
        }
      } while (!verdict.agrees() && System.nanoTime() < deadline);
      // Kept in the surefire output: the README's coverage matrix is read from these lines.
      System.out.println("drop-reason oracle: " + verdict.explanation());
      assertThat(verdict.agrees())
          .as("the kernel's drop reasons agree with %s:%n%s", named, verdict.explanation())
          .isTrue();
    }

    void assertExplainedBy(Cause named) {
      assertExplainedBy(Set.of(named));
    }
  }

  @Override
  public void close() {
    if (oracle != null) {
      oracle.close();
    }
  }
}
