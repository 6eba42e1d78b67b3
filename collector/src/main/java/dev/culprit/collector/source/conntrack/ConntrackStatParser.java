package dev.culprit.collector.source.conntrack;

import dev.culprit.collector.platform.procfs.Words;
import dev.culprit.collector.spi.ParseException;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses {@code /proc/net/stat/nf_conntrack}: a header naming the columns, then one row of
 * hexadecimal values per possible CPU.
 *
 * <pre>
 * entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop icmp_error  expect_new expect_create expect_delete search_restart
 * 00000006  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000  00000000 00000000 00000000 00000000
 * </pre>
 *
 * <p>Columns are taken by header name because they changed over time (Linux 4.x: {@code searched
 * ... delete_list}; 5.x+: {@code clashres ... chainlength}). Every column is a per-CPU counter and
 * is summed, except {@code entries}: the kernel prints the namespace's table size (a gauge) on
 * every row, so summing would multiply it by the CPU count; it is taken once.
 */
public final class ConntrackStatParser {

  /** The gauge column printed identically on every row. */
  public static final String ENTRIES = "entries";

  private ConntrackStatParser() {}

  /**
   * Column name → value summed over CPUs ({@code entries} taken from the first row).
   *
   * @param source the path, for error messages
   */
  public static Map<String, Long> parse(String source, String text) throws ParseException {
    String[] lines = text.split("\n");
    if (lines.length == 0 || lines[0].isBlank()) {
      throw new ParseException(source, 1, "empty: no header");
    }
    String[] names = Words.split(lines[0]);
    long[] sums = new long[names.length];
    int rows = 0;
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = Words.split(line);
      if (fields.length != names.length) {
        throw new ParseException(
            source, i + 1, fields.length + " values for " + names.length + " columns");
      }
      for (int c = 0; c < names.length; c++) {
        long value;
        try {
          value = Long.parseUnsignedLong(fields[c], 16);
        } catch (NumberFormatException e) {
          throw new ParseException(source, i + 1, "not a hex counter: '" + fields[c] + "'", e);
        }
        if (ENTRIES.equals(names[c])) {
          if (rows == 0) {
            sums[c] = value;
          }
        } else {
          sums[c] += value;
        }
      }
      rows++;
    }
    if (rows == 0) {
      throw new ParseException(source, 2, "no per-CPU rows");
    }
    Map<String, Long> out = new TreeMap<>();
    for (int c = 0; c < names.length; c++) {
      out.put(names[c], sums[c]);
    }
    return out;
  }
}
