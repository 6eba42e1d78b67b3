package dev.culprit.collector.platform.exec;

import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link CommandRunner} for tests that replays output captured from real commands, keyed by the
 * exact argv. An argv it does not know fails the test loudly instead of returning something
 * plausible.
 */
public final class ReplayingCommandRunner implements CommandRunner {

  private final Map<List<String>, Reply> replies = new ConcurrentHashMap<>();
  private final List<List<String>> calls = new CopyOnWriteArrayList<>();
  private final Set<String> missingPrograms = ConcurrentHashMap.newKeySet();

  /** Replays {@code stdout} for {@code argv}. */
  public ReplayingCommandRunner on(List<String> argv, String stdout) {
    replies.put(List.copyOf(argv), new Reply(stdout, null));
    return this;
  }

  /** Replays the content of a classpath resource (a captured fixture) for {@code argv}. */
  public ReplayingCommandRunner onResource(List<String> argv, String resource) {
    return on(argv, resource(resource));
  }

  /** Makes {@code argv} fail as a non-zero exit with this stderr. */
  public ReplayingCommandRunner failing(List<String> argv, String stderr) {
    replies.put(List.copyOf(argv), new Reply(null, stderr));
    return this;
  }

  /** Makes every command whose program (argv[0]) is {@code program} behave as not installed. */
  public ReplayingCommandRunner missing(String program) {
    missingPrograms.add(program);
    return this;
  }

  /** The argvs run so far, in order. */
  public List<List<String>> calls() {
    return new ArrayList<>(calls);
  }

  @Override
  public boolean installed(String program) {
    return !missingPrograms.contains(program);
  }

  @Override
  public Result run(List<String> argv, Duration timeout) throws NoDataException, CommandException {
    calls.add(List.copyOf(argv));
    if (missingPrograms.contains(argv.get(0))) {
      throw new NoDataException(argv.get(0) + " is not installed");
    }
    Reply reply = replies.get(argv);
    if (reply == null) {
      throw new AssertionError("no captured output for " + argv + "; known: " + replies.keySet());
    }
    if (reply.stderr != null) {
      throw new CommandException(String.join(" ", argv) + " exited 1: " + reply.stderr);
    }
    return new Result(0, reply.stdout, "");
  }

  /** Reads a classpath resource as UTF-8. */
  public static String resource(String name) {
    try (var in = ReplayingCommandRunner.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no resource " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Reply(String stdout, String stderr) {}
}
