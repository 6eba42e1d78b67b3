package dev.culprit.collector.platform.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the inode of a namespace link ({@code /proc/PID/ns/net -> net:[4026531840]}). */
public final class NsInode {

  private NsInode() {}

  /**
   * The inode of a {@code /proc/PID/ns/net} link: one readlink, for scanning every process (no
   * check whether it is a bind-mounted namespace file instead).
   *
   * @throws IOException when it cannot be read (process gone, no permission, a kernel thread)
   */
  public static long ofProcLink(Path link) throws IOException {
    return parse(link, Files.readSymbolicLink(link).toString());
  }

  /**
   * The namespace inode {@code link} points at.
   *
   * @throws IOException when it cannot be read (process gone, no permission)
   */
  public static long of(Path link) throws IOException {
    if (Files.isSymbolicLink(link)) {
      return parse(link, Files.readSymbolicLink(link).toString());
    }
    // A bind-mounted namespace file (/var/run/netns/NAME) is an nsfs inode itself.
    Object ino = Files.getAttribute(link, "unix:ino");
    return ((Number) ino).longValue();
  }

  /** {@code net:[4026531840]} → 4026531840. */
  private static long parse(Path link, String target) throws IOException {
    int open = target.indexOf('[');
    int close = target.indexOf(']', open + 1);
    if (open >= 0 && close > open) {
      try {
        return Long.parseLong(target.substring(open + 1, close));
      } catch (NumberFormatException e) {
        throw new IOException(link + ": unexpected namespace link " + target, e);
      }
    }
    throw new IOException(link + ": unexpected namespace link " + target);
  }
}
