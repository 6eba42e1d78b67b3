package dev.culprit.lab.container;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.exec.ProcessCommandRunner;
import dev.culprit.collector.platform.exec.ToolPath;
import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Runs the lab's helper commands (docker CLI, tar) through the collector's runner: argv only, no
 * shell, a deadline, stderr kept.
 */
final class HelperCommands {

  /**
   * The collector's runner (capped output, no shell, {@code LANG=C}); the docker CLI is often
   * installed in {@code /usr/local/bin}, so the lab's tool path has the local directories too.
   */
  private static final ProcessCommandRunner RUNNER =
      new ProcessCommandRunner(
          ToolPath.of("/usr/local/sbin:/usr/local/bin:" + ToolPath.DEFAULT),
          ProcessCommandRunner.DEFAULT_MAX_STDOUT_BYTES,
          ProcessCommandRunner.DEFAULT_MAX_STDERR_BYTES);

  private HelperCommands() {}

  /** What a finished command printed. */
  record Output(int exitCode, String stdout, String stderr) {}

  /**
   * Runs {@code argv} to completion.
   *
   * @throws IOException when it cannot start, times out (it is then killed), or exits non-zero
   */
  static String run(List<String> argv, Duration timeout) throws IOException {
    Output out = runAllowingFailure(argv, timeout);
    if (out.exitCode() != 0) {
      throw new IOException(
          String.join(" ", argv) + " exited " + out.exitCode() + ": " + out.stderr().trim());
    }
    return out.stdout();
  }

  static Output runAllowingFailure(List<String> argv, Duration timeout) throws IOException {
    try {
      CommandRunner.Result result = RUNNER.execute(argv, timeout);
      return new Output(result.exitCode(), result.stdout(), result.stderr());
    } catch (NoDataException e) {
      throw new IOException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
    } catch (CommandRunner.CommandException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  /** Whether {@code program} is an executable on PATH (or an absolute path). */
  static boolean onPath(String program) {
    if (program.startsWith("/")) {
      return Files.isExecutable(Path.of(program));
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : (path + ":/usr/local/sbin:/usr/sbin:/sbin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
