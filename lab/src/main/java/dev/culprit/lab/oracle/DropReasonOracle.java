package dev.culprit.lab.oracle;

import dev.culprit.lab.LabException;
import dev.culprit.lab.Shell;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own account of why it dropped packets: the {@code skb:kfree_skb} tracepoint's {@code
 * reason}, recorded through a private ftrace instance while a lab fault runs, so that the tests can
 * check culprit's cause against the kernel rather than against our own expectations (the table that
 * judges them is {@link DropReasonTable}).
 *
 * <p>Why ftrace text and not eBPF or hist triggers: neither is available on every kernel the lab
 * runs on, while the plain ring buffer is. Why an instance of its own ({@code
 * instances/culprit-oracle-PID-N}): the global buffer and other tracing users are not disturbed,
 * and removing the directory removes everything this oracle turned on. Why a tracefs mounted on a
 * private directory when none is mounted: unmounting it then affects nobody else, even a concurrent
 * oracle that mounted its own.
 *
 * <p>The tracepoint is host-wide, not per network namespace, so what is recorded includes every
 * other drop on the host. Windows are cut by markers written into the same buffer ({@link #mark}),
 * so that "during the fault" and "just before it" are exact in the kernel's own order; the table
 * compares the two.
 */
public final class DropReasonOracle implements AutoCloseable {

  static final Path DEFAULT_TRACEFS = Path.of("/sys/kernel/tracing");
  private static final String EVENT = "events/skb/kfree_skb";
  private static final String MARK = "culprit-oracle-mark ";
  private static final String CLOSE = "culprit-oracle-close";
  private static final Duration MARK_SEEN = Duration.ofSeconds(10);
  private static final AtomicLong INSTANCES = new AtomicLong();

  private static final Pattern DROP =
      Pattern.compile("\\skfree_skb: .*?location=(\\S+) reason: (\\S+)");
  private static final Pattern MARKER =
      Pattern.compile("tracing_mark_write: " + Pattern.quote(MARK) + "(\\d+)");
  private static final Pattern LOST = Pattern.compile("CPU:\\d+ \\[LOST (\\d+) EVENTS\\]");
  private static final Pattern SYMBOL = Pattern.compile("\\{ *(\\d+), *\"([A-Z0-9_]+)\" *\\}");

  private final Shell shell;
  private final Path tracefs;
  private final Path mountedHere;
  private final Path instance;
  private final Map<Integer, String> reasonNames;
  private final Thread reader;
  private final BufferedReader pipe;

  // Guarded by this: segment i holds what was recorded between marks i-1 and i.
  private final List<Segment> segments = new ArrayList<>();
  private long marksSeen = -1;
  private long marksWritten = -1;
  private final List<Long> markNanos = new ArrayList<>();
  private volatile String readerFailure;

  private DropReasonOracle(Shell shell, Path tracefs, Path mountedHere, Path instance)
      throws IOException {
    this.shell = shell;
    this.tracefs = tracefs;
    this.mountedHere = mountedHere;
    this.instance = instance;
    this.reasonNames = reasonNames(Files.readString(instance.resolve(EVENT + "/format")));
    segments.add(new Segment());
    Files.writeString(instance.resolve("buffer_size_kb"), "2048");
    Files.writeString(instance.resolve(EVENT + "/enable"), "1");
    pipe =
        new BufferedReader(
            new InputStreamReader(
                Files.newInputStream(instance.resolve("trace_pipe")), StandardCharsets.UTF_8));
    reader = new Thread(this::readPipe, "culprit-drop-reason-oracle");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Why the oracle cannot run here, or null when it can: root, a tracefs (mounted or mountable),
   * and a {@code kfree_skb} tracepoint with a {@code reason} field (kernels before 5.17 have none).
   */
  public static String whyUnusable() {
    try (DropReasonOracle oracle = open()) {
      return null;
    } catch (LabException e) {
      return e.getMessage();
    }
  }

  /** Starts recording into an instance of its own; {@link #close} removes all it made. */
  public static DropReasonOracle open() {
    return open(new Shell());
  }

  static DropReasonOracle open(Shell shell) {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      throw new LabException("the kernel's drop reasons need Linux");
    }
    Path tracefs = mountedTracefs().orElse(null);
    Path mountedHere = null;
    if (tracefs == null) {
      try {
        mountedHere = Files.createTempDirectory("culprit-tracefs-");
      } catch (IOException e) {
        throw new LabException("cannot make a mount point for tracefs: " + e.getMessage(), e);
      }
      Shell.Result mount =
          shell.run(List.of("mount", "-t", "tracefs", "nodev", mountedHere.toString()));
      if (!mount.ok()) {
        deleteQuietly(mountedHere);
        throw new LabException(
            "tracefs is not mounted and cannot be (needs root): " + mount.stderr().strip());
      }
      tracefs = mountedHere;
    }
    Path instance =
        tracefs.resolve(
            "instances/culprit-oracle-"
                + ProcessHandle.current().pid()
                + "-"
                + INSTANCES.incrementAndGet());
    try {
      String format = Files.readString(tracefs.resolve(EVENT + "/format"));
      if (!format.contains(" reason;")) {
        throw new LabException(
            "the kernel's skb:kfree_skb tracepoint has no reason field (kernel before 5.17)");
      }
      Files.createDirectory(instance);
      return new DropReasonOracle(shell, tracefs, mountedHere, instance);
    } catch (IOException | RuntimeException e) {
      removeInstance(instance);
      unmount(shell, mountedHere);
      if (e instanceof LabException lab) {
        throw lab;
      }
      throw new LabException(
          "cannot record skb:kfree_skb under " + tracefs + ": " + e.getMessage(), e);
    }
  }

  /** Where a tracefs is mounted, from {@code /proc/self/mounts}. */
  static java.util.Optional<Path> mountedTracefs() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
        String[] fields = line.split(" ");
        if (fields.length > 2
            && fields[2].equals("tracefs")
            && Files.isReadable(Path.of(fields[1]).resolve(EVENT + "/format"))) {
          return java.util.Optional.of(Path.of(fields[1]));
        }
      }
    } catch (IOException e) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.empty();
  }

  /** The reason names this kernel knows, by number, from the tracepoint's print format. */
  static Map<Integer, String> reasonNames(String format) {
    Map<Integer, String> names = new LinkedHashMap<>();
    Matcher symbol = SYMBOL.matcher(format);
    while (symbol.find()) {
      names.put(Integer.parseInt(symbol.group(1)), symbol.group(2));
    }
    return names;
  }

  /** Every reason name this kernel can report (its {@code skb_drop_reason} list). */
  public java.util.Set<String> knownReasons() {
    return new java.util.TreeSet<>(reasonNames.values());
  }

  /**
   * Cuts the recording here: writes a marker into the buffer and waits until the reader has read
   * it, so that every drop the kernel recorded before this call is counted before the mark.
   */
  public Mark mark() {
    long id;
    synchronized (this) {
      id = ++marksWritten;
    }
    try {
      Files.writeString(instance.resolve("trace_marker"), MARK + id + "\n");
    } catch (IOException e) {
      throw new LabException("cannot write the oracle's trace marker: " + e.getMessage(), e);
    }
    long nanos = System.nanoTime();
    long deadline = nanos + MARK_SEEN.toNanos();
    synchronized (this) {
      while (marksSeen < id) {
        if (readerFailure != null) {
          throw new LabException("the drop-reason reader failed: " + readerFailure);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new LabException("the oracle's marker " + id + " was not read within " + MARK_SEEN);
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new LabException("interrupted waiting for the oracle's marker", e);
        }
      }
      while (markNanos.size() <= id) {
        markNanos.add(0L);
      }
      markNanos.set((int) id, nanos);
    }
    return new Mark(id);
  }

  /** A point in the recording, from {@link #mark}. */
  public record Mark(long id) {}

  /** What the kernel dropped, and why, between two marks. */
  public synchronized ReasonCounts between(Mark from, Mark to) {
    if (to.id() <= from.id() || to.id() > marksSeen) {
      throw new IllegalArgumentException("no recording from mark " + from + " to " + to);
    }
    Map<String, Long> byReason = new java.util.TreeMap<>();
    Map<String, Long> byLocation = new java.util.TreeMap<>();
    long lost = 0;
    // Segment i+1 holds what came after mark i.
    for (long i = from.id() + 1; i <= to.id(); i++) {
      Segment s = segments.get((int) i);
      s.byReason.forEach((k, v) -> byReason.merge(k, v, Long::sum));
      s.byLocation.forEach((k, v) -> byLocation.merge(k, v, Long::sum));
      lost += s.lost;
    }
    Duration span = Duration.ofNanos(markNanos.get((int) to.id()) - markNanos.get((int) from.id()));
    return new ReasonCounts(byReason, byLocation, lost, span);
  }

  // The reader closes the pipe itself when it stops: closing it from another thread would wait
  // for the reader's lock, held for as long as the reader is blocked in read(2).
  private void readPipe() {
    try (BufferedReader lines = pipe) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.contains(CLOSE)) {
          return;
        }
        accept(line);
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        readerFailure = e.toString();
        notifyAll();
      }
    }
  }

  synchronized void accept(String line) {
    String[] drop = drop(line);
    if (drop != null) {
      segments.get(segments.size() - 1).add(drop[0], drop[1]);
      return;
    }
    Matcher marker = MARKER.matcher(line);
    if (marker.find()) {
      marksSeen = Long.parseLong(marker.group(1));
      while (segments.size() <= marksSeen + 1) {
        segments.add(new Segment());
      }
      notifyAll();
      return;
    }
    Matcher lost = LOST.matcher(line);
    if (lost.find()) {
      segments.get(segments.size() - 1).lost += Long.parseLong(lost.group(1));
    }
  }

  /** A {@code kfree_skb} line's reason and dropping function, or null for any other line. */
  static String[] drop(String line) {
    Matcher drop = DROP.matcher(line);
    return drop.find() ? new String[] {drop.group(2), function(drop.group(1))} : null;
  }

  /** {@code nf_hook_slow+0x95/0x100} → {@code nf_hook_slow}. */
  static String function(String location) {
    int plus = location.indexOf('+');
    return plus > 0 ? location.substring(0, plus) : location;
  }

  private static final class Segment {
    final Map<String, Long> byReason = new LinkedHashMap<>();
    final Map<String, Long> byLocation = new LinkedHashMap<>();
    long lost;

    void add(String reason, String function) {
      byReason.merge(reason, 1L, Long::sum);
      byLocation.merge(reason + "@" + function, 1L, Long::sum);
    }
  }

  /**
   * Turns the tracepoint off, removes the instance (the reader's pipe is closed first: a busy
   * instance cannot be removed) and unmounts the tracefs if this oracle mounted it.
   */
  @Override
  public void close() {
    try {
      Files.writeString(instance.resolve(EVENT + "/enable"), "0");
    } catch (IOException e) {
      // The instance's removal below turns it off as well.
    }
    try {
      // Wakes the reader blocked in read(2); it stops at this line and closes the pipe.
      Files.writeString(instance.resolve("trace_marker"), CLOSE + "\n");
    } catch (IOException e) {
      // The interrupt below stops the reader instead.
    }
    try {
      reader.join(MARK_SEEN.toMillis());
      if (reader.isAlive()) {
        // An interrupted read on a file channel closes it and signals the blocked thread.
        reader.interrupt();
        reader.join(MARK_SEEN.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      removeInstance(instance);
    } finally {
      unmount(shell, mountedHere);
    }
  }

  private static void removeInstance(Path instance) {
    if (!Files.exists(instance)) {
      return;
    }
    try {
      Files.delete(instance);
    } catch (IOException e) {
      throw new LabException("cannot remove ftrace instance " + instance + ": " + e, e);
    }
  }

  private static void unmount(Shell shell, Path mountedHere) {
    if (mountedHere == null) {
      return;
    }
    Shell.Result umount = shell.run(List.of("umount", mountedHere.toString()));
    if (!umount.ok()) {
      throw new LabException(
          "cannot unmount the oracle's tracefs " + mountedHere + ": " + umount.stderr().strip());
    }
    deleteQuietly(mountedHere);
  }

  private static void deleteQuietly(Path dir) {
    try {
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // An empty directory in /tmp is all that is left.
    }
  }

  @Override
  public String toString() {
    return "drop-reason oracle on " + instance + (mountedHere != null ? " (mounted here)" : "");
  }

  /** Where the instance lives (the tests check it is gone after {@link #close}). */
  public Path instance() {
    return instance;
  }

  /** Whether this oracle mounted a tracefs of its own (then {@link #close} unmounts it). */
  public boolean mountedItsOwnTracefs() {
    return mountedHere != null;
  }
}
