package dev.culprit.lab.oracle;

import dev.culprit.lab.LabException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /proc/net/stat/nf_conntrack} of one namespace: a header, then one line of hexadecimal
 * counters per CPU. The per-CPU values are summed, except {@code entries}, which every line repeats
 * (it is the namespace's table size, not a per-CPU counter).
 *
 * <pre>
 * entries  clashres found new invalid ignore delete chainlength insert insert_failed drop early_drop …
 * 00000048  00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 0000000c 00000000 …
 * </pre>
 */
public final class ProcConntrackStat {

  private ProcConntrackStat() {}

  public static Map<String, Long> parse(String text) {
    String[] lines = text.strip().split("\n");
    String[] names = lines[0].trim().split("\\s+");
    Map<String, Long> totals = new LinkedHashMap<>();
    for (String name : names) {
      totals.put(name, 0L);
    }
    for (int i = 1; i < lines.length; i++) {
      String[] values = lines[i].trim().split("\\s+");
      if (values.length != names.length) {
        throw new LabException(
            "nf_conntrack stat line "
                + (i + 1)
                + " has "
                + values.length
                + " values for "
                + names.length
                + " names");
      }
      for (int c = 0; c < names.length; c++) {
        long value = Long.parseUnsignedLong(values[c], 16);
        if (names[c].equals("entries")) {
          totals.put("entries", value);
        } else {
          totals.merge(names[c], value, Long::sum);
        }
      }
    }
    return totals;
  }
}
