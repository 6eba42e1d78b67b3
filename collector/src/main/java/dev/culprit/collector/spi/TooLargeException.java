package dev.culprit.collector.spi;

import java.io.IOException;

/**
 * A file, command output or protocol message larger than the collector is willing to hold. The
 * agent runs with a small heap and any local user can make kernel files, firewall rule sets or a
 * process's files grow: past its cap a read stops instead of growing, and the source reports
 * NO_DATA with this message rather than risking the process.
 */
public final class TooLargeException extends IOException {

  private final long limit;

  public TooLargeException(String what, long limit) {
    super(what + " is larger than " + limit + " bytes (too large to read)");
    this.limit = limit;
  }

  /** The cap that was exceeded, in bytes. */
  public long limit() {
    return limit;
  }
}
