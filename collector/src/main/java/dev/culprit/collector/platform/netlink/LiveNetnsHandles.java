package dev.culprit.collector.platform.netlink;

import com.sun.jna.LastErrorException;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The real handles of one namespace. procfs {@code net/} files are opened as {@code
 * /proc/thread-self/net/NAME} by the namespace thread while it is inside (a procfs net file is tied
 * to the namespace whose directory it was looked up in, for as long as it stays open) and re-read
 * with positional reads: no open, no path walk, no fork per cycle. A file that does not exist (IPv6
 * off, conntrack not loaded) is asked again once a minute, as a module may be loaded later.
 */
final class LiveNetnsHandles implements NetnsHandles, AutoCloseable {

  static final Path THREAD_NET = Path.of("/proc/thread-self/net");
  private static final long RETRY_ABSENT_NANOS = Duration.ofMinutes(1).toNanos();

  private final long inode;
  private final NetlinkSocket route;
  private final NetlinkSocket netfilter;
  private final Opener opener;
  private final Map<String, FileChannel> files = new ConcurrentHashMap<>();
  private final Map<String, Long> absentSince = new ConcurrentHashMap<>();
  private volatile Path nsPath;
  private volatile long lastUsedNanos = System.nanoTime();
  private volatile boolean closed;

  /** Opens more files of this namespace: through the namespace thread, inside it. */
  @FunctionalInterface
  interface Opener {
    Map<String, FileChannel> open(LiveNetnsHandles handles, List<String> names)
        throws IOException, NoDataException;
  }

  LiveNetnsHandles(
      long inode, Path nsPath, NetlinkSocket route, NetlinkSocket netfilter, Opener opener) {
    this.inode = inode;
    this.nsPath = nsPath;
    this.route = route;
    this.netfilter = netfilter;
    this.opener = opener;
  }

  /**
   * Opens {@code names} under {@code /proc/thread-self/net} with plain {@code open(2)}: the
   * caller's thread must be inside the namespace. Nothing of Java's I/O runs there — its first use
   * starts JDK threads (the common cleaner), which would inherit the foreign namespace for life.
   *
   * @return name → file descriptor, without the names that do not exist there
   */
  static Map<String, Integer> openNetFds(List<String> names) throws NetlinkException {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String name : names) {
      try {
        out.put(name, LibC.open(THREAD_NET + "/" + name, LibC.O_RDONLY | LibC.O_CLOEXEC));
      } catch (LastErrorException e) {
        if (e.getErrorCode() != LibC.ENOENT) {
          closeAll(out);
          throw new NetlinkException(
              "open net/" + name + ": errno " + e.getErrorCode(), e.getErrorCode());
        }
      }
    }
    return out;
  }

  /**
   * Turns descriptors opened inside a namespace into channels, back home: re-opening {@code
   * /proc/self/fd/N} reaches the very same procfs entry (the magic link jumps to the open file's
   * path), so the channel reads the same namespace. The descriptors are closed.
   */
  static Map<String, FileChannel> toChannels(Map<String, Integer> fds) throws IOException {
    Map<String, FileChannel> out = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, Integer> e : fds.entrySet()) {
        out.put(
            e.getKey(),
            FileChannel.open(Path.of("/proc/self/fd/" + e.getValue()), StandardOpenOption.READ));
      }
      return out;
    } catch (IOException e) {
      for (FileChannel channel : out.values()) {
        channel.close();
      }
      throw e;
    } finally {
      closeAll(fds);
    }
  }

  private static void closeAll(Map<String, Integer> fds) {
    for (int fd : fds.values()) {
      try {
        LibC.close(fd);
      } catch (LastErrorException ignored) {
        // released anyway
      }
    }
  }

  long inode() {
    return inode;
  }

  Path nsPath() {
    return nsPath;
  }

  long lastUsedNanos() {
    return lastUsedNanos;
  }

  void touch(Path latestPath) {
    nsPath = latestPath;
    lastUsedNanos = System.nanoTime();
  }

  @Override
  public boolean dump(DumpRequest request, NlMessages.Handler handler) throws IOException {
    return socket(request).dump(request.message(), handler);
  }

  @Override
  public byte[] capture(DumpRequest request) throws IOException {
    return socket(request).dumpRaw(request.message());
  }

  private NetlinkSocket socket(DumpRequest request) throws NetlinkException {
    NetlinkSocket socket =
        request.socket() == DumpRequest.NetlinkSocketKind.ROUTE ? route : netfilter;
    if (socket == null) {
      throw new NetlinkException("no " + request.socket() + " netlink socket");
    }
    return socket;
  }

  @Override
  public Map<String, String> readNetFiles(List<String> names) throws IOException {
    openMissing(names);
    Map<String, String> out = new LinkedHashMap<>();
    for (String name : names) {
      FileChannel channel = files.get(name);
      if (channel == null) {
        continue;
      }
      try {
        out.put(name, ProcFiles.read(channel));
      } catch (ClosedChannelException e) {
        throw new IOException("network namespace " + nsPath + " was closed while reading", e);
      }
    }
    return out;
  }

  private void openMissing(List<String> names) throws IOException {
    List<String> wanted = null;
    long now = System.nanoTime();
    for (String name : names) {
      if (files.containsKey(name)) {
        continue;
      }
      Long since = absentSince.get(name);
      if (since != null && now - since < RETRY_ABSENT_NANOS) {
        continue;
      }
      if (wanted == null) {
        wanted = new ArrayList<>();
      }
      wanted.add(name);
    }
    if (wanted == null) {
      return;
    }
    synchronized (this) {
      if (closed) {
        throw new IOException("handles of network namespace " + nsPath + " are closed");
      }
      Map<String, FileChannel> opened;
      try {
        opened = opener.open(this, wanted);
      } catch (NoDataException e) {
        throw new IOException(e.getMessage(), e);
      }
      for (String name : wanted) {
        FileChannel channel = opened.get(name);
        if (channel == null) {
          absentSince.put(name, now);
        } else {
          FileChannel previous = files.putIfAbsent(name, channel);
          if (previous != null) {
            channel.close();
          }
          absentSince.remove(name);
        }
      }
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    route.close();
    if (netfilter != null) {
      netfilter.close();
    }
    for (FileChannel channel : files.values()) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // released anyway
      }
    }
    files.clear();
  }
}
