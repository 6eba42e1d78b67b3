package dev.culprit.lab.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the lab's helper commands (docker CLI, tar): argv only, no shell, a deadline, stderr kept.
 */
final class HelperCommands {

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
    Path errFile = Files.createTempFile("culprit-lab", ".err");
    Path outFile = Files.createTempFile("culprit-lab", ".out");
    try {
      ProcessBuilder pb =
          new ProcessBuilder(argv)
              .redirectOutput(outFile.toFile())
              .redirectError(errFile.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().put("LANG", "C");
      Process p = pb.start();
      try {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          p.destroyForcibly();
          p.waitFor(5, TimeUnit.SECONDS);
          throw new IOException(String.join(" ", argv) + " timed out after " + timeout);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException("interrupted running " + argv.get(0), e);
      }
      return new Output(
          p.exitValue(),
          Files.readString(outFile, StandardCharsets.UTF_8),
          Files.readString(errFile, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(errFile);
      Files.deleteIfExists(outFile);
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
