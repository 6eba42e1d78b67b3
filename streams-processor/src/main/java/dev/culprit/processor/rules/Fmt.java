package dev.culprit.processor.rules;

import java.math.BigDecimal;
import java.util.Locale;

/** Numbers in sentences and commands, formatted the same way everywhere. */
public final class Fmt {

  private Fmt() {}

  /**
   * 0.3 → "30 %", 0.125 → "13 %", 0.095 → "9.5 %", 0.0004 → "0.04 %", 0.9956 → "99.6 %" (never "100
   * %").
   */
  public static String percent(double share) {
    double p = share * 100;
    if (p >= 10 && (Math.round(p) < 100 || p >= 100)) {
      return Math.round(p) + " %";
    }
    if (p >= 10) {
      return trim(String.format(Locale.ROOT, p >= 99.95 ? "%.2f" : "%.1f", p)) + " %";
    }
    return trim(String.format(Locale.ROOT, p >= 1 ? "%.1f" : "%.2f", p)) + " %";
  }

  /** A window length for a sentence: 10000 → "10 s", 2500 → "2.5 s". */
  public static String seconds(long ms) {
    return trim(String.format(Locale.ROOT, "%.1f", ms / 1000.0)) + " s";
  }

  /** A share rounded for evidence: 4 significant digits are plenty for a ratio. */
  public static double ratio(long part, long whole) {
    return whole <= 0
        ? 0
        : new BigDecimal(part)
            .divide(new BigDecimal(whole), 4, java.math.RoundingMode.HALF_UP)
            .doubleValue();
  }

  /** A probability as iptables takes it: 0.30000000000 → "0.30" when that is what it is. */
  public static String probability(double p) {
    String two = String.format(Locale.ROOT, "%.2f", p);
    if (Math.abs(Double.parseDouble(two) - p) < 1e-6) {
      return two;
    }
    return trim(String.format(Locale.ROOT, "%.6f", p));
  }

  /** A tc rate: 1000000 → "1mbit", 1500000 → "1500kbit", 800 → "800bit". */
  public static String tcRate(long bitsPerSecond) {
    if (bitsPerSecond % 1_000_000_000L == 0 && bitsPerSecond > 0) {
      return bitsPerSecond / 1_000_000_000L + "gbit";
    }
    if (bitsPerSecond % 1_000_000L == 0 && bitsPerSecond > 0) {
      return bitsPerSecond / 1_000_000L + "mbit";
    }
    if (bitsPerSecond % 1_000L == 0 && bitsPerSecond > 0) {
      return bitsPerSecond / 1_000L + "kbit";
    }
    return bitsPerSecond + "bit";
  }

  /** A loss percentage as netem takes it: 30.0 → "30%", 0.5 → "0.5%". */
  public static String netemPercent(double percent) {
    return trim(String.format(Locale.ROOT, "%.4f", percent)) + "%";
  }

  /**
   * Counters for a sentence, leaving out those not reported: ("rx_fifo", 118, "rx_over", null) →
   * "rx_fifo 118".
   */
  public static String counters(Object... namesAndValues) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
      if (namesAndValues[i + 1] != null) {
        out.append(out.length() == 0 ? "" : ", ")
            .append(namesAndValues[i])
            .append(' ')
            .append(namesAndValues[i + 1]);
      }
    }
    return out.toString();
  }

  private static String trim(String decimal) {
    if (!decimal.contains(".")) {
      return decimal;
    }
    String t = decimal.replaceAll("0+$", "");
    return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
  }
}
