package dev.culprit.collector.platform.netlink;

import java.io.IOException;

/** A netlink request that failed: the kernel answered with an error, or the reply was malformed. */
public final class NetlinkException extends IOException {

  private final int errno;

  public NetlinkException(String message) {
    this(message, 0);
  }

  /**
   * @param errno the positive errno the kernel or libc reported, 0 when none
   */
  public NetlinkException(String message, int errno) {
    super(message);
    this.errno = errno;
  }

  /** The positive errno, or 0 for a malformed reply. */
  public int errno() {
    return errno;
  }
}
