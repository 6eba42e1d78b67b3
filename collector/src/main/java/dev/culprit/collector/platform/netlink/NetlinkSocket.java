package dev.culprit.collector.platform.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One netlink socket. It belongs, for its whole life, to the network namespace of the thread that
 * created it — which is how the collector reads other namespaces without forking: {@link
 * NetnsSwitcher} creates it inside, every worker thread uses it from outside.
 *
 * <p>One request at a time (a lock): the interface and qdisc sources of one namespace may run in
 * parallel and share it. A receive timeout bounds every {@code recv}, so a call can never hang on a
 * kernel that does not answer. Replies are read into a per-thread 32 KiB native buffer: the kernel
 * sizes dump batches to the largest buffer a reader offered (up to 32 KiB), so a small host's whole
 * link or qdisc dump arrives in one {@code recv}.
 */
public final class NetlinkSocket implements AutoCloseable {

  static final int BUFFER_BYTES = 32 << 10;
  private static final Duration LOCK_WAIT = Duration.ofSeconds(10);
  private static final ThreadLocal<Receive> BUFFERS = ThreadLocal.withInitial(Receive::new);

  private final int fd;
  private final int protocol;
  private final ReentrantLock lock = new ReentrantLock();
  private int seq;
  private boolean closed;

  private NetlinkSocket(int fd, int protocol) {
    this.fd = fd;
    this.protocol = protocol;
  }

  /**
   * Opens a socket of netlink {@code protocol} (NETLINK_ROUTE, NETLINK_NETFILTER) in the calling
   * thread's network namespace.
   */
  static NetlinkSocket open(int protocol, Duration receiveTimeout) throws NetlinkException {
    int fd;
    try {
      fd = LibC.socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, protocol);
    } catch (LastErrorException e) {
      throw new NetlinkException("socket(AF_NETLINK): errno " + e.getErrorCode(), e.getErrorCode());
    }
    try {
      // struct timeval { long tv_sec; long tv_usec; } on LP64
      ByteBuffer tv = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
      tv.putLong(receiveTimeout.toSeconds()).putLong(receiveTimeout.toMillisPart() * 1000L);
      LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv.array(), 16);
    } catch (LastErrorException e) {
      LibC.close(fd);
      throw new NetlinkException("SO_RCVTIMEO: errno " + e.getErrorCode(), e.getErrorCode());
    }
    return new NetlinkSocket(fd, protocol);
  }

  /** The netlink protocol, NETLINK_ROUTE (0) or NETLINK_NETFILTER (12). */
  public int protocol() {
    return protocol;
  }

  /**
   * Sends {@code request} (a whole message; its sequence number is filled in here) and hands every
   * reply message to {@code handler} until NLMSG_DONE.
   *
   * @return true when the kernel flagged the dump as interrupted (the list changed under it)
   */
  public boolean dump(byte[] request, NlMessages.Handler handler) throws NetlinkException {
    return exchange(request, handler, null);
  }

  /**
   * The raw reply datagrams of a dump, end to end, up to and including NLMSG_DONE: what a fixture
   * file holds.
   */
  public byte[] dumpRaw(byte[] request) throws NetlinkException {
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    exchange(request, (type, payload) -> {}, raw);
    return raw.toByteArray();
  }

  private boolean exchange(
      byte[] request, NlMessages.Handler handler, java.io.ByteArrayOutputStream raw)
      throws NetlinkException {
    acquire();
    try {
      if (closed) {
        throw new NetlinkException("netlink socket is closed");
      }
      int mySeq = ++seq & 0x7fffffff;
      byte[] message = request.clone();
      ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).putInt(8, mySeq);
      send(message);
      Receive receive = BUFFERS.get();
      boolean interrupted = false;
      while (true) {
        int n = recv(receive);
        ByteBuffer view = receive.view.duplicate().order(ByteOrder.nativeOrder());
        view.limit(n).position(0);
        if (raw != null) {
          byte[] copy = new byte[n];
          view.get(0, copy);
          raw.write(copy, 0, n);
        }
        NlMessages.Walk walk = NlMessages.walk(view, mySeq, handler);
        interrupted |= walk.interrupted();
        if (walk.done()) {
          return interrupted;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void acquire() throws NetlinkException {
    try {
      if (!lock.tryLock(LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new NetlinkException("netlink socket busy for " + LOCK_WAIT.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NetlinkException("interrupted waiting for the netlink socket", LibC.EINTR);
    }
  }

  private void send(byte[] message) throws NetlinkException {
    while (true) {
      try {
        LibC.send(fd, message, message.length, 0);
        return;
      } catch (LastErrorException e) {
        if (e.getErrorCode() != LibC.EINTR) {
          throw new NetlinkException("netlink send: errno " + e.getErrorCode(), e.getErrorCode());
        }
      }
    }
  }

  private int recv(Receive receive) throws NetlinkException {
    while (true) {
      try {
        // MSG_TRUNC: the real datagram length even when it did not fit, so truncation is seen.
        long n = LibC.recv(fd, receive.memory, BUFFER_BYTES, LibC.MSG_TRUNC);
        if (n > BUFFER_BYTES) {
          throw new NetlinkException("netlink reply of " + n + " bytes truncated");
        }
        return (int) n;
      } catch (LastErrorException e) {
        if (e.getErrorCode() == LibC.EAGAIN) {
          throw new NetlinkException("netlink reply timed out", LibC.EAGAIN);
        }
        if (e.getErrorCode() != LibC.EINTR) {
          throw new NetlinkException("netlink recv: errno " + e.getErrorCode(), e.getErrorCode());
        }
      }
    }
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (!closed) {
        closed = true;
        try {
          LibC.close(fd);
        } catch (LastErrorException ignored) {
          // nothing useful to do: the fd is released either way
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** One thread's receive buffer: native memory and a ByteBuffer view of it. */
  private static final class Receive {
    final Memory memory = new Memory(BUFFER_BYTES);
    final ByteBuffer view = memory.getByteBuffer(0, BUFFER_BYTES);
  }
}
