package dev.culprit.collector.source.container.jvm;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsers for the per-process {@code /proc/<pid>} texts the JVM probe reads (the reading itself is
 * {@link dev.culprit.collector.platform.procfs.ProcFiles}, capped).
 */
final class ProcPidText {

  private ProcPidText() {}

  /** {@code cmdline} / {@code environ}: NUL-separated strings. */
  static List<String> nulSeparated(byte[] bytes) {
    List<String> parts = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      parts.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
    }
    return parts;
  }

  /** The variables of {@code environ} that decide JVM options. */
  static Map<String, String> javaEnvironment(List<String> environ) {
    Map<String, String> env = new HashMap<>();
    for (String entry : environ) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String name = entry.substring(0, eq);
      if (name.equals("JAVA_TOOL_OPTIONS")
          || name.equals("JDK_JAVA_OPTIONS")
          || name.equals("_JAVA_OPTIONS")) {
        env.put(name, entry.substring(eq + 1));
      }
    }
    return env;
  }

  /**
   * A field of {@code status} ("VmRSS:\t 123456 kB", "NSpid:\t32361\t1").
   *
   * @return the field's value with the label removed, or null
   */
  static String statusField(String status, String field) {
    for (String line : status.split("\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return null;
  }

  /** {@code VmRSS} in bytes, or null (kernel threads and zombies have none). */
  static Long rssBytes(String status) {
    String value = statusField(status, "VmRSS");
    if (value == null) {
      return null;
    }
    String[] parts = value.split("\\s+");
    try {
      return Math.multiplyExact(Long.parseLong(parts[0]), 1024L);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  /** The innermost pid of {@code NSpid} (the pid inside the container), or null before 4.1. */
  static Integer nsPid(String status) {
    String value = statusField(status, "NSpid");
    if (value == null || value.isEmpty()) {
      return null;
    }
    String[] parts = value.split("\\s+");
    try {
      return Integer.parseInt(parts[parts.length - 1]);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** {@code JAVA_VERSION="17.0.15"} from a JDK's {@code release} file. */
  static String releaseJavaVersion(String release) {
    for (String line : release.split("\n")) {
      if (line.startsWith("JAVA_VERSION=")) {
        return line.substring("JAVA_VERSION=".length()).replace("\"", "").trim();
      }
    }
    return null;
  }

  /** {@code MemTotal} of {@code /proc/meminfo} in bytes, or null when absent or malformed. */
  static Long memTotalBytes(String meminfo) {
    String value = statusField(meminfo, "MemTotal");
    if (value == null) {
      return null;
    }
    try {
      return Math.multiplyExact(Long.parseLong(value.split("\\s+")[0]), 1024L);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }
}
