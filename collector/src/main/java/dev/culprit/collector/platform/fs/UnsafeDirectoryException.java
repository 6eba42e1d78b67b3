package dev.culprit.collector.platform.fs;

import java.io.IOException;

/** A directory another user owns or may write in: culprit will not write there as root. */
public final class UnsafeDirectoryException extends IOException {

  private static final long serialVersionUID = 1L;

  public UnsafeDirectoryException(String message) {
    super(message);
  }
}
