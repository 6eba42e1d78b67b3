package dev.culprit.collector.source.qdisc;

import java.util.Locale;

/**
 * Reads the units {@code tc} prints (iproute2 {@code tc_util.c}): rates ({@code 8Kbit}, {@code
 * 1Mibit}, {@code 125Kbps}), sizes ({@code 1600b}, {@code 2Kb}, {@code 7p}), times ({@code 100ms},
 * {@code 1.5s}, {@code 0us}) and percentages ({@code 30%}). Null when the text is not one.
 */
final class TcUnits {

  private TcUnits() {}

  /** A rate in bits per second. SI prefixes are powers of 1000, IEC ({@code Ki}) of 1024. */
  static Long rateBitsPerSecond(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    double scale;
    String number;
    if (t.endsWith("bit")) {
      number = t.substring(0, t.length() - 3);
      scale = 1;
    } else if (t.endsWith("bps")) {
      number = t.substring(0, t.length() - 3);
      scale = 8;
    } else {
      return null;
    }
    double prefix = 1;
    if (number.endsWith("i")) {
      number = number.substring(0, number.length() - 1);
      prefix = iecPrefix(number);
    } else {
      prefix = siPrefix(number);
    }
    if (prefix != 1) {
      number = number.substring(0, number.length() - 1);
    }
    Double value = decimal(number);
    return value == null ? null : Math.round(value * prefix * scale);
  }

  /** A size in bytes ({@code 1600b}, {@code 2Kb}, {@code 1Mb}: binary prefixes, as tc prints). */
  static Long sizeBytes(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    if (!t.endsWith("b")) {
      return null;
    }
    String number = t.substring(0, t.length() - 1);
    long scale = 1;
    if (number.endsWith("k")) {
      scale = 1024;
    } else if (number.endsWith("m")) {
      scale = 1024 * 1024;
    } else if (number.endsWith("g")) {
      scale = 1024L * 1024 * 1024;
    }
    if (scale != 1) {
      number = number.substring(0, number.length() - 1);
    }
    Double value = decimal(number);
    return value == null ? null : Math.round(value * scale);
  }

  /** A packet count ({@code 7p}, or a bare number). */
  static Long packets(String text) {
    String number = text.endsWith("p") ? text.substring(0, text.length() - 1) : text;
    Double value = decimal(number);
    return value == null ? null : Math.round(value);
  }

  /** A time in microseconds ({@code 100ms}, {@code 1.5s}, {@code 250us}, {@code 10ns}). */
  static Long timeMicros(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    double scale;
    String number;
    if (t.endsWith("us") || t.endsWith("usec")) {
      number = t.substring(0, t.indexOf('u'));
      scale = 1;
    } else if (t.endsWith("ms") || t.endsWith("msec")) {
      number = t.substring(0, t.indexOf('m'));
      scale = 1_000;
    } else if (t.endsWith("ns") || t.endsWith("nsec")) {
      number = t.substring(0, t.indexOf('n'));
      scale = 0.001;
    } else if (t.endsWith("s") || t.endsWith("sec")) {
      number = t.substring(0, t.indexOf('s'));
      scale = 1_000_000;
    } else {
      return null;
    }
    Double value = decimal(number);
    return value == null ? null : Math.round(value * scale);
  }

  /** A percentage ({@code 30%}). */
  static Double percent(String text) {
    return text.endsWith("%") ? decimal(text.substring(0, text.length() - 1)) : null;
  }

  private static double siPrefix(String number) {
    if (number.isEmpty()) {
      return 1;
    }
    return switch (number.charAt(number.length() - 1)) {
      case 'k' -> 1e3;
      case 'm' -> 1e6;
      case 'g' -> 1e9;
      case 't' -> 1e12;
      default -> 1;
    };
  }

  private static double iecPrefix(String number) {
    if (number.isEmpty()) {
      return 1;
    }
    return switch (number.charAt(number.length() - 1)) {
      case 'k' -> 1024d;
      case 'm' -> 1024d * 1024;
      case 'g' -> 1024d * 1024 * 1024;
      case 't' -> 1024d * 1024 * 1024 * 1024;
      default -> 1;
    };
  }

  private static Double decimal(String number) {
    try {
      return Double.valueOf(number);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
