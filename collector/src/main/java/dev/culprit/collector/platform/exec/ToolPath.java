package dev.culprit.collector.platform.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the agent finds the programs it runs as root. Never the inherited {@code PATH}: whoever
 * started the agent (a unit file, a wrapper script, a user's shell under sudo) could otherwise put
 * a directory holding their own {@code iptables-save} first. Each bare name is resolved once, in
 * the configured system directories only, and the binary chosen is logged at INFO; the child's own
 * {@code PATH} (what {@code nsenter} uses to find the program it runs) is the same list.
 */
public final class ToolPath {

  /** The system directories, in search order. */
  public static final String DEFAULT = "/usr/sbin:/usr/bin:/sbin:/bin";

  /** The programs the collector runs, resolved (and logged) when the runner is created. */
  public static final List<String> COLLECTOR_TOOLS =
      List.of(
          "iptables-save",
          "iptables-nft-save",
          "iptables-legacy-save",
          "ip6tables-save",
          "nft",
          "tc",
          "ip",
          "nsenter");

  private static final Logger LOG = LoggerFactory.getLogger(ToolPath.class);

  private final List<Path> directories;
  private final Map<String, Optional<Path>> resolved = new ConcurrentHashMap<>();

  private ToolPath(List<Path> directories) {
    this.directories = List.copyOf(directories);
  }

  /** The default system directories. */
  public static ToolPath system() {
    return of(DEFAULT);
  }

  /**
   * A colon-separated list of absolute directories.
   *
   * @throws IllegalArgumentException for an empty list or a relative directory (a relative entry
   *     would resolve against whatever directory the agent was started in)
   */
  public static ToolPath of(String colonSeparated) {
    List<Path> dirs = new ArrayList<>();
    for (String dir : colonSeparated.split(":")) {
      if (dir.isBlank()) {
        continue;
      }
      Path path = Path.of(dir.strip());
      if (!path.isAbsolute()) {
        throw new IllegalArgumentException("tool path entry is not absolute: " + dir);
      }
      dirs.add(path);
    }
    if (dirs.isEmpty()) {
      throw new IllegalArgumentException("empty tool path");
    }
    return new ToolPath(dirs);
  }

  /** The directories, as a {@code PATH} value for children. */
  public String asPathVariable() {
    return String.join(":", directories.stream().map(Path::toString).toList());
  }

  /**
   * The executable {@code program} names: itself when it is an absolute path, else the first
   * executable regular file of that name in the directories (symlinks such as {@code iptables-save
   * -> xtables-nft-multi} are kept as named, since multi-call binaries dispatch on their name).
   * Resolved once; logged at INFO the first time.
   */
  public Optional<Path> resolve(String program) {
    if (program.startsWith("/")) {
      Path path = Path.of(program);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    if (program.contains("/") || program.isEmpty()) {
      return Optional.empty(); // a relative path would depend on the working directory
    }
    return resolved.computeIfAbsent(program, this::find);
  }

  /** Resolves and logs each of {@code programs} now, so the log says up front what will run. */
  public void resolveAll(List<String> programs) {
    programs.forEach(this::resolve);
  }

  private Optional<Path> find(String program) {
    for (Path dir : directories) {
      Path candidate = dir.resolve(program);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        LOG.info("tool {}: {}", program, describe(candidate));
        return Optional.of(candidate);
      }
    }
    LOG.info("tool {}: not found in {}", program, asPathVariable());
    return Optional.empty();
  }

  private static String describe(Path candidate) {
    if (!Files.isSymbolicLink(candidate)) {
      return candidate.toString();
    }
    try {
      return candidate + " -> " + candidate.toRealPath();
    } catch (java.io.IOException e) {
      return candidate.toString();
    }
  }

  @Override
  public String toString() {
    return asPathVariable();
  }
}
