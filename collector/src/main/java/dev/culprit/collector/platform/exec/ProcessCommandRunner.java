package dev.culprit.collector.platform.exec;

import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.TooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs commands with {@link ProcessBuilder}: the argument array is passed as is (no shell, so no
 * quoting bugs or injection), the program is resolved in the {@link ToolPath} (never the inherited
 * {@code PATH}), the environment is cut down to that {@code PATH}, {@code LANG=C} and {@code
 * LC_ALL=C} so tool output is in the format the parsers know, and stdout and stderr are drained
 * concurrently so a chatty stderr can never fill its pipe and block the child.
 *
 * <p>Each stream is capped: past the cap the child is killed and the run fails with {@link
 * OutputTooLargeException}, so a firewall of a million rules costs the agent one NO_DATA cycle, not
 * its heap.
 */
public final class ProcessCommandRunner implements CommandRunner {

  /**
   * Ceiling for stdout. {@code iptables-save -c} of 50,000 rules is 5.1 MB; {@code nft -j list
   * ruleset} of the same rules 20 MB, too large to parse in the agent's heap anyway.
   */
  public static final int DEFAULT_MAX_STDOUT_BYTES = 16 << 20;

  /** Ceiling for stderr: warnings and an error message, never data. */
  public static final int DEFAULT_MAX_STDERR_BYTES = 1 << 20;

  private static final Duration DRAIN_AFTER_KILL = Duration.ofSeconds(2);
  private static final int CHUNK = 8192;

  /** Daemon threads: a reader stuck on a pipe held open by an orphan never blocks JVM exit. */
  private static final ExecutorService READERS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "culprit-command-reader");
            t.setDaemon(true);
            return t;
          });

  private final ToolPath tools;
  private final int maxStdoutBytes;
  private final int maxStderrBytes;

  /** The system tool path; resolves and logs the collector's tools now. */
  public ProcessCommandRunner() {
    this(ToolPath.system());
  }

  /** {@code tools}; resolves and logs the collector's tools now. */
  public ProcessCommandRunner(ToolPath tools) {
    this(tools, DEFAULT_MAX_STDOUT_BYTES, DEFAULT_MAX_STDERR_BYTES);
    tools.resolveAll(ToolPath.COLLECTOR_TOOLS);
  }

  /** {@code tools} and explicit caps, without resolving (and logging) the collector's tools. */
  public ProcessCommandRunner(ToolPath tools, int maxStdoutBytes, int maxStderrBytes) {
    this.tools = tools;
    this.maxStdoutBytes = maxStdoutBytes;
    this.maxStderrBytes = maxStderrBytes;
  }

  @Override
  public Result run(List<String> argv, Duration timeout) throws NoDataException, CommandException {
    Result result = execute(argv, timeout);
    if (result.exitCode() != 0) {
      throw new CommandException(
          String.join(" ", argv)
              + " exited "
              + result.exitCode()
              + (result.stderr().isBlank() ? "" : ": " + result.stderr().strip()));
    }
    return result;
  }

  /**
   * Runs {@code argv} to its end whatever its exit status (callers that treat some non-zero exits
   * as answers, such as the lab's administrative commands).
   *
   * @throws NoDataException when the program is not in the tool path
   * @throws CommandException when it cannot start, times out (it is then killed), or prints more
   *     than its cap ({@link OutputTooLargeException}, it is then killed)
   */
  public Result execute(List<String> argv, Duration timeout)
      throws NoDataException, CommandException {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("empty argv");
    }
    String name = String.join(" ", argv);
    Optional<java.nio.file.Path> program = tools.resolve(argv.get(0));
    if (program.isEmpty()) {
      throw new NoDataException(argv.get(0) + " is not installed (looked in " + tools + ")");
    }
    List<String> command = new ArrayList<>(argv);
    command.set(0, program.get().toString());
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().put("PATH", tools.asPathVariable());
    builder.environment().put("LANG", "C");
    builder.environment().put("LC_ALL", "C");
    builder.redirectInput(ProcessBuilder.Redirect.PIPE);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new CommandException("cannot start " + name + ": " + e.getMessage(), e);
    }
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // the child may already be gone; it simply sees no stdin
    }
    Future<byte[]> stdout =
        READERS.submit(() -> drain(process.getInputStream(), maxStdoutBytes, process, name));
    Future<byte[]> stderr =
        READERS.submit(
            () -> drain(process.getErrorStream(), maxStderrBytes, process, name + " (stderr)"));
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
    return new Result(process.exitValue(), out, err);
  }

  @Override
  public boolean installed(String program) {
    return tools.resolve(program).isPresent();
  }

  /** The directories programs are resolved in. */
  public ToolPath tools() {
    return tools;
  }

  /**
   * Reads to EOF into one array that grows only as needed (no second copy as with a
   * ByteArrayOutputStream); past {@code max} bytes the child is killed.
   */
  private static byte[] drain(InputStream in, int max, Process process, String name)
      throws IOException {
    try (in) {
      byte[] buffer = new byte[CHUNK];
      int length = 0;
      while (true) {
        if (length == buffer.length) {
          if (buffer.length > max) {
            kill(process);
            throw new TooLargeException("the output of " + name, max);
          }
          buffer = Arrays.copyOf(buffer, (int) Math.min((long) buffer.length * 2, max + 1L));
        }
        int n = in.read(buffer, length, buffer.length - length);
        if (n < 0) {
          return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
        }
        length += n;
        if (length > max) {
          kill(process);
          throw new TooLargeException("the output of " + name, max);
        }
      }
    }
  }

  private String text(Future<byte[]> stream, Process process, String name) throws CommandException {
    try {
      return new String(
          stream.get(DRAIN_AFTER_KILL.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
    } catch (ExecutionException e) {
      kill(process);
      if (e.getCause() instanceof TooLargeException tooLarge) {
        throw new OutputTooLargeException(tooLarge);
      }
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
}
