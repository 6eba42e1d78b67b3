package dev.culprit.collector.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the inode of a namespace link ({@code /proc/PID/ns/net -> net:[4026531840]}). */
public final class NsInode {

  private NsInode() {}

  /**
   * The namespace inode {@code link} points at.
   *
   * @throws IOException when it cannot be read (process gone, no permission)
   */
  public static long of(Path link) throws IOException {
    if (Files.isSymbolicLink(link)) {
      String target = Files.readSymbolicLink(link).toString();
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
    // A bind-mounted namespace file (/var/run/netns/NAME) is an nsfs inode itself.
    Object ino = Files.getAttribute(link, "unix:ino");
    return ((Number) ino).longValue();
  }
}
