package dev.culprit.collector.platform.netns;

import dev.culprit.collector.platform.exec.CommandRunner;
import dev.culprit.collector.platform.exec.CommandRunner.CommandException;
import dev.culprit.collector.platform.netlink.NetnsHandleProvider;
import dev.culprit.collector.platform.netlink.NetnsHandles;
import dev.culprit.collector.platform.netlink.SocketChannels;
import dev.culprit.collector.platform.procfs.HostPaths;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a network namespace's procfs files and runs tools inside it, the cheapest way that is
 * correct. With {@link NetnsHandles} (netlink available, see {@code NetnsHandleCache}) files are
 * re-read through handles opened once inside the namespace: no fork, no path walk. Without them:
 * {@code /proc/PID/net/...} of a process inside it needs no fork; a namespace with no process (a
 * bare {@code ip netns add}) is read through {@code nsenter --net=PATH}, where {@code
 * /proc/self/net} is the reader's, so the namespace's. Commands for the collector's own namespace
 * run directly, every other one under {@code nsenter --net=}.
 */
public final class NetnsAccess {

  private static final Pattern TAIL_HEADER = Pattern.compile("(?m)^==> (.*) <==\\n");

  private final HostPaths paths;
  private final CommandRunner runner;
  private final Duration timeout;
  private final long ownInode;
  private final NetnsHandleProvider handles;
  private final String noHandlesReason;

  public NetnsAccess(HostPaths paths, CommandRunner runner, Duration timeout) {
    this(paths, runner, timeout, readOwnInode(paths), null);
  }

  /** With namespace handles ({@code handles} may be null: fork and read paths only). */
  public NetnsAccess(
      HostPaths paths, CommandRunner runner, Duration timeout, NetnsHandleProvider handles) {
    this(paths, runner, timeout, readOwnInode(paths), handles);
  }

  /**
   * With the collector's own namespace inode given rather than read from {@code procRoot/self}: for
   * fixture trees in tests, where -1 means "none of these namespaces is ours".
   */
  public NetnsAccess(HostPaths paths, CommandRunner runner, Duration timeout, long ownInode) {
    this(paths, runner, timeout, ownInode, null);
  }

  /** Everything given: for tests that replay netlink dumps through {@code handles}. */
  public NetnsAccess(
      HostPaths paths,
      CommandRunner runner,
      Duration timeout,
      long ownInode,
      NetnsHandleProvider handles) {
    this(paths, runner, timeout, ownInode, handles, "netlink is not in use");
  }

  private NetnsAccess(
      HostPaths paths,
      CommandRunner runner,
      Duration timeout,
      long ownInode,
      NetnsHandleProvider handles,
      String noHandlesReason) {
    this.paths = paths;
    this.runner = runner;
    this.timeout = timeout;
    this.ownInode = ownInode;
    this.handles = handles;
    this.noHandlesReason = noHandlesReason;
  }

  /**
   * The same access, saying {@code reason} when something needs the namespace thread it lacks
   * ("--no-netlink is set"): for users, in NO_DATA reports.
   */
  public NetnsAccess withNoHandlesReason(String reason) {
    return new NetnsAccess(paths, runner, timeout, ownInode, handles, reason);
  }

  public HostPaths paths() {
    return paths;
  }

  public CommandRunner runner() {
    return runner;
  }

  /**
   * The open handles (netlink sockets, procfs files) of {@code netns}, or null when this collector
   * reads it by forking and by path.
   *
   * @throws NoDataException when the namespace is gone
   */
  public NetnsHandles handles(Netns netns) throws IOException, NoDataException {
    return handles == null ? null : handles.handles(netns);
  }

  /**
   * New TCP sockets (blocking, unconnected), one per entry of {@code families}, that belong to
   * {@code netns}: its routes, source addresses and firewall apply to whatever they send, from any
   * thread. In the collector's own namespace they are opened directly; in any other only the
   * namespace thread can create them, all in one visit (there is no fork-based way to hand a socket
   * back).
   *
   * @throws NoDataException when the namespace is gone, or the namespace thread is not available
   */
  public List<SocketChannel> openSocketChannels(Netns netns, List<ProtocolFamily> families)
      throws IOException, NoDataException {
    if (isOwn(netns) || (netns.inode() == 0 && inodeOf(netns) == ownInode)) {
      return SocketChannels.openAll(families);
    }
    List<SocketChannel> channels =
        handles == null ? null : handles.openSocketChannels(netns, families);
    if (channels == null) {
      throw new NoDataException(
          "probing from a namespace needs the netlink namespace thread ("
              + (handles == null
                  ? noHandlesReason
                  : "it cannot enter other namespaces now; see the collector's log")
              + ")");
    }
    return channels;
  }

  /** Whether {@code netns} is the one this collector process lives in (sysfs and JVM see it). */
  public boolean isOwn(Netns netns) {
    return netns.inode() == ownInode;
  }

  /**
   * Reads files under a namespace's {@code net/} directory ({@code dev}, {@code snmp}, {@code
   * stat/nf_conntrack}).
   *
   * @return name → content, without the names that do not exist there
   * @throws NoDataException when the namespace is gone
   */
  public Map<String, String> readNetFiles(Netns netns, List<String> names)
      throws IOException, NoDataException, CommandException {
    NetnsHandles open = handles(netns);
    if (open != null) {
      return open.readNetFiles(names);
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (netns.pid() != null) {
      Path dir = paths.procRoot().resolve(netns.pid().toString());
      for (String name : names) {
        String text = ProcFiles.readOrNull(dir.resolve("net").resolve(name), ProcFiles.TABLE_BYTES);
        if (text != null) {
          out.put(name, text);
        }
      }
      // A file may be missing for good (ip_tables_names without the module): that is an answer
      // while the process is still in the namespace. One that is exiting (a zombie keeps its
      // /proc directory but no namespaces) or gone made the reads fail instead.
      if (out.size() == names.size() || Files.exists(dir.resolve("ns").resolve("net"))) {
        return out;
      }
      // The process left (the namespace may live on as a named one): read it the other way.
      out.clear();
    }
    return readThroughNsenter(netns, names);
  }

  /** The argv that runs {@code argv} inside {@code netns}. */
  public List<String> inNetns(Netns netns, List<String> argv) {
    if (isOwn(netns)) {
      return argv;
    }
    List<String> full = new ArrayList<>(argv.size() + 2);
    full.add("nsenter");
    full.add("--net=" + netns.nsPath());
    full.addAll(argv);
    return full;
  }

  /** Runs {@code argv} inside {@code netns}; stdout on success. */
  public String run(Netns netns, List<String> argv) throws NoDataException, CommandException {
    try {
      return runner.run(inNetns(netns, argv), timeout).stdout();
    } catch (CommandException e) {
      // nsenter fails when the namespace vanished mid-cycle: that is "no data", not an error.
      if (!isOwn(netns) && !Files.exists(netns.nsPath())) {
        throw new NoDataException("network namespace " + netns.label() + " is gone", e);
      }
      throw e;
    }
  }

  private Map<String, String> readThroughNsenter(Netns netns, List<String> names)
      throws IOException, NoDataException, CommandException {
    if (!Files.exists(netns.nsPath())) {
      throw new NoDataException("network namespace " + netns.label() + " is gone");
    }
    // Ask only for files that exist in our own namespace: their presence depends on loaded
    // modules (conntrack, ipv6), which are global, and one missing file would fail the whole call.
    Path self = paths.procRoot().resolve("self").resolve("net");
    List<String> argv = new ArrayList<>(List.of("tail", "-v", "-n", "+1", "--"));
    List<String> present = new ArrayList<>();
    for (String name : names) {
      if (Files.exists(self.resolve(name))) {
        present.add(name);
        argv.add(self.resolve(name).toString());
      }
    }
    Map<String, String> out = new LinkedHashMap<>();
    if (present.isEmpty()) {
      return out;
    }
    String stdout = run(netns, argv);
    return splitTail(stdout, self, present);
  }

  /** Splits {@code tail -v -n +1 -- A B} output at its {@code ==> A <==} headers. */
  static Map<String, String> splitTail(String stdout, Path dir, List<String> names) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = TAIL_HEADER.matcher(stdout);
    String current = null;
    int start = 0;
    while (m.find()) {
      if (current != null) {
        out.put(current, trimSeparator(stdout.substring(start, m.start())));
      }
      current = nameOf(m.group(1), dir, names);
      start = m.end();
    }
    if (current != null) {
      out.put(current, stdout.substring(start));
    }
    out.remove(null);
    return out;
  }

  private static String nameOf(String path, Path dir, List<String> names) {
    for (String name : names) {
      if (dir.resolve(name).toString().equals(path)) {
        return name;
      }
    }
    return null;
  }

  /** tail puts one empty line between files. */
  private static String trimSeparator(String chunk) {
    return chunk.endsWith("\n\n") ? chunk.substring(0, chunk.length() - 1) : chunk;
  }

  /** The inode of a stand-in {@code Netns} nobody read it for (the run loop's host fallback). */
  private static long inodeOf(Netns netns) {
    try {
      return NsInode.of(netns.nsPath());
    } catch (IOException e) {
      return -2;
    }
  }

  private static long readOwnInode(HostPaths paths) {
    try {
      return NsInode.of(paths.procRoot().resolve("self").resolve("ns").resolve("net"));
    } catch (IOException e) {
      return -1;
    }
  }
}
