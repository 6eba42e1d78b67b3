package dev.culprit.collector.platform.netns;

import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.records.NetnsKind;
import dev.culprit.collector.source.NameFilter;
import dev.culprit.collector.spi.NamespaceFinder;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NetnsName;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Finds network namespaces through procfs, without forking.
 *
 * <ol>
 *   <li>The host's: the namespace of pid 1 in {@code procRoot} (the init of the pid namespace that
 *       procfs belongs to: the host's when {@code --proc-root} is the host's /proc), or the
 *       collector's own when pid 1's link cannot be read (not root). Label "", always included.
 *   <li>Every named namespace in {@code netnsDir} ({@code ip netns add NAME}), labelled NAME; its
 *       pid is the lowest process living in it, or null when none does.
 *   <li>Every other namespace some process is in ({@code /proc/PID/ns/net} grouped by inode),
 *       labelled by the {@code labeller} (the container source names containers) or else {@code
 *       netns-INODE-COMM} after the lowest pid's command name: stable while that process lives.
 * </ol>
 *
 * <p>Each namespace carries its kind ({@link NetnsKind}): host, named, the container the labeller
 * named, or a process's. The label alone cannot tell them apart (a container named like a named
 * netns), and a printed fix enters each differently.
 *
 * <p>Processes and namespaces come and go while we scan: anything that vanishes is skipped, never
 * an error. The label filter applies to all but the host namespace. A process's namespace is
 * re-read at most every {@link #RECHECK_AFTER}: one that moves itself into another namespace (a
 * reused pid, a process calling setns) is seen there that much later; new pids are read at once.
 */
public final class ProcNamespaceFinder implements NamespaceFinder {

  /** How long a pid's namespace is trusted before its link is read again. */
  static final Duration RECHECK_AFTER = Duration.ofSeconds(10);

  private final HostPaths paths;
  private final NameFilter filter;
  private final Function<Integer, Optional<NetnsName>> labeller;
  private final long recheckAfterNanos;
  private final LongSupplier nanoClock;
  private volatile Map<Integer, PidNs> known = Map.of();

  private record PidNs(long inode, long readAtNanos) {}

  public ProcNamespaceFinder(
      HostPaths paths, NameFilter filter, Function<Integer, Optional<NetnsName>> labeller) {
    this(paths, filter, labeller, RECHECK_AFTER, System::nanoTime);
  }

  /** With the recheck period and clock given, for tests. */
  ProcNamespaceFinder(
      HostPaths paths,
      NameFilter filter,
      Function<Integer, Optional<NetnsName>> labeller,
      Duration recheckAfter,
      LongSupplier nanoClock) {
    this.paths = paths;
    this.filter = filter;
    this.labeller = labeller;
    this.recheckAfterNanos = recheckAfter.toNanos();
    this.nanoClock = nanoClock;
  }

  /** A finder for every namespace, labelled by name or process only. */
  public ProcNamespaceFinder(HostPaths paths) {
    this(paths, NameFilter.all(), pid -> Optional.empty());
  }

  @Override
  public List<Netns> find() throws IOException {
    Path proc = paths.procRoot();
    Netns host = host(proc);
    Map<Long, Integer> lowestPid = scanProcesses(proc);
    List<Netns> found = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    seen.add(host.inode());
    for (Path file : namedNamespaces()) {
      long inode;
      try {
        inode = NsInode.of(file);
      } catch (IOException e) {
        continue; // deleted while we listed, or not a mounted namespace
      }
      String label = file.getFileName().toString();
      if (seen.add(inode) && filter.test(label)) {
        found.add(
            new Netns(label, inode, file, lowestPid.get(inode), false, NetnsKind.NAMED_NETNS));
      }
    }
    for (Map.Entry<Long, Integer> e : lowestPid.entrySet()) {
      long inode = e.getKey();
      int pid = e.getValue();
      if (!seen.add(inode)) {
        continue;
      }
      NetnsName name =
          labeller
              .apply(pid)
              .orElseGet(
                  () -> new NetnsName("netns-" + inode + "-" + comm(proc, pid), NetnsKind.PROCESS));
      if (filter.test(name.label())) {
        Path nsPath = proc.resolve(Integer.toString(pid)).resolve("ns/net");
        found.add(new Netns(name.label(), inode, nsPath, pid, false, name.kind()));
      }
    }
    found.sort(Comparator.comparing(Netns::label));
    List<Netns> out = new ArrayList<>(found.size() + 1);
    out.add(host);
    out.addAll(found);
    return out;
  }

  private Netns host(Path proc) throws IOException {
    Path init = proc.resolve("1").resolve("ns").resolve("net");
    try {
      return new Netns("", NsInode.of(init), init, 1, true, NetnsKind.HOST);
    } catch (IOException e) {
      Path self = proc.resolve("self");
      int pid = Integer.parseInt(Files.readSymbolicLink(self).toString());
      Path link = proc.resolve(Integer.toString(pid)).resolve("ns").resolve("net");
      return new Netns("", NsInode.of(link), link, pid, true, NetnsKind.HOST);
    }
  }

  /**
   * Namespace inode → lowest pid in it, over every readable process. Listing {@code /proc} is one
   * cheap directory read; the {@code ns/net} link of a pid seen before is re-read only when it is
   * older than {@code recheckAfter}, since a process changes namespace rarely (setns, unshare)
   * while a few hundred readlinks a cycle cost more than the network sources themselves.
   */
  private Map<Long, Integer> scanProcesses(Path proc) throws IOException {
    long now = nanoClock.getAsLong();
    Map<Long, Integer> lowest = new HashMap<>();
    Map<Integer, PidNs> seen = new HashMap<>(known.size() + 16);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.isEmpty() || !Character.isDigit(name.charAt(0))) {
          continue;
        }
        int pid;
        try {
          pid = Integer.parseInt(name);
        } catch (NumberFormatException e) {
          continue;
        }
        PidNs cached = known.get(pid);
        if (cached == null || now - cached.readAtNanos() >= recheckAfterNanos) {
          try {
            cached = new PidNs(NsInode.ofProcLink(entry.resolve("ns").resolve("net")), now);
          } catch (IOException e) {
            continue; // exited, a kernel thread, or not ours to read
          }
        }
        seen.put(pid, cached);
        lowest.merge(cached.inode(), pid, Math::min);
      }
    }
    known = seen; // pids that went away are forgotten
    return lowest;
  }

  private List<Path> namedNamespaces() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(paths.netnsDir())) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(paths.netnsDir())) {
      for (Path entry : entries) {
        out.add(entry);
      }
    }
    out.sort(null);
    return out;
  }

  private static String comm(Path proc, int pid) {
    try {
      String comm = ProcFiles.readOrNull(proc.resolve(Integer.toString(pid)).resolve("comm"));
      // comm may hold spaces or slashes (kworker/0:1); keep labels one safe token.
      return comm == null ? "gone" : comm.strip().replaceAll("[^A-Za-z0-9_.-]", "_");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
