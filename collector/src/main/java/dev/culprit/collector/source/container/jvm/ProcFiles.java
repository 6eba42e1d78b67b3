package dev.culprit.collector.source.container.jvm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parsers for the per-process {@code /proc/<pid>} files the JVM probe reads. */
final class ProcFiles {

  private ProcFiles() {}

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
      return Long.parseLong(parts[0]) * 1024;
    } catch (NumberFormatException e) {
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

  /**
   * Field 22 of {@code stat}, the start time in clock ticks since boot: with the pid, the identity
   * of a process across pid reuse. The comm (field 2) may contain spaces and parentheses, so fields
   * are counted after its last ')'.
   */
  static Long startTimeTicks(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return null;
    }
    String[] fields = stat.substring(close + 1).trim().split("\\s+");
    // fields[0] is field 3 (state); the start time is field 22.
    if (fields.length < 20) {
      return null;
    }
    try {
      return Long.parseLong(fields[19]);
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

  /** {@code MemTotal} of {@code /proc/meminfo} in bytes. */
  static long memTotalBytes(Path procRoot) throws IOException {
    String meminfo = Files.readString(procRoot.resolve("meminfo"), StandardCharsets.US_ASCII);
    String value = statusField(meminfo, "MemTotal");
    if (value == null) {
      throw new IOException("no MemTotal in " + procRoot.resolve("meminfo"));
    }
    return Long.parseLong(value.split("\\s+")[0]) * 1024;
  }
}
