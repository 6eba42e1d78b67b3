package dev.culprit.lab;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The programs the lab drives, resolved once to absolute paths so a workload started inside a
 * namespace runs exactly the binary the preflight checked, and a missing one is reported with the
 * package that provides it instead of an obscure exec error halfway through {@code up}.
 */
public final class Tools {

  /** A program the lab needs, with the Debian package that ships it. */
  public enum Tool {
    IP("ip", "iproute2"),
    IPTABLES("iptables", "iptables"),
    TC("tc", "iproute2"),
    BUSYBOX("busybox", "busybox-static"),
    SETSID("setsid", "util-linux"),
    // coreutils timeout, not busybox's: busybox timeout leaves a watcher process outside the
    // workload's process group, and busybox wget -T crashes on this Debian build.
    TIMEOUT("timeout", "coreutils");

    private final String program;
    private final String debianPackage;

    Tool(String program, String debianPackage) {
      this.program = program;
      this.debianPackage = debianPackage;
    }

    public String program() {
      return program;
    }
  }

  // sudo and cron often drop the sbin directories from PATH, where ip, tc and iptables live.
  private static final List<Path> SBIN =
      List.of(Path.of("/usr/local/sbin"), Path.of("/usr/sbin"), Path.of("/sbin"));

  private final Map<Tool, Path> found;

  Tools(Map<Tool, Path> found) {
    this.found = new EnumMap<>(Tool.class);
    this.found.putAll(found);
  }

  /** Looks every tool up in {@code $PATH} and the sbin directories. */
  public static Tools fromEnvironment() {
    List<Path> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          dirs.add(Path.of(dir));
        }
      }
    }
    dirs.addAll(SBIN);
    return search(dirs);
  }

  /** Looks every tool up in {@code dirs}, first hit wins. */
  static Tools search(List<Path> dirs) {
    Map<Tool, Path> found = new EnumMap<>(Tool.class);
    for (Tool tool : Tool.values()) {
      for (Path dir : new LinkedHashSet<>(dirs)) {
        Path candidate = dir.resolve(tool.program);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          found.put(tool, candidate);
          break;
        }
      }
    }
    return new Tools(found);
  }

  /** The absolute path of {@code tool}; call {@link #require} first. */
  public String path(Tool tool) {
    Path path = found.get(tool);
    if (path == null) {
      throw new LabException(missingMessage(Set.of(tool)));
    }
    return path.toString();
  }

  /** Fails with one message naming every missing tool and the packages to install. */
  public void require(Set<Tool> tools) {
    Set<Tool> missing =
        tools.stream()
            .filter(t -> !found.containsKey(t))
            .collect(Collectors.toCollection(() -> java.util.EnumSet.noneOf(Tool.class)));
    if (!missing.isEmpty()) {
      throw new LabException(missingMessage(missing));
    }
  }

  /** Fails unless this process runs as root on Linux: namespaces, iptables and sysctls need it. */
  public static void requireRoot() {
    requireRoot(Path.of("/proc/self/status"));
  }

  static void requireRoot(Path procSelfStatus) {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      throw new LabException("culprit lab runs on Linux only (it creates network namespaces)");
    }
    long euid = effectiveUid(procSelfStatus);
    if (euid != 0) {
      throw new LabException(
          "culprit lab needs root (it creates network namespaces, iptables rules and qdiscs and"
              + " changes a sysctl); run it with sudo. Effective uid is "
              + euid);
    }
  }

  /** The effective uid: the second number of the {@code Uid:} line (real, effective, saved, fs). */
  static long effectiveUid(Path procSelfStatus) {
    try {
      for (String line : Files.readAllLines(procSelfStatus)) {
        if (line.startsWith("Uid:")) {
          String[] ids = line.substring(4).trim().split("\\s+");
          if (ids.length >= 2) {
            return Long.parseLong(ids[1]);
          }
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new LabException("cannot tell whether this is root: " + procSelfStatus + ": " + e, e);
    }
    throw new LabException("cannot tell whether this is root: no Uid line in " + procSelfStatus);
  }

  private static String missingMessage(Set<Tool> missing) {
    String programs = missing.stream().map(t -> t.program).collect(Collectors.joining(", "));
    String packages =
        missing.stream().map(t -> t.debianPackage).distinct().collect(Collectors.joining(" "));
    return "culprit lab needs "
        + programs
        + " but cannot find "
        + (missing.size() == 1 ? "it" : "them")
        + " in PATH or /usr/sbin; install with: apt-get install "
        + packages;
  }
}
