package dev.culprit.collector.platform.netlink;

import com.sun.jna.LastErrorException;
import dev.culprit.collector.platform.netns.NsInode;
import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.spi.NoDataException;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens things inside another network namespace on one dedicated thread: {@code setns} into it,
 * open (netlink sockets, procfs files, TCP sockets for probes — all stay bound to that namespace
 * for life), {@code setns} back, and check with {@code /proc/thread-self/ns/net} that the thread
 * really is home again.
 *
 * <p>{@code setns} moves only the calling thread, so no other thread of the collector ever leaves
 * its namespace, and this thread never runs anything but these short opens (plain syscalls: the
 * first use of Java's file I/O would start a JDK thread, inheriting the namespace; NIO socket
 * channels are opened once at home first, so opening one inside starts nothing). Every return is
 * checked: this thread's namespace inode, and that no thread of the process is outside the home
 * namespace. If either fails, this thread is never used again: it logs at ERROR, refuses all
 * further work and ends, and callers fall back to forking {@code nsenter}.
 */
final class NetnsSwitcher implements AutoCloseable {

  /** The calling thread's own namespace link, not the host's procfs: it names this thread. */
  static final Path THREAD_NS = Path.of("/proc/thread-self/ns/net");

  /** This process's threads, to prove none stayed behind in another namespace. */
  private static final Path TASKS = Path.of("/proc/self/task");

  /**
   * Thread ids of every live namespace thread in this JVM (more than one cache may exist): they may
   * be inside another namespace by design, so the stray-thread check leaves them out.
   */
  private static final java.util.Set<String> SWITCH_THREADS =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static final Logger LOG = LoggerFactory.getLogger(NetnsSwitcher.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private final ThreadPoolExecutor thread;
  private final int homeFd;
  private final long homeInode;
  private volatile String broken;

  /** Work done inside a namespace; must not block, fork or start threads. */
  @FunctionalInterface
  interface Inside<T> {
    T run() throws IOException;
  }

  private NetnsSwitcher(ThreadPoolExecutor thread, int homeFd, long homeInode) {
    this.thread = thread;
    this.homeFd = homeFd;
    this.homeInode = homeInode;
  }

  /** Starts the thread and opens its way home (an fd of its own namespace). */
  static NetnsSwitcher start() throws NetlinkException {
    return start(THREAD_NS);
  }

  /**
   * Starts the thread with {@code wayHome} as the namespace it returns to, while the namespace it
   * must be in afterwards is the one it starts in. Only tests pass anything but {@link #THREAD_NS}:
   * another namespace there makes the return check fail, which must retire the thread.
   */
  static NetnsSwitcher start(Path wayHome) throws NetlinkException {
    ThreadPoolExecutor thread =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(() -> runAsSwitchThread(r), "culprit-netns-switch");
              t.setDaemon(true);
              return t;
            });
    try {
      long[] home =
          thread
              .submit(
                  () -> {
                    warmUp();
                    int fd = LibC.open(wayHome.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
                    return new long[] {fd, NsInode.of(THREAD_NS)};
                  })
              .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return new NetnsSwitcher(thread, (int) home[0], home[1]);
    } catch (ExecutionException | TimeoutException e) {
      thread.shutdownNow();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new NetlinkException("cannot open " + THREAD_NS + ": " + cause);
    } catch (InterruptedException e) {
      thread.shutdownNow();
      Thread.currentThread().interrupt();
      throw new NetlinkException("interrupted starting the namespace thread", LibC.EINTR);
    }
  }

  private static void runAsSwitchThread(Runnable worker) {
    String tid = null;
    try {
      tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
      SWITCH_THREADS.add(tid);
    } catch (IOException e) {
      // no thread-self: the stray check then also sees this thread (and retires on doubt)
    }
    try {
      worker.run();
    } finally {
      // A retired thread that could not get home stays listed: the kernel may still show it,
      // outside, for a moment after it ends.
      if (tid != null && atProcessHome()) {
        SWITCH_THREADS.remove(tid);
      }
    }
  }

  /** Whether this thread is in the namespace of the process's main thread. */
  private static boolean atProcessHome() {
    try {
      return NsInode.of(THREAD_NS) == NsInode.of(Path.of("/proc/self/ns/net"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Does, at home, everything later done inside other namespaces, so any lazy class loading or
   * JVM/JNA helper thread it triggers starts here: a thread started while this one is inside
   * another namespace would live in it for good.
   */
  private static void warmUp() throws IOException {
    NetlinkSocket.open(LibC.NETLINK_ROUTE, Duration.ofSeconds(1)).close();
    try {
      NetlinkSocket.open(LibC.NETLINK_NETFILTER, Duration.ofSeconds(1)).close();
    } catch (NetlinkException e) {
      // no nfnetlink here: never opened later either
    }
    LiveNetnsHandles.toChannels(LiveNetnsHandles.openNetFds(List.of("snmp")))
        .values()
        .forEach(
            channel -> {
              try {
                channel.close();
              } catch (IOException ignored) {
                // closed anyway
              }
            });
    NsInode.of(THREAD_NS);
    // Probes open TCP sockets inside namespaces (and tests listeners): load NIO's selector
    // provider, native library and channel classes here, at home.
    for (ProtocolFamily family :
        List.of(StandardProtocolFamily.INET, StandardProtocolFamily.INET6)) {
      try {
        SocketChannel.open(family).close();
        ServerSocketChannel.open(family).close();
      } catch (IOException | UnsupportedOperationException e) {
        // no IPv6 in this kernel: never opened later either
      }
    }
  }

  /** The inode of the namespace the collector lives in. */
  long homeInode() {
    return homeInode;
  }

  /** Null while usable; else why it was retired. */
  String broken() {
    return broken;
  }

  /**
   * Runs {@code inside} in the namespace that {@code nsPath} opens, which must be {@code inode}; in
   * the home namespace directly (no switch).
   *
   * @throws NoDataException when the namespace is gone or {@code nsPath} now names another one
   * @throws NetlinkException when switching is impossible (no CAP_SYS_ADMIN: EPERM) or this
   *     switcher was retired
   */
  <T> T inside(Path nsPath, long inode, Inside<T> inside) throws IOException, NoDataException {
    if (broken != null) {
      throw new NetlinkException("namespace thread retired: " + broken);
    }
    // The caller may stop waiting (timeout, interrupt) while the task runs on: then whatever it
    // opened (sockets, channels) has no owner and is closed here, by whichever side sees it last.
    AtomicBoolean abandoned = new AtomicBoolean();
    Future<T> result;
    try {
      result =
          thread.submit(
              () -> {
                T value = switchAndRun(nsPath, inode, inside);
                if (abandoned.get()) {
                  closeQuietly(value);
                }
                return value;
              });
    } catch (RejectedExecutionException e) {
      throw new NetlinkException("namespace thread retired: " + broken);
    }
    try {
      return result.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof NoDataException noData) {
        throw noData;
      }
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new NetlinkException("in namespace " + nsPath + ": " + cause);
    } catch (TimeoutException e) {
      abandon(result, abandoned);
      throw new NetlinkException("namespace thread did not answer in " + CALL_TIMEOUT);
    } catch (InterruptedException e) {
      abandon(result, abandoned);
      Thread.currentThread().interrupt();
      throw new NetlinkException("interrupted", LibC.EINTR);
    }
  }

  /** Gives up on a call: not started, it never runs; finished meanwhile, its result is closed. */
  private static void abandon(Future<?> result, AtomicBoolean abandoned) {
    abandoned.set(true);
    result.cancel(false);
    if (result.isDone() && !result.isCancelled()) {
      try {
        closeQuietly(result.get());
      } catch (ExecutionException
          | InterruptedException
          | java.util.concurrent.CancellationException e) {
        // nothing to close
      }
    }
  }

  /** Closes what a call returned when it holds resources: one, or a collection of them. */
  static void closeQuietly(Object value) {
    if (value instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // released as far as it goes
      }
    } else if (value instanceof java.util.Collection<?> many) {
      many.forEach(NetnsSwitcher::closeQuietly);
    } else if (value instanceof java.util.Map<?, ?> map) {
      map.values().forEach(NetnsSwitcher::closeQuietly);
    }
  }

  private <T> T switchAndRun(Path nsPath, long inode, Inside<T> inside)
      throws IOException, NoDataException {
    if (inode == homeInode) {
      return inside.run();
    }
    int fd;
    try {
      fd = LibC.open(nsPath.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
    } catch (LastErrorException e) {
      if (e.getErrorCode() == LibC.ENOENT) {
        throw new NoDataException("network namespace " + nsPath + " is gone");
      }
      throw new NetlinkException(
          "open " + nsPath + ": errno " + e.getErrorCode(), e.getErrorCode());
    }
    try {
      try {
        LibC.setns(fd, LibC.CLONE_NEWNET);
      } catch (LastErrorException e) {
        // Nothing changed: setns either switches or fails without effect.
        throw new NetlinkException(
            "setns into " + nsPath + ": errno " + e.getErrorCode(), e.getErrorCode());
      }
      try {
        long now = NsInode.of(THREAD_NS);
        if (now != inode) {
          throw new NoDataException(
              nsPath + " is now namespace " + now + ", not " + inode + " (recycled pid?)");
        }
        return inside.run();
      } finally {
        goHome(nsPath);
      }
    } finally {
      try {
        LibC.close(fd);
      } catch (LastErrorException ignored) {
        // released anyway
      }
    }
  }

  /** Back to the home namespace, verified; on any doubt this thread retires for good. */
  private void goHome(Path from) {
    String failure = null;
    try {
      LibC.setns(homeFd, LibC.CLONE_NEWNET);
      long now = NsInode.of(THREAD_NS);
      if (now != homeInode) {
        failure = "after setns home the thread is in namespace " + now + ", not " + homeInode;
      }
    } catch (LastErrorException e) {
      failure = "setns home failed: errno " + e.getErrorCode();
    } catch (IOException e) {
      failure = "cannot read " + THREAD_NS + " after setns home: " + e.getMessage();
    }
    if (failure == null) {
      failure = strayThreads();
    }
    if (failure != null) {
      broken = failure + " (coming back from " + from + ")";
      LOG.error(
          "NAMESPACE THREAD STUCK OUTSIDE THE COLLECTOR'S NAMESPACE: {}. Retiring it; other"
              + " namespaces are read by forking nsenter from now on.",
          broken);
      // This thread finishes the current task (what it opened is bound to the namespace it was
      // opened in, so still right) and ends; nothing queued runs.
      thread.shutdownNow();
    }
  }

  /**
   * Threads of this process outside the home namespace: one started while this thread was away
   * inherited the namespace. That must never happen (nothing started here starts threads); if it
   * does, switching stops for good.
   */
  private String strayThreads() {
    StringBuilder stray = new StringBuilder();
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(TASKS)) {
      for (Path task : tasks) {
        if (SWITCH_THREADS.contains(task.getFileName().toString())) {
          continue;
        }
        long inode;
        try {
          inode = NsInode.of(task.resolve("ns").resolve("net"));
        } catch (IOException exited) {
          continue;
        }
        if (inode != homeInode) {
          String comm;
          try {
            comm = ProcFiles.read(task.resolve("comm"), ProcFiles.SMALL_BYTES).strip();
          } catch (IOException e) {
            comm = "?";
          }
          stray.append(' ').append(task.getFileName()).append(" (").append(comm).append(')');
        }
      }
    } catch (IOException e) {
      return "cannot list " + TASKS + ": " + e.getMessage();
    }
    return stray.length() == 0 ? null : "threads outside the collector's namespace:" + stray;
  }

  @Override
  public void close() {
    thread.shutdownNow();
    try {
      LibC.close(homeFd);
    } catch (LastErrorException ignored) {
      // released anyway
    }
  }

  /** Whether the thread has ended (after {@link #close()} or retirement); for tests. */
  boolean terminated() throws InterruptedException {
    return thread.awaitTermination(5, TimeUnit.SECONDS);
  }
}
