package dev.culprit.collector.source.container.jvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The heap-deciding JVM options of one process, with HotSpot's precedence (the last occurrence
 * wins; {@code JAVA_TOOL_OPTIONS} before {@code JDK_JAVA_OPTIONS} before the command line before
 * {@code _JAVA_OPTIONS}).
 *
 * @param maxHeapBytes {@code -Xmx} / {@code -XX:MaxHeapSize=}, or null
 * @param maxRamPercentage {@code -XX:MaxRAMPercentage=} (or 100 / {@code MaxRAMFraction}), or null
 * @param minRamPercentage {@code -XX:MinRAMPercentage=}, or null
 * @param maxRamBytes {@code -XX:MaxRAM=}, or null
 * @param useContainerSupport {@code -XX:±UseContainerSupport}, or null when not given
 * @param flags the heap-deciding options as given, in order
 */
public record JvmOptions(
    Long maxHeapBytes,
    Double maxRamPercentage,
    Double minRamPercentage,
    Long maxRamBytes,
    Boolean useContainerSupport,
    List<String> flags) {

  /** Launcher options that take the next argument as their value. */
  private static final Set<String> WITH_VALUE =
      Set.of(
          "-cp",
          "-classpath",
          "--class-path",
          "-p",
          "--module-path",
          "--upgrade-module-path",
          "--add-modules",
          "--limit-modules",
          "--add-reads",
          "--add-exports",
          "--add-opens",
          "--patch-module",
          "--enable-native-access");

  public JvmOptions {
    flags = List.copyOf(flags);
  }

  /**
   * Reads the JVM options from the option sources in increasing precedence.
   *
   * @param javaToolOptions {@code JAVA_TOOL_OPTIONS} or null
   * @param jdkJavaOptions {@code JDK_JAVA_OPTIONS} or null
   * @param argv the command line, {@code argv[0]} being the launcher
   * @param underscoreJavaOptions {@code _JAVA_OPTIONS} or null
   */
  public static JvmOptions fromProcess(
      String javaToolOptions,
      String jdkJavaOptions,
      List<String> argv,
      String underscoreJavaOptions) {
    List<String> all = new ArrayList<>();
    all.addAll(split(javaToolOptions));
    all.addAll(split(jdkJavaOptions));
    all.addAll(launcherOptions(argv));
    all.addAll(split(underscoreJavaOptions));
    return parse(all);
  }

  /** Reads options already separated (hsperfdata's {@code java.rt.vmArgs} split on spaces). */
  public static JvmOptions parse(List<String> options) {
    Long maxHeap = null;
    Double maxPct = null;
    Double minPct = null;
    Long maxRam = null;
    Boolean containerSupport = null;
    List<String> flags = new ArrayList<>();
    for (String o : options) {
      boolean relevant = true;
      if (o.startsWith("-Xmx")) {
        maxHeap = size(o.substring(4));
      } else if (o.startsWith("-XX:MaxHeapSize=")) {
        maxHeap = size(o.substring("-XX:MaxHeapSize=".length()));
      } else if (o.startsWith("-XX:MaxRAMPercentage=")) {
        maxPct = number(o.substring("-XX:MaxRAMPercentage=".length()));
      } else if (o.startsWith("-XX:MaxRAMFraction=")) {
        Double fraction = number(o.substring("-XX:MaxRAMFraction=".length()));
        maxPct = fraction == null || fraction <= 0 ? null : 100.0 / fraction;
      } else if (o.startsWith("-XX:MinRAMPercentage=")) {
        minPct = number(o.substring("-XX:MinRAMPercentage=".length()));
      } else if (o.startsWith("-XX:MaxRAM=")) {
        maxRam = size(o.substring("-XX:MaxRAM=".length()));
      } else if (o.equals("-XX:+UseContainerSupport")) {
        containerSupport = true;
      } else if (o.equals("-XX:-UseContainerSupport")) {
        containerSupport = false;
      } else {
        relevant = false;
      }
      if (relevant) {
        flags.add(o);
      }
    }
    return new JvmOptions(maxHeap, maxPct, minPct, maxRam, containerSupport, flags);
  }

  /** A HotSpot size: digits with an optional k/m/g/t suffix (either case). Null when invalid. */
  static Long size(String text) {
    if (text.isEmpty()) {
      return null;
    }
    char last = Character.toLowerCase(text.charAt(text.length() - 1));
    long unit =
        switch (last) {
          case 'k' -> 1L << 10;
          case 'm' -> 1L << 20;
          case 'g' -> 1L << 30;
          case 't' -> 1L << 40;
          default -> 1;
        };
    String digits = unit == 1 ? text : text.substring(0, text.length() - 1);
    try {
      return Math.multiplyExact(Long.parseLong(digits), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  private static Double number(String text) {
    try {
      return Double.parseDouble(text.toLowerCase(Locale.ROOT));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** The JVM options of a command line: everything between the launcher and the main class. */
  private static List<String> launcherOptions(List<String> argv) {
    List<String> options = new ArrayList<>();
    for (int i = 1; i < argv.size(); i++) {
      String a = argv.get(i);
      if (WITH_VALUE.contains(a)) {
        i++;
        continue;
      }
      if (a.equals("-jar") || a.equals("-m") || a.equals("--module") || !a.startsWith("-")) {
        break;
      }
      options.add(a);
    }
    return options;
  }

  private static List<String> split(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return List.of(value.trim().split("\\s+"));
  }
}
