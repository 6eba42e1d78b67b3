package dev.culprit.collector.source.container;

import java.io.IOException;

/** A cgroup file whose content is not in a format this collector knows; names file and line. */
public final class CgroupFormatException extends IOException {

  public CgroupFormatException(String file, int lineNumber, String reason, String line) {
    super(file + (lineNumber > 0 ? ":" + lineNumber : "") + ": " + reason + ": '" + line + "'");
  }
}
