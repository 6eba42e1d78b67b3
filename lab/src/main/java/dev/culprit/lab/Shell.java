package dev.culprit.lab;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.exec.ToolPath;
import dev.culprit.collector.spi.NoDataException;
import java.time.Duration;
import java.util.List;

/**
 * Runs the lab's short administrative commands ({@code ip}, {@code iptables}, {@code tc}) through
 * the collector's {@link ProcessCommandRunner} (argument arrays, never a shell, {@code LANG=C}, a
 * timeout, capped output, programs from the system directories), keeping the lab's conveniences: a
 * non-zero exit is a result to look at, and failures are {@link LabException}s. Long-running
 * workloads go through {@link DetachedProcesses} instead.
 */
public class Shell {

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private final ProcessCommandRunner runner =
      new ProcessCommandRunner(
          ToolPath.system(),
          ProcessCommandRunner.DEFAULT_MAX_STDOUT_BYTES,
          ProcessCommandRunner.DEFAULT_MAX_STDERR_BYTES);

  /**
   * What a finished command printed.
   *
   * @param exitCode its exit status
   * @param stdout standard output
   * @param stderr standard error
   */
  public record Result(int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  /** Runs {@code argv} and returns whatever it did, failing only when it cannot run at all. */
  public Result run(List<String> argv) {
    return run(argv, DEFAULT_TIMEOUT);
  }

  public Result run(List<String> argv, Duration timeout) {
    try {
      CommandRunner.Result result = runner.execute(argv, timeout);
      return new Result(result.exitCode(), result.stdout(), result.stderr());
    } catch (NoDataException e) {
      throw new LabException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
    } catch (CommandRunner.CommandException e) {
      throw new LabException(e.getMessage(), e);
    }
  }

  /** Runs {@code argv} and fails with its stderr when it exits non-zero. */
  public String check(List<String> argv) {
    Result result = run(argv);
    if (!result.ok()) {
      throw new LabException(
          String.join(" ", argv)
              + " failed (exit "
              + result.exitCode()
              + "): "
              + result.stderr().strip());
    }
    return result.stdout();
  }
}
