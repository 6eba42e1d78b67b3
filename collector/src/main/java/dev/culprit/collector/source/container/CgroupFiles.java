package dev.culprit.collector.source.container;

import dev.culprit.collector.platform.procfs.ProcFiles;
import dev.culprit.collector.spi.TooLargeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads cgroup files, telling "file absent" (null) from "cgroup removed" (an exception). */
final class CgroupFiles {

  private CgroupFiles() {}

  /** The file's text, or null when this kernel/controller does not have it. */
  static String readOptional(Path dir, String file, String cgroupPath) throws IOException {
    try {
      return ProcFiles.read(dir.resolve(file), maxBytes(file));
    } catch (NoSuchFileException e) {
      if (!Files.isDirectory(dir)) {
        throw new CgroupGoneException(cgroupPath);
      }
      return null;
    } catch (TooLargeException e) {
      throw e;
    } catch (IOException e) {
      // Reading a file of a cgroup being removed fails with ENODEV.
      if (!Files.isDirectory(dir)) {
        throw new CgroupGoneException(cgroupPath);
      }
      throw e;
    }
  }

  /**
   * {@code cgroup.procs} lists one pid per line (at most 8 bytes each); a cgroup with a few 10,000
   * processes fits in the table cap. Every other file this reads is one value or a few dozen "key
   * value" lines.
   */
  private static int maxBytes(String file) {
    return file.equals("cgroup.procs") ? ProcFiles.TABLE_BYTES : ProcFiles.SMALL_BYTES;
  }

  static Long optionalLong(Path dir, String file, String cgroupPath) throws IOException {
    String text = readOptional(dir, file, cgroupPath);
    return text == null ? null : CgroupValueParser.parseLong(file, text);
  }

  static Map<String, Long> optionalKeyed(Path dir, String file, String cgroupPath)
      throws IOException {
    String text = readOptional(dir, file, cgroupPath);
    return text == null ? Map.of() : FlatKeyedFileParser.parse(file, text);
  }

  /** {@code cgroup.procs}: one pid per line, at most {@code max} of them. */
  static List<Integer> pids(Path dir, String cgroupPath, int max) throws IOException {
    String text = readOptional(dir, "cgroup.procs", cgroupPath);
    List<Integer> pids = new ArrayList<>();
    if (text == null) {
      return pids;
    }
    for (String line : text.split("\n")) {
      String s = line.trim();
      if (s.isEmpty()) {
        continue;
      }
      if (pids.size() >= max) {
        break;
      }
      try {
        pids.add(Integer.parseInt(s));
      } catch (NumberFormatException e) {
        throw new CgroupFormatException("cgroup.procs", 0, "not a pid", s);
      }
    }
    return pids;
  }

  static Long times(Long value, long factor) {
    return value == null ? null : value * factor;
  }
}
