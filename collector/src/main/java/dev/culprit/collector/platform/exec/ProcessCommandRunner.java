package dev.culprit.collector.platform.exec;

import dev.culprit.collector.spi.NoDataException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs commands with {@link ProcessBuilder}: the argument array is passed as is (no shell, so no
 * quoting bugs or injection), the environment is cut down to {@code PATH}, {@code LANG=C} and
 * {@code LC_ALL=C} so tool output is in the format the parsers know, and stdout and stderr are
 * drained concurrently so a chatty stderr can never fill its pipe and block the child.
 */
public final class ProcessCommandRunner implements CommandRunner {

  /**
   * Ceiling per stream: a firewall of a few 100k rules fits, a runaway tool does not eat the heap.
   */
  static final int DEFAULT_MAX_OUTPUT_BYTES = 64 << 20;

  private static final String DEFAULT_PATH =
      "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final Duration DRAIN_AFTER_KILL = Duration.ofSeconds(2);

  /** Daemon threads: a reader stuck on a pipe held open by an orphan never blocks JVM exit. */
  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "culprit-command-reader");
            t.setDaemon(true);
            return t;
          });

  private final int maxOutputBytes;
  private final String path;

  public ProcessCommandRunner() {
    this(DEFAULT_MAX_OUTPUT_BYTES);
  }

  ProcessCommandRunner(int maxOutputBytes) {
    this.maxOutputBytes = maxOutputBytes;
    String inherited = System.getenv("PATH");
    // sbin holds ip, tc, iptables-save: keep it even when the collector was started without it.
    this.path =
        inherited == null || inherited.isBlank() ? DEFAULT_PATH : inherited + ":" + DEFAULT_PATH;
  }

  @Override
  public Result run(List<String> argv, Duration timeout) throws NoDataException, CommandException {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty argv");
    }
    String name = String.join(" ", argv);
    ProcessBuilder builder = new ProcessBuilder(argv);
    builder.environment().clear();
    builder.environment().put("PATH", path);
    builder.environment().put("LANG", "C");
    builder.environment().put("LC_ALL", "C");
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      if (isMissingProgram(e)) {
        throw new NoDataException(argv.get(0) + " is not installed", e);
      }
      throw new CommandException("cannot start " + name + ": " + e.getMessage(), e);
    }
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // the child may already be gone; it simply sees no stdin
    }
    Future<byte[]> stdout = READERS.submit(() -> drain(process.getInputStream()));
    Future<byte[]> stderr = READERS.submit(() -> drain(process.getErrorStream()));
    boolean finished;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      kill(process);
      Thread.currentThread().interrupt();
      throw new CommandException(name + " interrupted", e);
    }
    if (!finished) {
      kill(process);
      String err = text(stderr, process, name);
      throw new CommandException(
          name
              + " timed out after "
              + timeout.toMillis()
              + " ms"
              + (err.isEmpty() ? "" : ": " + err.strip()));
    }
    String out = text(stdout, process, name);
    String err = text(stderr, process, name);
    int exit = process.exitValue();
    if (exit != 0) {
      throw new CommandException(
          name + " exited " + exit + (err.isBlank() ? "" : ": " + err.strip()));
    }
    return new Result(exit, out, err);
  }

  @Override
  public boolean installed(String program) {
    if (program.contains("/")) {
      return Files.isExecutable(Path.of(program));
    }
    for (String dir : path.split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private byte[] drain(InputStream in) throws IOException {
    try (in) {
      ByteArrayOutputStream buffer = new ByteArrayOutputStream(8192);
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        if (buffer.size() + n > maxOutputBytes) {
          throw new IOException("output exceeds " + maxOutputBytes + " bytes");
        }
        buffer.write(chunk, 0, n);
      }
      return buffer.toByteArray();
    }
  }

  private String text(Future<byte[]> stream, Process process, String name) throws CommandException {
    try {
      return new String(
          stream.get(DRAIN_AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
    } catch (ExecutionException e) {
      kill(process);
      throw new CommandException(name + ": " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      // A grandchild still holds the pipe open: give up on the rest of its output.
      stream.cancel(true);
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
  }

  private static boolean isMissingProgram(IOException e) {
    String message = String.valueOf(e.getMessage());
    return message.contains("error=2,") || message.contains("No such file or directory");
  }
}
