package dev.culprit.collector.platform.exec;

import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.TooLargeException;
import java.time.Duration;
import java.util.List;

/**
 * Runs an external command (tc, iptables-save, nsenter, ip): argument arrays only, never a shell,
 * {@code LANG=C}, a timeout, stderr kept. Tests inject a fake that replays captured output.
 */
public interface CommandRunner {

  /**
   * Runs {@code argv} and waits at most {@code timeout}.
   *
   * @throws NoDataException when the program does not exist on this host
   * @throws CommandException when it times out, cannot start, or exits non-zero
   */
  Result run(List<String> argv, Duration timeout) throws NoDataException, CommandException;

  /**
   * Whether {@code program} would be found, without running it. Runners that cannot tell say yes:
   * running it then answers with {@link NoDataException}.
   */
  default boolean installed(String program) {
    return true;
  }

  /**
   * What a finished command printed.
   *
   * @param exitCode its exit status
   * @param stdout standard output, UTF-8
   * @param stderr standard error, UTF-8
   */
  record Result(int exitCode, String stdout, String stderr) {}

  /** A command that could not run to a successful end; the message names it and says why. */
  class CommandException extends Exception {
    public CommandException(String message) {
      super(message);
    }

    public CommandException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * A command that printed more than the runner's cap; it was killed. The cause is the {@link
   * TooLargeException}, which the collector reports as NO_DATA with this message.
   */
  final class OutputTooLargeException extends CommandException {
    public OutputTooLargeException(TooLargeException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
