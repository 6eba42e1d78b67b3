package dev.culprit.collector.source.qdisc;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a qdisc's {@code options} map exactly as {@link TcQdiscJsonParser} would read it from
 * {@code tc -s -j qdisc show}: iproute2's JSON printers (lib/json_print.c) rendered to text, then
 * as Jackson's {@code asText} gives it back — nested objects flattened with dots, arrays joined by
 * spaces, floats through C's {@code %g}. So the netlink path publishes the same strings as the
 * forking one.
 */
final class TcJsonOptions {

  private static final MathContext G_PRECISION = new MathContext(6, RoundingMode.HALF_EVEN);

  private final Map<String, String> map = new TreeMap<>();
  private String prefix = "";

  Map<String, String> map() {
    return map;
  }

  /** {@code open_json_object(name)}; objects nest one level in tc's qdisc options. */
  TcJsonOptions open(String name) {
    prefix = name + ".";
    return this;
  }

  TcJsonOptions close() {
    prefix = "";
    return this;
  }

  /** print_uint / print_u64 / print_size / print_rate / print_hhu: a decimal integer. */
  TcJsonOptions integer(String key, long value) {
    map.put(prefix + key, Long.toString(value));
    return this;
  }

  /** print_u64 of a value held as unsigned 64 bits. */
  TcJsonOptions unsigned64(String key, long value) {
    map.put(prefix + key, Long.toUnsignedString(value));
    return this;
  }

  TcJsonOptions bool(String key, boolean value) {
    map.put(prefix + key, Boolean.toString(value));
    return this;
  }

  TcJsonOptions string(String key, String value) {
    map.put(prefix + key, value);
    return this;
  }

  /** print_float: jsonw_float prints {@code %g}. */
  TcJsonOptions floating(String key, double value) {
    map.put(prefix + key, jacksonText(cG(value)));
    return this;
  }

  /** C's {@code printf("%g", v)}: 6 significant digits, trailing zeros dropped. */
  static String cG(double value) {
    if (value == 0) {
      return (1 / value < 0) ? "-0" : "0";
    }
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    BigDecimal rounded = new BigDecimal(value).round(G_PRECISION);
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= 6) {
      BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
      String sign = exponent < 0 ? "-" : "+";
      int abs = Math.abs(exponent);
      return mantissa.toPlainString() + "e" + sign + (abs < 10 ? "0" : "") + abs;
    }
    return rounded.stripTrailingZeros().toPlainString();
  }

  /** What Jackson's {@code JsonNode.asText()} returns for a JSON number written as {@code text}. */
  static String jacksonText(String text) {
    if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
      return text; // an integer node prints its digits
    }
    return Double.toString(Double.parseDouble(text));
  }
}
