package dev.culprit.processor.rules.oom;

import java.util.Locale;

/** Memory sizes for sentences and flags, in binary units like the JVM and Docker print them. */
final class Bytes {

  static final long KIB = 1L << 10;
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  private Bytes() {}

  /** 536870912 → "512 MiB", 2092957696 → "1.9 GiB", 2147483648 → "2 GiB", 1500 → "1.5 KiB". */
  static String human(long bytes) {
    if (bytes >= GIB) {
      return decimal(bytes / (double) GIB) + " GiB";
    }
    if (bytes >= MIB) {
      return decimal(bytes / (double) MIB) + " MiB";
    }
    if (bytes >= KIB) {
      return decimal(bytes / (double) KIB) + " KiB";
    }
    return bytes + " B";
  }

  /** A size as -Xmx / docker -m take it, rounded down to whole MiB: "384m". */
  static String flag(long bytes) {
    return Math.max(1, bytes / MIB) + "m";
  }

  private static String decimal(double value) {
    String s =
        value >= 100
            ? String.format(Locale.ROOT, "%.0f", value)
            : String.format(Locale.ROOT, "%.1f", value);
    return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
  }
}
