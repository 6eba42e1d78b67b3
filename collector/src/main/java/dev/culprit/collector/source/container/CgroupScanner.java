package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.procfs.ProcFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Finds the cgroups worth sampling by walking the memory and cpu hierarchies: every container the
 * path layout names ({@link ContainerRef}), and every other cgroup that has a memory limit or a CPU
 * quota of its own (systemd units with {@code MemoryMax}, hand-made cgroups). A cgroup without
 * either can neither be OOM-killed by its own limit nor throttled, so it is left out. The walk does
 * not descend into containers (their children, if any, share the container's limit).
 */
public final class CgroupScanner {

  /**
   * Deep enough for kubepods.slice/kubepods-burstable.slice/...-pod&lt;uid&gt;.slice/cri-...scope.
   */
  private static final int MAX_DEPTH = 8;

  /** A limit file's number; compiled once (String.matches compiles it at every call). */
  private static final Pattern NUMBER = Pattern.compile("-?\\d{1,19}");

  private final CgroupLayout layout;

  public CgroupScanner(CgroupLayout layout) {
    this.layout = layout;
  }

  /**
   * One cgroup found: its path from the hierarchy root ("/docker/&lt;id&gt;"), and the container.
   */
  public record Entry(String cgroupPath, Optional<ContainerRef> container) {}

  /** The cgroups alive now, containers first in walk order, de-duplicated across hierarchies. */
  public List<Entry> scan() throws IOException {
    Map<String, Entry> found = new LinkedHashMap<>();
    if (layout.version() == 2) {
      walk(layout.memoryRoot(), "", 0, found, Limit.V2);
    } else {
      if (layout.memoryRoot() != null) {
        walk(layout.memoryRoot(), "", 0, found, Limit.V1_MEMORY);
      }
      if (layout.cpuRoot() != null) {
        walk(layout.cpuRoot(), "", 0, found, Limit.V1_CPU);
      }
    }
    return new ArrayList<>(found.values());
  }

  /** The directory of {@code cgroupPath} ("/a/b") under a hierarchy root. */
  static Path resolve(Path root, String cgroupPath) {
    String relative = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
    return relative.isEmpty() ? root : root.resolve(relative);
  }

  private void walk(Path dir, String path, int depth, Map<String, Entry> found, Limit limit)
      throws IOException {
    if (depth > MAX_DEPTH) {
      return;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        if (!Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        String childPath = path + "/" + child.getFileName();
        Optional<ContainerRef> container = ContainerRef.fromCgroupPath(childPath);
        if (container.isPresent()) {
          found.putIfAbsent(childPath, new Entry(childPath, container));
          continue;
        }
        if (!found.containsKey(childPath) && limit.isSet(child)) {
          found.put(childPath, new Entry(childPath, Optional.empty()));
        }
        walk(child, childPath, depth + 1, found, limit);
      }
    } catch (NoSuchFileException e) {
      // Removed while we walked: a container that just exited.
    }
  }

  /** How each hierarchy says "this cgroup has a limit of its own". */
  private enum Limit {
    V1_MEMORY {
      @Override
      boolean isSet(Path dir) {
        String text = read(dir.resolve("memory.limit_in_bytes"));
        return text != null
            && isNumber(text)
            && Long.parseLong(text) < CgroupValueParser.V1_UNLIMITED_THRESHOLD;
      }
    },
    V1_CPU {
      @Override
      boolean isSet(Path dir) {
        String text = read(dir.resolve("cpu.cfs_quota_us"));
        return text != null && isNumber(text) && Long.parseLong(text) > 0;
      }
    },
    V2 {
      @Override
      boolean isSet(Path dir) {
        String mem = read(dir.resolve("memory.max"));
        String cpu = read(dir.resolve("cpu.max"));
        return (mem != null && !mem.equals("max")) || (cpu != null && !cpu.startsWith("max"));
      }
    };

    abstract boolean isSet(Path dir);

    private static String read(Path file) {
      try {
        return ProcFiles.read(file, ProcFiles.SMALL_BYTES).trim();
      } catch (IOException e) {
        return null;
      }
    }

    private static boolean isNumber(String s) {
      return NUMBER.matcher(s).matches();
    }
  }
}
