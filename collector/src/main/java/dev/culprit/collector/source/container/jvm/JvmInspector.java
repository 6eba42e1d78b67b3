package dev.culprit.collector.source.container.jvm;

import dev.culprit.collector.platform.procfs.PidStatParser;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.spi.ParseException;
import dev.culprit.collector.spi.TooLargeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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

  /**
   * {@code cmdline} and {@code environ}: a JVM's class path can run to a few 100 KiB; past this the
   * process is skipped for the cycle (read as too large) instead of being held in the heap.
   */
  private static final int ARGS_BYTES = 1 << 20;

  /**
   * An hsperfdata file is {@code -XX:PerfDataMemorySize}, 32 KiB by default (64 KiB on some
   * builds); 256 KiB leaves room for raised sizes and refuses a planted huge or sparse file.
   */
  private static final int HSPERFDATA_BYTES = 256 << 10;

  /** A JDK {@code release} file is a few dozen lines, under 4 KiB. */
  private static final int RELEASE_BYTES = 16 << 10;

  /** A container's {@code /tmp} holds one {@code hsperfdata_<user>} per user that ran a JVM. */
  private static final int MAX_HSPERFDATA_DIRS = 32;

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
    this(procRoot, memTotalBytes(procRoot), bootEpochMs(procRoot));
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
    String comm = ProcFiles.read(proc.resolve("comm"), ProcFiles.SMALL_BYTES).trim();
    Long startTicks = startTicks(proc);
    String key = pid + "@" + startTicks;
    Known known = startTicks == null ? null : cache.get(key);
    List<String> argv = readArgv(proc);
    if (known == null && !isJava(comm, argv == null ? List.of() : argv)) {
      return null;
    }
    String status = readOrNull(proc.resolve("status"));
    Integer nsPid = status == null ? null : ProcPidText.nsPid(status);
    Long rss = status == null ? null : ProcPidText.rssBytes(status);
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

  /**
   * The command line, or null when the process vanished while read. Too large is not vanished: the
   * process is skipped for the cycle, as the caller does for any read error.
   */
  private static List<String> readArgv(Path proc) throws TooLargeException {
    try {
      return ProcPidText.nulSeparated(ProcFiles.readBytes(proc.resolve("cmdline"), ARGS_BYTES));
    } catch (TooLargeException e) {
      throw e;
    } catch (IOException e) {
      return null;
    }
  }

  private static String readOrNull(Path file) throws TooLargeException {
    try {
      return ProcFiles.read(file, ProcFiles.SMALL_BYTES);
    } catch (TooLargeException e) {
      throw e;
    } catch (IOException e) {
      return null;
    }
  }

  private HeapEstimate fromPerfData(Path proc, int nsPid, Long startTicks) {
    Path tmp = proc.resolve("root").resolve("tmp");
    if (!Files.isDirectory(tmp, LinkOption.NOFOLLOW_LINKS)) {
      return null; // absent, or a link the process's owner planted: not followed as root
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, "hsperfdata_*")) {
      int seen = 0;
      for (Path dir : dirs) {
        if (++seen > MAX_HSPERFDATA_DIRS) {
          break;
        }
        byte[] bytes =
            ProcFiles.readRegularFileInRoot(
                proc, "tmp/" + dir.getFileName() + "/" + nsPid, HSPERFDATA_BYTES);
        if (bytes == null) {
          continue;
        }
        Hsperfdata data = Hsperfdata.parse(bytes);
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
          ProcPidText.javaEnvironment(
              ProcPidText.nulSeparated(ProcFiles.readBytes(proc.resolve("environ"), ARGS_BYTES)));
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
      Path bin = exe.getParent();
      // JDK 9+: <jdk>/bin/java; JDK 8: <jdk>/jre/bin/java or <jdk>/bin/java.
      for (Path home = bin == null ? null : bin.getParent();
          home != null;
          home = home.getParent()) {
        byte[] release = ProcFiles.readRegularFileInRoot(proc, home + "/release", RELEASE_BYTES);
        if (release != null) {
          return ProcPidText.releaseJavaVersion(new String(release, StandardCharsets.UTF_8));
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
      String stat = ProcFiles.read(procRoot.resolve("stat"), ProcFiles.TABLE_BYTES);
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

  private static long memTotalBytes(Path procRoot) throws IOException {
    Path meminfo = procRoot.resolve("meminfo");
    Long total = ProcPidText.memTotalBytes(ProcFiles.read(meminfo, ProcFiles.SMALL_BYTES));
    if (total == null) {
      throw new IOException("no MemTotal in " + meminfo);
    }
    return total;
  }

  /** Field 22 of {@code stat}, or null when the text is not a stat line. */
  private static Long startTicks(Path proc) throws IOException {
    Path stat = proc.resolve("stat");
    try {
      return PidStatParser.parse(stat.toString(), ProcFiles.read(stat, ProcFiles.SMALL_BYTES))
          .startTicks();
    } catch (ParseException e) {
      return null;
    }
  }
}
