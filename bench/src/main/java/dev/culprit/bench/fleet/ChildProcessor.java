package dev.culprit.bench.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@link BenchApp} in its own JVM, with the same class path as this one, so its resident memory
 * is measured apart from the broker and the load generator.
 */
final class ChildProcessor implements AutoCloseable {

  private final Process process;
  private long peakRssKb;

  private ChildProcessor(Process process) {
    this.process = process;
  }

  /**
   * Starts processor group {@code appId} as the bench measures it: the options' heap and Streams
   * overrides, its state and log in their work directory ({@link FleetBench.Options#stateDir},
   * {@link FleetBench.Options#logFile}).
   */
  static ChildProcessor start(
      String mode, String bootstrap, String appId, FleetBench.Options options) throws IOException {
    return start(
        mode,
        bootstrap,
        appId,
        options.stateDir(appId),
        options.heap(),
        options.streamsOverrides(),
        options.logFile(appId),
        List.of());
  }

  /** Starts it, with {@code jvmOptions} before the class path (e.g. a small JIT, a serial GC). */
  static ChildProcessor start(
      String mode,
      String bootstrap,
      String appId,
      Path stateDir,
      String heap,
      String streamsOverrides,
      Path log,
      List<String> jvmOptions)
      throws IOException {
    // Extra JVM options for the measured process only (e.g. a flight recording while profiling).
    String extra = System.getenv().getOrDefault("CULPRIT_BENCH_CHILD_JVM_OPTIONS", "");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx" + heap);
    for (String option : extra.split("\\s+")) {
      if (!option.isBlank()) {
        command.add(option.replace("{appId}", appId));
      }
    }
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(BenchApp.class.getName());
    command.add(mode);
    command.add(bootstrap);
    command.add(appId);
    command.add(stateDir.toString());
    command.add(streamsOverrides);
    Files.createDirectories(stateDir);
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    return new ChildProcessor(builder.start());
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Samples the child's memory: current resident set, in kB (0 once it has exited). */
  long sampleRssKb() {
    long rss = statusField("VmRSS:");
    long hwm = statusField("VmHWM:");
    peakRssKb = Math.max(peakRssKb, Math.max(rss, hwm));
    return rss;
  }

  /** The highest resident set seen (the kernel's high-water mark), kB. */
  long peakRssKb() {
    sampleRssKb();
    return peakRssKb;
  }

  private long statusField(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid()), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // The child exited, or this is not Linux: no sample.
    }
    return 0;
  }

  /** {@code kill -9}: no shutdown hook, no commit, the open transaction left to time out. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGTERM (the child closes Kafka Streams cleanly), then SIGKILL after 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
