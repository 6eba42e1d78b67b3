package dev.culprit.collector.source.container.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the JVMs among a cgroup's processes and tells each one's heap ceiling without attaching to
 * it: from its performance-data file, read through the process's own root ({@code
 * /proc/<pid>/root/tmp/hsperfdata_<user>/<nspid>}, so a container's {@code /tmp} is seen as the JVM
 * sees it); when that file is absent ({@code -XX:-UsePerfData}, a read-only or private {@code
 * /tmp}), from its command line, environment and JDK version ({@link HeapErgonomics}).
 *
 * <p>The ceiling never changes during a JVM's life, so the estimate is cached per (pid, start time
 * from {@code /proc/<pid>/stat}); only the RSS is read every time. A command-line estimate is
 * cached too, but the performance data is still looked for until found, as it is the better source
 * (the JVM creates its file a moment after it starts). A degraded read never replaces what was
 * known: an exiting process shows an empty {@code cmdline} and its files vanish one by one, and
 * estimating from what is left would give the container default instead of its {@code -Xmx}. Such a
 * read repeats the cached estimate and says so ({@link Jvm#heapFromEarlierRead()}); without one,
 * the ceiling is unknown.
 */
public final class JvmInspector {

  private static final Logger LOG = LoggerFactory.getLogger(JvmInspector.class);
  private static final int CACHE_ENTRIES = 4096;

  /** USER_HZ: /proc start times are in these ticks on every Linux architecture Java runs on. */
  private static final long TICKS_PER_SECOND = 100;

  /** A performance-data file created this long before or after the process is someone else's. */
  private static final long STALE_FILE_TOLERANCE_MS = 60_000;

  private final Path procRoot;
  private final long hostRamBytes;
  private final Long bootEpochMs;
  private final Map<String, Known> cache =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Known> eldest) {
          return size() > CACHE_ENTRIES;
        }
      };

  /**
   * A JVM found in a cgroup.
   *
   * @param startTimeTicks the process's start time in clock ticks since boot, or null
   * @param heapFromEarlierRead whether {@code heap} repeats an earlier read of this process because
   *     this one was degraded
   */
  public record Jvm(
      int pid,
      Integer nsPid,
      Long startTimeTicks,
      HeapEstimate heap,
      Long rssBytes,
      boolean heapFromEarlierRead) {}

  /** What a good read told about one process (pid, start time). */
  private record Known(HeapEstimate heap, Integer nsPid) {}

  public JvmInspector(Path procRoot) throws IOException {
    this(procRoot, ProcFiles.memTotalBytes(procRoot), bootEpochMs(procRoot));
  }

  /** For tests: a fixed host RAM, and the boot time ({@code /proc/stat btime}) or null. */
  JvmInspector(Path procRoot, long hostRamBytes, Long bootEpochMs) {
    this.procRoot = Objects.requireNonNull(procRoot, "procRoot");
    this.hostRamBytes = hostRamBytes;
    this.bootEpochMs = bootEpochMs;
  }

  /**
   * The JVMs among {@code pids}.
   *
   * @param pids host pids of one cgroup's processes
   * @param containerLimitBytes the cgroup's memory limit (what a container-aware JVM sizes from)
   */
  public synchronized List<Jvm> probe(List<Integer> pids, Long containerLimitBytes) {
    List<Jvm> jvms = new ArrayList<>();
    for (int pid : pids) {
      try {
        Jvm jvm = probeOne(pid, containerLimitBytes);
        if (jvm != null) {
          jvms.add(jvm);
        }
      } catch (IOException e) {
        // The process exited between listing and reading: normal churn.
        LOG.debug("pid {} vanished while probed: {}", pid, e.toString());
      }
    }
    return jvms;
  }

  private Jvm probeOne(int pid, Long limit) throws IOException {
    Path proc = procRoot.resolve(Integer.toString(pid));
    String comm = Files.readString(proc.resolve("comm"), StandardCharsets.UTF_8).trim();
    Long startTicks =
        ProcFiles.startTimeTicks(Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8));
    String key = pid + "@" + startTicks;
    Known known = startTicks == null ? null : cache.get(key);
    List<String> argv = readArgv(proc);
    if (known == null && !isJava(comm, argv == null ? List.of() : argv)) {
      return null;
    }
    String status = readOrNull(proc.resolve("status"));
    Integer nsPid = status == null ? null : ProcFiles.nsPid(status);
    Long rss = status == null ? null : ProcFiles.rssBytes(status);
    if (nsPid == null && known != null) {
      nsPid = known.nsPid();
    }
    if (known != null && known.heap().source().equals(HeapEstimate.HSPERFDATA)) {
      return new Jvm(pid, nsPid, startTicks, known.heap(), rss, false);
    }
    HeapEstimate perf = fromPerfData(proc, nsPid != null ? nsPid : pid, startTicks);
    if (perf != null) {
      remember(key, startTicks, perf, nsPid);
      return new Jvm(pid, nsPid, startTicks, perf, rss, false);
    }
    // The kernel empties cmdline once an exiting process has released its memory.
    boolean degraded = argv == null || argv.isEmpty() || status == null;
    if (known != null) {
      if (degraded) {
        LOG.debug("pid {} read degraded: repeating its last heap estimate", pid);
      }
      return new Jvm(pid, nsPid, startTicks, known.heap(), rss, degraded);
    }
    if (degraded) {
      return new Jvm(
          pid,
          nsPid,
          startTicks,
          new HeapEstimate(null, HeapEstimate.UNKNOWN, List.of(), null),
          rss,
          false);
    }
    HeapEstimate heap = fromCommandLine(proc, argv, limit);
    remember(key, startTicks, heap, nsPid);
    return new Jvm(pid, nsPid, startTicks, heap, rss, false);
  }

  private void remember(String key, Long startTicks, HeapEstimate heap, Integer nsPid) {
    // Without a start time a reused pid could not be told apart: never cache then.
    if (startTicks != null) {
      cache.put(key, new Known(heap, nsPid));
    }
  }

  /** The command line, or null when the process vanished while read. */
  private static List<String> readArgv(Path proc) {
    try {
      return ProcFiles.nulSeparated(Files.readAllBytes(proc.resolve("cmdline")));
    } catch (IOException e) {
      return null;
    }
  }

  private static String readOrNull(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  private HeapEstimate fromPerfData(Path proc, int nsPid, Long startTicks) {
    Path tmp = proc.resolve("root").resolve("tmp");
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "hsperfdata_*")) {
      for (Path dir : dirs) {
        Path file = dir.resolve(Integer.toString(nsPid));
        if (!Files.isRegularFile(file)) {
          continue;
        }
        Hsperfdata data = Hsperfdata.parse(Files.readAllBytes(file));
        if (isStale(data, startTicks) || data.maxHeapBytes().isEmpty()) {
          continue;
        }
        JvmOptions options = JvmOptions.parse(List.of(data.vmArgs().split("\\s+")));
        return new HeapEstimate(
            data.maxHeapBytes().getAsLong(),
            HeapEstimate.HSPERFDATA,
            options.flags(),
            data.javaVersion().orElse(null));
      }
    } catch (IOException | Hsperfdata.HsperfdataFormatException e) {
      LOG.debug("no performance data under {}: {}", tmp, e.toString());
    }
    return null;
  }

  /** A file left by a killed JVM whose pid this process now has, when this one runs without it. */
  private boolean isStale(Hsperfdata data, Long startTicks) {
    var created = data.getLong("sun.rt.createVmBeginTime");
    if (created.isEmpty() || startTicks == null || bootEpochMs == null) {
      return false;
    }
    long started = bootEpochMs + startTicks * 1000 / TICKS_PER_SECOND;
    return Math.abs(created.getAsLong() - started) > STALE_FILE_TOLERANCE_MS;
  }

  private HeapEstimate fromCommandLine(Path proc, List<String> argv, Long limit) {
    Map<String, String> env = Map.of();
    try {
      env =
          ProcFiles.javaEnvironment(
              ProcFiles.nulSeparated(Files.readAllBytes(proc.resolve("environ"))));
    } catch (IOException e) {
      LOG.debug("cannot read {}/environ: {}", proc, e.toString());
    }
    JvmOptions options =
        JvmOptions.fromProcess(
            env.get("JAVA_TOOL_OPTIONS"),
            env.get("JDK_JAVA_OPTIONS"),
            argv,
            env.get("_JAVA_OPTIONS"));
    return HeapErgonomics.estimate(options, javaVersion(proc), limit, hostRamBytes);
  }

  /** The JDK's release file next to the launcher, read through the process's root. */
  private static String javaVersion(Path proc) {
    try {
      Path exe = Files.readSymbolicLink(proc.resolve("exe"));
      Path root = proc.resolve("root");
      Path bin = exe.getParent();
      // JDK 9+: <jdk>/bin/java; JDK 8: <jdk>/jre/bin/java or <jdk>/bin/java.
      for (Path home = bin == null ? null : bin.getParent();
          home != null;
          home = home.getParent()) {
        Path release = root.resolve(home.toString().substring(1)).resolve("release");
        if (Files.isRegularFile(release)) {
          return ProcFiles.releaseJavaVersion(Files.readString(release, StandardCharsets.UTF_8));
        }
        if (!home.getFileName().toString().equals("jre")) {
          return null;
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("no JDK release file for {}: {}", proc, e.toString());
    }
    return null;
  }

  private static boolean isJava(String comm, List<String> argv) {
    if (comm.equals("java")) {
      return true;
    }
    if (argv.isEmpty()) {
      return false;
    }
    String argv0 = argv.get(0);
    return argv0.equals("java") || argv0.endsWith("/java");
  }

  private static Long bootEpochMs(Path procRoot) {
    try {
      String stat = Files.readString(procRoot.resolve("stat"), StandardCharsets.US_ASCII);
      for (String line : stat.split("\n")) {
        if (line.startsWith("btime ")) {
          return Long.parseLong(line.substring(6).trim()) * 1000;
        }
      }
    } catch (IOException | NumberFormatException e) {
      LOG.debug("no btime in {}/stat: {}", procRoot, e.toString());
    }
    return null;
  }
}
