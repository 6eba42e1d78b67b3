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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads cgroup files, telling "file absent" (null) from "cgroup removed" (an exception). */
final class CgroupFiles {

  private static final Logger LOG = LoggerFactory.getLogger(CgroupFiles.class);

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

  /** A one-number file, or null when absent or not a number (that field only is lost). */
  static Long optionalLong(Path dir, String file, String cgroupPath) throws IOException {
    return optionalValue(dir, file, cgroupPath, CgroupValueParser::parseLong);
  }

  /**
   * A one-value file through {@code parser}, or null when absent or malformed: one bad value must
   * not lose the other counters of the cgroup, so it becomes an absent field, never an error.
   */
  static <T> T optionalValue(Path dir, String file, String cgroupPath, ValueParser<T> parser)
      throws IOException {
    String text = readOptional(dir, file, cgroupPath);
    if (text == null) {
      return null;
    }
    try {
      return parser.parse(file, text);
    } catch (CgroupFormatException e) {
      LOG.debug("{}: {}", cgroupPath, e.getMessage());
      return null;
    }
  }

  static Map<String, Long> optionalKeyed(Path dir, String file, String cgroupPath)
      throws IOException {
    String text = readOptional(dir, file, cgroupPath);
    return text == null ? Map.of() : FlatKeyedFileParser.parse(file, text);
  }

  /** One of {@link CgroupValueParser}'s parsers. */
  interface ValueParser<T> {
    T parse(String file, String text) throws CgroupFormatException;
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
