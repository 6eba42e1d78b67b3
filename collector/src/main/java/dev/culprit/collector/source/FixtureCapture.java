package dev.culprit.collector.source;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.netns.NetnsAccess;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.spi.NamespaceFinder;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import dev.culprit.collector.spi.Source;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Snapshots everything the sources of the {@link SourceCatalogue} read — procfs files and command
 * outputs — for the host and each namespace into a directory, with a README saying where and when
 * (kernel, distro, date), so parsers can be tested on this machine's real output ({@code culprit
 * capture-fixture DIR}). A file or tool that is absent is listed in the README, not an error.
 */
public final class FixtureCapture {

  /** Files under a namespace's {@code net/} directory that the per-namespace sources read. */
  static final List<String> NET_FILES =
      SourceCatalogue.ALL.stream()
          .filter(s -> s.scope() == Source.Scope.PER_NETNS)
          .flatMap(s -> s.kernelFiles().stream())
          .filter(f -> f.startsWith("net/"))
          .map(f -> f.substring("net/".length()))
          .distinct()
          .toList();

  /**
   * Files read once per host, relative to the procfs root: global sysctls and the files of
   * host-wide sources.
   */
  static final List<String> HOST_FILES =
      SourceCatalogue.ALL.stream()
          .flatMap(
              s ->
                  s.kernelFiles().stream()
                      .filter(f -> s.scope() == Source.Scope.HOST || !f.startsWith("net/")))
          .distinct()
          .toList();

  /** Commands the sources run in each namespace, each saved under the file name next to it. */
  static final Map<String, List<String>> COMMANDS =
      SourceCatalogue.ALL.stream()
          .flatMap(s -> s.commands().entrySet().stream())
          .collect(
              Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));

  private final HostPaths paths;
  private final NetnsAccess access;
  private final NamespaceFinder finder;
  private final Clock clock;

  public FixtureCapture(
      HostPaths paths, CommandRunner runner, NamespaceFinder finder, Clock clock) {
    this.paths = paths;
    this.access = new NetnsAccess(paths, runner, Duration.ofSeconds(10));
    this.finder = finder;
    this.clock = clock;
  }

  /**
   * Writes {@code dir/README.md} and one folder per namespace ({@code host}, then labels).
   *
   * @return the namespace folders written
   */
  public List<Path> capture(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<String> notes = new ArrayList<>();
    List<Path> written = new ArrayList<>();
    for (Netns netns : finder.find()) {
      Path out = dir.resolve(folder(netns));
      Files.createDirectories(out);
      written.add(out);
      captureNamespace(netns, out, notes);
    }
    Path host = dir.resolve("host");
    Files.createDirectories(host);
    for (String file : HOST_FILES) {
      String text = ProcFiles.readOrNull(paths.procRoot().resolve(file));
      if (text == null) {
        notes.add("host: no " + file);
      } else {
        Files.writeString(host.resolve(hostFileName(file)), text);
      }
    }
    Files.writeString(dir.resolve("README.md"), readme(written, notes));
    return written;
  }

  private void captureNamespace(Netns netns, Path out, List<String> notes) throws IOException {
    String who = netns.label().isEmpty() ? "host" : netns.label();
    try {
      Map<String, String> files = access.readNetFiles(netns, NET_FILES);
      for (String name : NET_FILES) {
        String file = "proc-net-" + name.replace('/', '-') + ".txt";
        if (files.containsKey(name)) {
          Files.writeString(out.resolve(file), files.get(name));
        } else {
          notes.add(who + ": no net/" + name);
        }
      }
    } catch (NoDataException | CommandRunner.CommandException e) {
      notes.add(who + ": procfs unreadable: " + e.getMessage());
    }
    for (Map.Entry<String, List<String>> command : COMMANDS.entrySet()) {
      try {
        Files.writeString(out.resolve(command.getKey()), access.run(netns, command.getValue()));
      } catch (NoDataException | CommandRunner.CommandException e) {
        notes.add(who + ": " + String.join(" ", command.getValue()) + ": " + e.getMessage());
      }
    }
  }

  private String readme(List<Path> written, List<String> notes) throws IOException {
    StringBuilder md = new StringBuilder("# Network fixtures captured by culprit\n\n");
    md.append("- captured: ").append(clock.instant()).append('\n');
    md.append("- kernel: ")
        .append(firstLine(paths.procRoot().resolve("sys/kernel/osrelease")))
        .append('\n');
    md.append("- distro: ").append(distro()).append('\n');
    md.append("- namespaces: ");
    md.append(String.join(", ", written.stream().map(p -> p.getFileName().toString()).toList()));
    md.append(
        "\n\nEach folder holds the namespace's `net/` files (`proc-net-*.txt`) and the output");
    md.append(" of the commands the sources run there (named after the command).\n");
    if (!notes.isEmpty()) {
      md.append("\n## Absent here\n\n");
      for (String note : notes) {
        md.append("- ").append(note.strip().replace('\n', ' ')).append('\n');
      }
    }
    return md.toString();
  }

  private static String firstLine(Path file) throws IOException {
    String text = ProcFiles.readOrNull(file);
    return text == null ? "unknown" : text.strip();
  }

  private static String distro() throws IOException {
    // os-release describes the machine the collector runs on, which is the host unless it is
    // containerised; good enough for a provenance note.
    String text = ProcFiles.readOrNull(Path.of("/etc/os-release"));
    if (text != null) {
      for (String line : text.split("\n")) {
        if (line.startsWith("PRETTY_NAME=")) {
          return line.substring("PRETTY_NAME=".length()).replace("\"", "");
        }
      }
    }
    return "unknown";
  }

  /**
   * {@code net/softnet_stat} → {@code proc-net-softnet_stat.txt}, as the per-namespace files; a
   * sysctl by its last part ({@code nf_conntrack_max.txt}).
   */
  static String hostFileName(String file) {
    if (file.startsWith("net/")) {
      return "proc-" + file.replace('/', '-') + ".txt";
    }
    return file.substring(file.lastIndexOf('/') + 1) + ".txt";
  }

  private static String folder(Netns netns) {
    return netns.label().isEmpty() ? "host" : netns.label().replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
