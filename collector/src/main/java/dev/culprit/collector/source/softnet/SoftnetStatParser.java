package dev.culprit.collector.source.softnet;

import dev.culprit.collector.records.SoftnetCpu;
import dev.culprit.collector.spi.ParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/net/softnet_stat}: one row per online CPU, no header, every column a 32-bit
 * hexadecimal value ({@code softnet_seq_show} in the kernel's {@code net/core/net-procfs.c}).
 *
 * <pre>
 * 0000bd46 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000
 * 0000c953 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000001 00000000 00000000
 * </pre>
 *
 * <p>Columns: 1 processed, 2 dropped (backlog full), 3 time_squeeze, 4–8 zeros (were fastroute), 9
 * zero (was cpu_collision), 10 received_rps, 11 flow_limit_count, 12 backlog length, 13 CPU index,
 * 14 input_qlen, 15 process_qlen. Accepted variants, by column count:
 *
 * <ul>
 *   <li>9 — before Linux 2.6.35 (no RPS);
 *   <li>10 — 2.6.35+, adds received_rps;
 *   <li>11 — 3.11+, adds flow_limit_count;
 *   <li>13 — 5.10+, adds the backlog length and the CPU index (rows skip offline CPUs, so the row
 *       position is not the CPU number when some are offline);
 *   <li>15 — 6.x (6.18 on the machine the fixture comes from), adds input_qlen and process_qlen;
 *   <li>more — a newer kernel's appended columns, ignored.
 * </ul>
 *
 * A row of fewer than 9 columns is a parse error; a column a variant lacks is null, never 0.
 */
public final class SoftnetStatParser {

  static final int MIN_COLUMNS = 9;

  /** Columns this parser knows the meaning of (the 6.x layout); later ones are ignored. */
  static final int KNOWN_COLUMNS = 15;

  /** 1-based column of the CPU index (5.10+). */
  private static final int CPU_INDEX_COLUMN = 13;

  private SoftnetStatParser() {}

  /**
   * The rows in file order.
   *
   * @param source the path, for error messages
   */
  public static List<SoftnetCpu> parse(String source, String text) throws ParseException {
    List<SoftnetCpu> cpus = new ArrayList<>();
    String[] lines = text.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      String[] fields = line.split("\\s+");
      if (fields.length < MIN_COLUMNS) {
        throw new ParseException(
            source, i + 1, fields.length + " columns, at least " + MIN_COLUMNS + " expected");
      }
      long[] values = new long[Math.min(fields.length, KNOWN_COLUMNS)];
      for (int c = 0; c < values.length; c++) {
        try {
          values[c] = Long.parseUnsignedLong(fields[c], 16);
        } catch (NumberFormatException e) {
          throw new ParseException(source, i + 1, "not a hex value: '" + fields[c] + "'", e);
        }
      }
      cpus.add(
          SoftnetCpu.newBuilder()
              .setCpu(
                  values.length >= CPU_INDEX_COLUMN
                      ? (int) values[CPU_INDEX_COLUMN - 1]
                      : cpus.size())
              .setProcessed(values[0])
              .setDropped(values[1])
              .setTimeSqueeze(values[2])
              .setReceivedRps(column(values, 10))
              .setFlowLimitCount(column(values, 11))
              .setBacklogLen(column(values, 12))
              .setInputQlen(column(values, 14))
              .setProcessQlen(column(values, 15))
              .build());
    }
    if (cpus.isEmpty()) {
      throw new ParseException(source, 1, "empty: no per-CPU rows");
    }
    return cpus;
  }

  /** Column {@code number} (1-based), or null when this kernel's variant lacks it. */
  private static Long column(long[] values, int number) {
    return values.length >= number ? values[number - 1] : null;
  }
}
