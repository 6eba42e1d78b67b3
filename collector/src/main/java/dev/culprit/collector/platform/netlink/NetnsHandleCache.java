package dev.culprit.collector.platform.netlink;

import com.sun.jna.Native;
import dev.culprit.collector.platform.netns.NsInode;
import dev.culprit.collector.spi.Netns;
import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open handles of every namespace the collector reads, by namespace inode.
 *
 * <p>An open netlink socket or procfs file holds a reference on its namespace: the kernel keeps a
 * deleted namespace (and its veths) alive while the collector holds one. So at most once per {@code
 * sweepEvery} the cache checks each namespace's path still opens the same inode ({@code ip netns
 * del} unmounts it, a process exit removes {@code /proc/PID}); those that don't — the namespace is
 * no longer listed — are closed, as are handles unused for {@code idleAfter}.
 *
 * <p>Whether this works at all is decided once, by {@link #open}: Linux on a 64-bit little-endian
 * platform whose socket constants we know, JNA loading, and a link dump in the collector's own
 * namespace. Entering other namespaces needs CAP_SYS_ADMIN; the first EPERM turns it off for good
 * (logged once) and those namespaces are read by forking again.
 */
public final class NetnsHandleCache implements NetnsHandleProvider, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NetnsHandleCache.class);
  private static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(5);

  /** x86-64, aarch64 and riscv64 share the generic socket/open constants LibC uses. */
  private static final Set<String> ARCHES = Set.of("amd64", "x86_64", "aarch64", "riscv64");

  private final NetnsSwitcher switcher;
  private final Duration sweepEvery;
  private final Duration idleAfter;
  private final Map<Long, LiveNetnsHandles> byInode = new ConcurrentHashMap<>();
  private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
  private volatile String othersDisabled;
  private volatile long lastSweepNanos = System.nanoTime();
  private volatile boolean closed;

  private NetnsHandleCache(NetnsSwitcher switcher, Duration sweepEvery, Duration idleAfter) {
    this.switcher = switcher;
    this.sweepEvery = sweepEvery;
    this.idleAfter = idleAfter;
  }

  /**
   * Opens the cache if netlink works here.
   *
   * @throws NetlinkException saying why not: the caller logs it once and forks tc/ip instead
   */
  public static NetnsHandleCache open(Duration sweepEvery, Duration idleAfter)
      throws NetlinkException {
    String os = System.getProperty("os.name", "");
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!os.startsWith("Linux")) {
      throw new NetlinkException("not Linux (" + os + ")");
    }
    if (!ARCHES.contains(arch) || ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
      throw new NetlinkException("platform " + arch + " not supported by the netlink client");
    }
    try {
      if (Native.SIZE_T_SIZE != 8 || Native.LONG_SIZE != 8) {
        throw new NetlinkException("not an LP64 platform");
      }
      Class.forName(LibC.class.getName(), true, LibC.class.getClassLoader());
    } catch (LinkageError | ClassNotFoundException e) {
      throw new NetlinkException("JNA does not load: " + e);
    }
    NetnsSwitcher switcher = NetnsSwitcher.start();
    NetnsHandleCache cache = new NetnsHandleCache(switcher, sweepEvery, idleAfter);
    try {
      Netns own = new Netns("", switcher.homeInode(), NetnsSwitcher.THREAD_NS, null, true);
      cache.handles(own).dump(DumpRequest.LINK_NAMES, (type, payload) -> {});
    } catch (IOException | NoDataException | RuntimeException e) {
      cache.close();
      throw new NetlinkException("a link dump in the collector's namespace failed: " + e);
    }
    return cache;
  }

  /** The inode of the collector's own namespace. */
  public long homeInode() {
    return switcher.homeInode();
  }

  @Override
  public NetnsHandles handles(Netns netns) throws NoDataException, IOException {
    if (closed) {
      throw new IOException("namespace handles are closed");
    }
    sweepIfDue();
    netns = withInode(netns);
    LiveNetnsHandles handles = byInode.get(netns.inode());
    if (handles != null) {
      handles.touch(netns.nsPath());
      return handles;
    }
    boolean home = netns.inode() == switcher.homeInode();
    if (!home && (othersDisabled != null || switcher.broken() != null)) {
      return null;
    }
    synchronized (this) {
      handles = byInode.get(netns.inode());
      if (handles != null) {
        return handles;
      }
      try {
        handles = openHandles(netns);
      } catch (NetlinkException e) {
        if (home) {
          throw e;
        }
        cannotEnter(netns, e, "netlink handles", "forking this time");
        return null;
      }
      byInode.put(netns.inode(), handles);
      return handles;
    }
  }

  @Override
  public List<SocketChannel> openSocketChannels(Netns netns, List<ProtocolFamily> families)
      throws NoDataException, IOException {
    return openChannel(netns, () -> SocketChannels.openAll(families));
  }

  /**
   * A new TCP listening socket (unbound) created inside {@code netns}, as {@link
   * #openSocketChannels}: for a server in a namespace, such as a probe target in tests.
   *
   * @return null when other namespaces cannot be entered here
   */
  public ServerSocketChannel openServerSocketChannel(Netns netns, ProtocolFamily family)
      throws NoDataException, IOException {
    return openChannel(netns, () -> ServerSocketChannel.open(family));
  }

  /**
   * Creates channels on the namespace thread inside {@code netns}. Only the socket(2) calls run
   * there (the thread warmed NIO up at home, so it starts no thread); everything else — options,
   * connect, bind, select — the caller does from its own thread.
   */
  private <C> C openChannel(Netns netns, NetnsSwitcher.Inside<C> open)
      throws NoDataException, IOException {
    if (closed) {
      throw new IOException("namespace handles are closed");
    }
    netns = withInode(netns);
    boolean home = netns.inode() == switcher.homeInode();
    if (!home && (othersDisabled != null || switcher.broken() != null)) {
      return null;
    }
    try {
      return switcher.inside(netns.nsPath(), netns.inode(), open);
    } catch (NetlinkException e) {
      if (home) {
        throw e;
      }
      cannotEnter(netns, e, "opening a socket", "no socket this time");
      return null;
    }
  }

  /** Why entering {@code netns} failed, logged once; EPERM turns entering off for good. */
  private void cannotEnter(Netns netns, NetlinkException e, String what, String consequence) {
    if (e.errno() == LibC.EPERM || e.errno() == 13 /* EACCES */) {
      othersDisabled = e.getMessage();
      LOG.warn(
          "cannot enter other network namespaces ({}): reading them by forking nsenter",
          e.getMessage());
    } else if (loggedFailures.add(e.getMessage())) {
      LOG.warn("{} in {} failed: {}; {}", what, netns.label(), e, consequence);
    }
  }

  /** A stand-in whose inode nobody read (the run loop's host fallback) gets it read now. */
  private static Netns withInode(Netns netns) throws IOException {
    if (netns.inode() != 0) {
      return netns;
    }
    return new Netns(
        netns.label(),
        NsInode.of(netns.nsPath()),
        netns.nsPath(),
        netns.pid(),
        netns.host(),
        netns.kind());
  }

  private LiveNetnsHandles openHandles(Netns netns) throws IOException, NoDataException {
    return switcher.inside(
        netns.nsPath(),
        netns.inode(),
        () -> {
          NetlinkSocket route = NetlinkSocket.open(LibC.NETLINK_ROUTE, RECEIVE_TIMEOUT);
          NetlinkSocket netfilter;
          try {
            netfilter = NetlinkSocket.open(LibC.NETLINK_NETFILTER, RECEIVE_TIMEOUT);
          } catch (NetlinkException e) {
            netfilter = null; // nfnetlink not built: the firewall source forks nft as before
          }
          return new LiveNetnsHandles(
              netns.inode(), netns.nsPath(), route, netfilter, this::openInside);
        });
  }

  private Map<String, FileChannel> openInside(LiveNetnsHandles handles, List<String> names)
      throws IOException, NoDataException {
    Map<String, Integer> fds =
        switcher.inside(
            handles.nsPath(), handles.inode(), () -> LiveNetnsHandles.openNetFds(names));
    return LiveNetnsHandles.toChannels(fds);
  }

  /** Closes the handles of namespaces that are gone or unused; at most once per sweepEvery. */
  void sweepIfDue() {
    long now = System.nanoTime();
    if (now - lastSweepNanos < sweepEvery.toNanos()) {
      return;
    }
    lastSweepNanos = now;
    for (LiveNetnsHandles handles : new ArrayList<>(byInode.values())) {
      if (handles.inode() == switcher.homeInode()) {
        continue;
      }
      String why = null;
      if (now - handles.lastUsedNanos() > idleAfter.toNanos()) {
        why = "unused for " + idleAfter;
      } else if (!stillThere(handles.nsPath(), handles.inode())) {
        why = "no longer listed at " + handles.nsPath();
      }
      if (why != null) {
        byInode.remove(handles.inode(), handles);
        handles.close();
        LOG.debug("closed the handles of network namespace {}: {}", handles.inode(), why);
      }
    }
  }

  private static boolean stillThere(Path nsPath, long inode) {
    try {
      return NsInode.of(nsPath) == inode;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Null while other namespaces can be entered; else why not (no permission, or the namespace
   * thread retired after a failed return check). For tests and health.
   */
  public String cannotEnterBecause() {
    String retired = switcher.broken();
    return retired != null ? "namespace thread retired: " + retired : othersDisabled;
  }

  /** How many namespaces have open handles; for tests and health. */
  public int openNamespaces() {
    return byInode.size();
  }

  @Override
  public void close() {
    closed = true;
    for (LiveNetnsHandles handles : byInode.values()) {
      handles.close();
    }
    byInode.clear();
    switcher.close();
  }
}
