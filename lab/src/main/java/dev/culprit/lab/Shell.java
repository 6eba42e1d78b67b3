package dev.culprit.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs the lab's short administrative commands ({@code ip}, {@code iptables}, {@code tc}): argument
 * arrays, never a shell, {@code LANG=C} so outputs parse the same everywhere, a timeout, and stderr
 * kept for the error message. Long-running workloads go through {@link DetachedProcesses} instead.
 */
public class Shell {

  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  // Blocking pipe reads need their own threads: the common pool has one thread on a 2-core host,
  // and a command filling its stderr pipe while stdout is drained first would hang there.
  private static final ExecutorService DRAINERS =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "culprit-lab-shell");
            thread.setDaemon(true);
            return thread;
          });

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
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().put("LANG", "C");
    builder.environment().put("LC_ALL", "C");
    builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new LabException("cannot run " + String.join(" ", argv) + ": " + e.getMessage(), e);
    }
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new LabException(
            String.join(" ", argv) + " did not finish within " + timeout.toSeconds() + " s");
      }
      return new Result(process.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new LabException("interrupted while running " + String.join(" ", argv), e);
    } catch (ExecutionException e) {
      throw new LabException("cannot read the output of " + String.join(" ", argv), e);
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

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            stream.transferTo(buffer);
            return buffer.toString(StandardCharsets.UTF_8);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        DRAINERS);
  }
}
