package dev.culprit.collector.source.dropreason;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.ParseException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private ftrace instance recording {@code skb:kfree_skb} into a small ring per CPU: the kernel's
 * reason for each packet it drops, at a cost that does not grow with the drop rate.
 *
 * <p>Why an instance of its own ({@code instances/culprit-dropreasons-PIDNS-PID-START}): the global
 * buffer and other tracing users (an operator's {@code perf}, the lab's oracle) are not disturbed,
 * and removing the directory removes everything it turned on. Its name carries the process id and
 * start time, so that a later start can tell an instance left by a killed collector (its process
 * gone, or the id now another process's) and remove it; and the pid namespace (its inode) those are
 * ids in, because tracefs is the host's: an agent in another pid namespace (a container) cannot see
 * the owner of an instance, and must not take it for a dead one.
 *
 * <p>Why a small ring that is read and reset each cycle rather than a pipe read as records come:
 * the ring overwrites its oldest records when full, and counts them ({@code overrun} in each CPU's
 * {@code stats}), so the number of drops is exact however many there were, while the records read —
 * their reasons — are at most the ring's size per cycle, a sample. Reading costs the same at
 * 100,000 drops a second as at 1,000; the sample is smaller relative to the drops instead. The
 * kernel writes each record in the context of whatever dropped the packet, which the agent's own
 * CPU time does not show.
 *
 * <p>Records with reason {@code NOT_SPECIFIED} are filtered out in the kernel: every caller that
 * gives no reason uses it, drops or not, so it is no evidence, and on a busy host it would crowd
 * the others out of the sample.
 */
final class KfreeSkbInstance implements AutoCloseable {

  /** The per-CPU ring size: about 190 records a CPU (a record takes about 40 bytes). */
  static final long BUFFER_KB = 8;

  static final String PREFIX = "culprit-dropreasons-";
  static final String EVENT = "events/skb/kfree_skb";
  private static final Pattern NAME =
      Pattern.compile(Pattern.quote(PREFIX) + "(\\d+)-(\\d+)-(\\d+)");
  private static final Pattern PID_NS = Pattern.compile("pid:\\[(\\d+)\\]");
  private static final Pattern CPU = Pattern.compile("cpu(\\d+)");
  private static final Duration MOUNT_TIMEOUT = Duration.ofSeconds(5);

  private final Path instance;

  /**
   * Each CPU's ring {@code stats}, by CPU number (as the listing's {@code [NNN]} field names it).
   */
  private final Map<Integer, Path> cpuStats;

  /** Package-private for tests, which give it a directory laid out like an instance. */
  KfreeSkbInstance(Path instance, Map<Integer, Path> cpuStats) {
    this.instance = instance;
    this.cpuStats = cpuStats;
  }

  /**
   * Finds (or mounts) tracefs, removes instances a killed collector left, and starts recording.
   *
   * @param sysRoot the host's sysfs, where tracefs is mounted or can be
   * @param runner runs {@code mount} when tracefs is not mounted yet; null: never mount
   * @throws NoDataException saying why recording is impossible here (no tracefs and none mountable,
   *     no privileges, a kernel without the tracepoint's reason)
   */
  static KfreeSkbInstance open(Path sysRoot, CommandRunner runner) throws NoDataException {
    Path tracefs = tracefs(sysRoot, runner);
    Path format = tracefs.resolve(EVENT + "/format");
    String formatText;
    try {
      formatText = Files.readString(format);
    } catch (IOException e) {
      throw new NoDataException("cannot read " + format + ": " + e.getMessage());
    }
    if (!KfreeSkbTraceParser.hasReason(formatText)) {
      throw new NoDataException(
          "the kernel's skb:kfree_skb tracepoint has no reason field (kernels before 5.17)");
    }
    long pidNs = ownPidNamespace();
    removeStale(tracefs.resolve("instances"), pidNs);
    ProcessHandle self = ProcessHandle.current();
    Path instance = tracefs.resolve("instances").resolve(name(pidNs, self.pid(), startOf(self)));
    try {
      if (Files.isDirectory(instance)) {
        // This very process opened it before without closing (a source built twice).
        Files.delete(instance);
      }
      Files.createDirectory(instance);
    } catch (IOException e) {
      throw new NoDataException(
          "cannot create the ftrace instance " + instance + " (needs root): " + e.getMessage());
    }
    try {
      Map<Integer, Path> stats = new TreeMap<>();
      try (DirectoryStream<Path> cpus =
          Files.newDirectoryStream(instance.resolve("per_cpu"), "cpu*")) {
        for (Path cpu : cpus) {
          Matcher number = CPU.matcher(cpu.getFileName().toString());
          if (number.matches()) {
            stats.put(Integer.parseInt(number.group(1)), cpu.resolve("stats"));
          }
        }
      }
      Files.writeString(instance.resolve("buffer_size_kb"), Long.toString(BUFFER_KB));
      // Listing the ring must not pause recording: drops during the read would go uncounted.
      writeIfPresent(instance.resolve("options/pause-on-trace"), "0");
      Integer notSpecified = notSpecified(KfreeSkbTraceParser.reasonNames(formatText));
      if (notSpecified != null) {
        Files.writeString(instance.resolve(EVENT + "/filter"), "reason != " + notSpecified);
      }
      Files.writeString(instance.resolve(EVENT + "/enable"), "1");
      return new KfreeSkbInstance(instance, Map.copyOf(stats));
    } catch (IOException | RuntimeException e) {
      remove(instance);
      throw new NoDataException("cannot set up " + instance + ": " + e);
    }
  }

  private static Integer notSpecified(Map<Integer, String> names) {
    return names.entrySet().stream()
        .filter(e -> e.getValue().equals("NOT_SPECIFIED"))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(null);
  }

  /**
   * What one cycle read, per CPU: the records each ring took since the last reset, and the reasons
   * of those it kept.
   */
  record Cycle(Map<Integer, Long> recordedByCpu, Map<Integer, Map<String, Long>> sampledByCpu) {

    /** The records read, by reason, over all CPUs. */
    Map<String, Long> sampled() {
      return KfreeSkbTraceParser.sum(sampledByCpu);
    }

    /**
     * The records taken over all CPUs. A record kept is a record taken: more read on a CPU than
     * counted is a record the reset and the count disagree on (taken just after the count), and
     * counts as taken.
     */
    long taken() {
      long taken = 0;
      Set<Integer> cpus = new TreeSet<>(recordedByCpu.keySet());
      cpus.addAll(sampledByCpu.keySet());
      for (int cpu : cpus) {
        taken += takenOn(cpu);
      }
      return taken;
    }

    /**
     * The drops each reason stands for: each CPU's records scaled by that CPU's taken / read. The
     * rings are per CPU, so one global factor would let a flood on one CPU inflate a rare reason
     * that another CPU's ring kept whole.
     */
    Map<String, Double> estimated() {
      Map<String, Double> estimated = new TreeMap<>();
      sampledByCpu.forEach(
          (cpu, counts) -> {
            long read = counts.values().stream().mapToLong(Long::longValue).sum();
            double scale = read == 0 ? 0 : (double) takenOn(cpu) / read;
            counts.forEach((reason, n) -> estimated.merge(reason, n * scale, Double::sum));
          });
      return estimated;
    }

    private long takenOn(int cpu) {
      long read =
          sampledByCpu.getOrDefault(cpu, Map.of()).values().stream()
              .mapToLong(Long::longValue)
              .sum();
      return Math.max(recordedByCpu.getOrDefault(cpu, 0L), read);
    }
  }

  /**
   * Lists the ring, counts what it took, and resets it. The listing comes first, so that what was
   * sampled is part of what is counted; what the kernel records between the count and the reset,
   * microseconds later, is neither. The ring is reset even when the listing or a count cannot be
   * parsed: a record that fails once would otherwise fail every later cycle too.
   */
  Cycle readAndReset() throws IOException, ParseException {
    try {
      Map<Integer, Map<String, Long>> sampled = list(instance.resolve("trace"));
      Map<Integer, Long> recorded = new TreeMap<>();
      for (Map.Entry<Integer, Path> stats : cpuStats.entrySet()) {
        Path file = stats.getValue();
        recorded.put(
            stats.getKey(), KfreeSkbTraceParser.recorded(file.toString(), Files.readString(file)));
      }
      return new Cycle(recorded, sampled);
    } finally {
      // Opening "trace" for writing with O_TRUNC empties the instance's rings and their counts.
      try (OutputStream reset =
          Files.newOutputStream(
              instance.resolve("trace"),
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        reset.flush();
      }
    }
  }

  /**
   * The records of a {@code trace} listing by CPU and reason, streamed a line at a time and
   * decoding every byte (ISO-8859-1): each record starts with the task's name as raw bytes, which
   * any user can set to bytes that are not UTF-8.
   */
  static Map<Integer, Map<String, Long>> list(Path trace) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(trace, StandardCharsets.ISO_8859_1)) {
      return KfreeSkbTraceParser.reasonsByCpu(reader);
    }
  }

  Path path() {
    return instance;
  }

  /** Turns the tracepoint off and removes the instance. */
  @Override
  public void close() {
    try {
      Files.writeString(instance.resolve(EVENT + "/enable"), "0");
    } catch (IOException e) {
      // Removing the instance below turns it off as well.
    }
    remove(instance);
  }

  static String name(long pidNs, long pid, long startMillis) {
    return PREFIX + pidNs + "-" + pid + "-" + startMillis;
  }

  /**
   * The inode of this process's pid namespace ({@code /proc/self/ns/pid} links to {@code
   * pid:[INODE]}), or 0 when it cannot be read: then only instances named with 0 are this process's
   * to judge.
   */
  static long ownPidNamespace() {
    try {
      String link = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
      Matcher inode = PID_NS.matcher(link);
      return inode.matches() ? Long.parseLong(inode.group(1)) : 0;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return 0;
    }
  }

  private static long startOf(ProcessHandle process) {
    return process.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L);
  }

  /**
   * Removes the instances of collectors that are gone: a {@code kill -9} leaves its instance
   * recording (into a ring of a few KiB per CPU) until someone removes it. An instance is stale
   * when its process id is not running, or is running with another start time (the id reused). Only
   * instances of this process's pid namespace are judged: another namespace's ids mean nothing
   * here, and their owner may well be alive.
   *
   * @param pidNs the inode of this process's pid namespace ({@link #ownPidNamespace})
   */
  static List<Path> removeStale(Path instances, long pidNs) {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(instances)) {
      return removed;
    }
    try (DirectoryStream<Path> all = Files.newDirectoryStream(instances, PREFIX + "*")) {
      for (Path dir : all) {
        Matcher m = NAME.matcher(dir.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        if (Long.parseLong(m.group(1)) != pidNs) {
          continue;
        }
        long pid = Long.parseLong(m.group(2));
        long start = Long.parseLong(m.group(3));
        Optional<ProcessHandle> owner = ProcessHandle.of(pid);
        boolean alive = owner.isPresent() && owner.get().isAlive() && startOf(owner.get()) == start;
        if (!alive && remove(dir)) {
          removed.add(dir);
        }
      }
    } catch (IOException e) {
      // Not listable: nothing to clean up that this process could remove.
    }
    return removed;
  }

  private static boolean remove(Path instance) {
    try {
      Files.deleteIfExists(instance);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void writeIfPresent(Path file, String value) throws IOException {
    try {
      Files.writeString(file, value);
    } catch (NoSuchFileException e) {
      // An older kernel without the option never pauses.
    }
  }

  /**
   * Where tracefs is: mounted under sysfs ({@code kernel/tracing}, or {@code kernel/debug/tracing}
   * on kernels that only have it with debugfs), else mounted now at {@code kernel/tracing}, the
   * place the kernel provides for it. It stays mounted when the collector stops: another tool may
   * have started using it meanwhile, and a mounted, unused tracefs costs nothing.
   */
  private static Path tracefs(Path sysRoot, CommandRunner runner) throws NoDataException {
    Path tracing = sysRoot.resolve("kernel/tracing");
    for (Path candidate : List.of(tracing, sysRoot.resolve("kernel/debug/tracing"))) {
      if (Files.exists(candidate.resolve(EVENT + "/format"))) {
        return candidate;
      }
    }
    if (Files.isDirectory(tracing.resolve("instances"))) {
      throw new NoDataException(
          "tracefs at " + tracing + " has no skb:kfree_skb tracepoint (kernel without it)");
    }
    if (runner == null || !Files.isDirectory(tracing)) {
      throw new NoDataException("tracefs is not mounted at " + tracing + " and cannot be here");
    }
    try {
      runner.run(List.of("mount", "-t", "tracefs", "nodev", tracing.toString()), MOUNT_TIMEOUT);
    } catch (CommandRunner.CommandException e) {
      throw new NoDataException(
          "tracefs is not mounted at "
              + tracing
              + " and mounting it failed (needs root): "
              + e.getMessage());
    }
    if (!Files.exists(tracing.resolve(EVENT + "/format"))) {
      throw new NoDataException(
          "tracefs mounted at " + tracing + " has no skb:kfree_skb tracepoint");
    }
    return tracing;
  }
}
