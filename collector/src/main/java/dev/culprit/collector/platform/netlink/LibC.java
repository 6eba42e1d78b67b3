package dev.culprit.collector.platform.netlink;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The few libc calls Java 17 lacks: netlink sockets and {@code setns}. JNA direct mapping (static
 * natives bound once) costs about a microsecond per call, against several for interface mapping;
 * {@code throws LastErrorException} makes JNA read errno right after the call, before the JVM can
 * clobber it.
 *
 * <p>{@code size_t}/{@code ssize_t} are mapped to {@code long}: {@link Netlink#available()} refuses
 * any platform where they are not 64 bits wide.
 */
final class LibC {

  static final int AF_NETLINK = 16;
  static final int SOCK_RAW = 3;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int NETLINK_ROUTE = 0;
  static final int NETLINK_NETFILTER = 12;
  static final int SOL_SOCKET = 1;
  static final int SO_RCVTIMEO = 20;
  static final int MSG_TRUNC = 0x20;
  static final int O_RDONLY = 0;
  static final int O_CLOEXEC = 0x80000;
  static final int CLONE_NEWNET = 0x40000000;
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int EPERM = 1;
  static final int EAGAIN = 11;

  static {
    Native.register(NativeLibrary.getInstance("c"));
  }

  private LibC() {}

  static native int socket(int domain, int type, int protocol) throws LastErrorException;

  static native int setsockopt(int fd, int level, int name, byte[] value, int length)
      throws LastErrorException;

  static native long send(int fd, byte[] buffer, long length, int flags) throws LastErrorException;

  static native long recv(int fd, Pointer buffer, long length, int flags) throws LastErrorException;

  static native int open(String path, int flags) throws LastErrorException;

  static native int setns(int fd, int nstype) throws LastErrorException;

  static native int close(int fd) throws LastErrorException;
}
